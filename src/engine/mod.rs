//! Executing compiled SQL on an embedded DuckDB.
