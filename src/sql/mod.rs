//! Model → SQL, per dialect.
