//! Executing compiled SQL on an embedded DuckDB: the IO boundary of `lodestar run` and
//! `lodestar guard`. The SQL stage does no IO; this module opens the database, maps the
//! project's relations to local files, runs the SQL and returns typed rows.
//!
//! Compiled only with the `duckdb` cargo feature.

pub mod sources;

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use duckdb::types::{TimeUnit, Value as Duck};
use duckdb::{AccessMode, Config, Connection};

use crate::model::Project;
pub use crate::report::{Cell, Table};
pub use sources::{relations, RelationName};

/// Why the engine could not do its job (exit code 2).
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error("no data for table `{table}` (read by source `{read_by}`): expected {}", list(.expected))]
    MissingData {
        table: String,
        read_by: String,
        expected: Vec<String>,
    },
    #[error("table `{table}` (read by source `{read_by}`) is not in {database}")]
    MissingTable {
        table: String,
        read_by: String,
        database: String,
    },
    #[error("{path}: {message}")]
    Open { path: String, message: String },
    #[error("{what}: {message}")]
    Duckdb { what: String, message: String },
}

fn list(paths: &[String]) -> String {
    match paths {
        [one] => one.clone(),
        _ => {
            let (last, rest) = paths.split_last().expect("at least one path");
            format!("{} or {last}", rest.join(", "))
        }
    }
}

fn duck(what: impl Into<String>) -> impl FnOnce(duckdb::Error) -> EngineError {
    let what = what.into();
    move |e| EngineError::Duckdb {
        what,
        message: e.to_string(),
    }
}

/// Where the data lives.
#[derive(Clone, Debug)]
pub enum Data {
    /// A directory of CSV or Parquet files, one per table (`DIR/schema/name.csv`).
    Dir(PathBuf),
    /// An existing DuckDB database file, opened read-only.
    Database(PathBuf),
}

/// An open DuckDB connection.
pub struct Engine {
    conn: Connection,
    /// The database file, when one was opened (for messages).
    database: Option<PathBuf>,
}

impl Engine {
    /// An empty in-memory database.
    pub fn in_memory() -> Result<Engine, EngineError> {
        let conn = Connection::open_in_memory().map_err(|e| EngineError::Open {
            path: ":memory:".to_owned(),
            message: e.to_string(),
        })?;
        Ok(Engine {
            conn,
            database: None,
        })
    }

    /// An existing database file, read-only.
    pub fn open_read_only(path: &Path) -> Result<Engine, EngineError> {
        let shown = path.display().to_string();
        if !path.is_file() {
            return Err(EngineError::Open {
                path: shown,
                message: "no such file".to_owned(),
            });
        }
        let config = Config::default()
            .access_mode(AccessMode::ReadOnly)
            .map_err(|e| EngineError::Open {
                path: shown.clone(),
                message: e.to_string(),
            })?;
        let conn = Connection::open_with_flags(path, config).map_err(|e| EngineError::Open {
            path: shown,
            message: e.to_string(),
        })?;
        Ok(Engine {
            conn,
            database: Some(path.to_path_buf()),
        })
    }

    /// Opens the data of a run and makes every relation the project reads queryable.
    pub fn for_project(project: &Project, data: &Data) -> Result<Engine, EngineError> {
        Engine::for_products(project, None, data)
    }

    /// Opens the data of a run and makes the relations that the metrics of `products` read
    /// queryable (every relation of the project when `None`).
    pub fn for_products(
        project: &Project,
        products: Option<&[String]>,
        data: &Data,
    ) -> Result<Engine, EngineError> {
        let rels = relations(project, products);
        match data {
            Data::Dir(dir) => {
                let engine = Engine::in_memory()?;
                engine.map_files(&rels, dir)?;
                Ok(engine)
            }
            Data::Database(path) => {
                let engine = Engine::open_read_only(path)?;
                engine.check_tables(&rels)?;
                Ok(engine)
            }
        }
    }

    /// The underlying connection (for tests and tools that load data themselves).
    pub fn connection(&self) -> &Connection {
        &self.conn
    }

    /// Maps each relation `schema.name` to `dir/schema/name.csv` or
    /// `.parquet` (`dir/name.*` for an unqualified name) as a view of the same name.
    pub fn map_files(&self, rels: &[RelationName], dir: &Path) -> Result<(), EngineError> {
        for rel in rels {
            let candidates = rel.candidates(dir);
            let Some(file) = candidates.iter().find(|p| p.is_file()) else {
                return Err(EngineError::MissingData {
                    table: rel.dotted(),
                    read_by: rel.source.clone(),
                    expected: candidates.iter().map(|p| p.display().to_string()).collect(),
                });
            };
            self.create_view(rel, file)?;
        }
        Ok(())
    }

