//! MetricFlow / dbt semantic-layer YAML into lodestar specs (`lodestar import metricflow`).
