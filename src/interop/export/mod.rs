//! A lodestar project written as another tool's definitions (`lodestar export`).