    /// Creates the view `rel` over one data file.
    pub fn create_view(&self, rel: &RelationName, file: &Path) -> Result<(), EngineError> {
        if rel.parts.len() > 2 {
            return Err(EngineError::MissingData {
                table: rel.dotted(),
                read_by: rel.source.clone(),
                expected: vec![
                    "a table named `name` or `schema.name` (catalogs are not mapped to files)"
                        .to_owned(),
                ],
            });
        }
        let file = std::path::absolute(file).unwrap_or_else(|_| file.to_path_buf());
        let path = sources::literal(&file.to_string_lossy());
        let reader = match file.extension().and_then(|e| e.to_str()) {
            Some("parquet") => format!("read_parquet({path})"),
            _ => format!("read_csv_auto({path})"),
        };
        let mut sql = String::new();
        if let [schema, _] = rel.parts.as_slice() {
            sql.push_str(&format!(
                "CREATE SCHEMA IF NOT EXISTS {};\n",
                sources::ident(schema)
            ));
        }
        let name: Vec<String> = rel.parts.iter().map(|p| sources::ident(p)).collect();
        sql.push_str(&format!(
            "CREATE OR REPLACE VIEW {} AS SELECT * FROM {reader};",
            name.join(".")
        ));
        self.conn.execute_batch(&sql).map_err(duck(format!(
            "reading {} for table `{}`",
            file.display(),
            rel.dotted()
        )))
    }

    /// Checks that an opened database holds every relation the project reads.
    fn check_tables(&self, rels: &[RelationName]) -> Result<(), EngineError> {
        for rel in rels {
            let (schema, name) = match rel.parts.as_slice() {
                [name] => (None, name.as_str()),
                [.., schema, name] => (Some(schema.as_str()), name.as_str()),
                [] => continue,
            };
            let tables =
                "SELECT count(*) FROM information_schema.tables WHERE lower(table_name) = lower(?)";
            let found: i64 = match schema {
                Some(schema) => self.conn.query_row(
                    &format!("{tables} AND lower(table_schema) = lower(?)"),
                    duckdb::params![name, schema],
                    |row| row.get(0),
                ),
                None => self
                    .conn
                    .query_row(tables, duckdb::params![name], |row| row.get(0)),
            }
            .map_err(duck("reading the database catalog"))?;
            if found == 0 {
                return Err(EngineError::MissingTable {
                    table: rel.dotted(),
                    read_by: rel.source.clone(),
                    database: self
                        .database
                        .as_ref()
                        .map(|p| p.display().to_string())
                        .unwrap_or_default(),
                });
            }
        }
        Ok(())
    }

    /// Runs one SELECT and returns its rows. `what` names the query in errors.
    pub fn query(&self, what: &str, sql: &str) -> Result<Table, EngineError> {
        let mut stmt = self.conn.prepare(sql).map_err(duck(what))?;
        let mut rows = stmt.query([]).map_err(duck(what))?;
        let mut out = Vec::new();
        let mut width = 0;
        while let Some(row) = rows.next().map_err(duck(what))? {
            if width == 0 {
                width = row.as_ref().column_count();
            }
            let mut cells = Vec::with_capacity(width);
            for i in 0..width {
                let v: Duck = row.get(i).map_err(duck(what))?;
                cells.push(cell(v));
            }
            out.push(cells);
        }
        drop(rows);
        Ok(Table {
            columns: stmt.column_names(),
            rows: out,
        })
    }
}

/// A DuckDB value as a cell: numbers as f64, dates (and midnight timestamps) as dates.
fn cell(v: Duck) -> Cell {
    let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).expect("valid date");
    match v {
        Duck::Null => Cell::Null,
        Duck::Boolean(b) => Cell::Text(b.to_string()),
        Duck::TinyInt(n) => Cell::Number(n.into()),
        Duck::SmallInt(n) => Cell::Number(n.into()),
        Duck::Int(n) => Cell::Number(n.into()),
        Duck::BigInt(n) => Cell::Number(n as f64),
        Duck::HugeInt(n) => Cell::Number(n as f64),
        Duck::UHugeInt(n) => Cell::Number(n as f64),
        Duck::UTinyInt(n) => Cell::Number(n.into()),
        Duck::USmallInt(n) => Cell::Number(n.into()),
        Duck::UInt(n) => Cell::Number(n.into()),
        Duck::UBigInt(n) => Cell::Number(n as f64),
        Duck::Float(n) => Cell::Number(n.into()),
        Duck::Double(n) => Cell::Number(n),
        Duck::Decimal(d) => match d.to_string().parse::<f64>() {
            Ok(n) => Cell::Number(n),
            Err(_) => Cell::Text(d.to_string()),
        },
        Duck::Date32(days) => {
            match epoch.checked_add_signed(chrono::TimeDelta::days(days.into())) {
                Some(d) => Cell::Date(d),
                None => Cell::Text(days.to_string()),
            }
        }
        Duck::Timestamp(unit, t) => {
            let micros = match unit {
                TimeUnit::Second => t.saturating_mul(1_000_000),
                TimeUnit::Millisecond => t.saturating_mul(1_000),
                TimeUnit::Microsecond => t,
                TimeUnit::Nanosecond => t / 1_000,
            };
            match chrono::DateTime::from_timestamp_micros(micros) {
                Some(ts) if ts.time() == chrono::NaiveTime::MIN => Cell::Date(ts.date_naive()),
                Some(ts) => Cell::Text(ts.naive_utc().to_string()),
                None => Cell::Text(t.to_string()),
            }
        }
        Duck::Text(s) => Cell::Text(s),
        other => Cell::Text(format!("{other:?}")),
    }
}
