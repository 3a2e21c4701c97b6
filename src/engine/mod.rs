//! Executing compiled SQL on an embedded DuckDB: the IO boundary of `lodestar run` and
//! `lodestar guard`. The SQL stage does no IO; this module opens the database, maps the
//! project's relations to local files, runs the SQL and returns typed rows.
//!
//! With the `postgres` feature, [`postgres`] runs the PostgreSQL dialect's SQL on a live
//! server instead (`--warehouse postgresql://...`), and [`Backend`] is either engine behind one
//! `query`.
//!
//! Compiled only with the `duckdb` cargo feature.

#[cfg(feature = "postgres")]
pub mod postgres;
pub mod sources;

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use duckdb::types::{TimeUnit, Value as Duck};
use duckdb::{AccessMode, Config, Connection};

use crate::model::Project;
pub use crate::report::{Cell, Table};
use crate::sql::Dialect;
pub use sources::{column_uses, relations, ColumnUse, RelationName};

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
    #[error("source `{source_name}` declares the column `{column}`, but {file} (table `{table}`) has no such column; it has {}", .found.join(", "))]
    MissingColumn {
        source_name: String,
        column: String,
        table: String,
        file: String,
        found: Vec<String>,
    },
    /// The engine found no column `column`: the places of the spec that read it.
    #[error("{what}: no column `{column}` in the data, but {}", uses.join("; "))]
    UnknownColumn {
        what: String,
        column: String,
        uses: Vec<String>,
    },
    #[error("{path}: {message}")]
    Open { path: String, message: String },
    #[error("{what}: {message}")]
    Duckdb { what: String, message: String },
    /// A live warehouse failed: `warehouse` is shown without credentials and `message` is
    /// scrubbed of them.
    #[error("warehouse {warehouse}: {message}")]
    Warehouse { warehouse: String, message: String },
    /// `--warehouse` names something lodestar cannot run on.
    #[error("{0}")]
    Url(String),
    /// Ctrl-C cancelled a query on the warehouse.
    #[error("interrupted: {what} was cancelled on the warehouse")]
    Interrupted { what: String },
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
    /// A live PostgreSQL server.
    #[cfg(feature = "postgres")]
    Postgres(Box<postgres::Target>),
}

impl Data {
    /// The dialect the SQL run on this data is compiled for.
    pub fn dialect(&self) -> Dialect {
        match self {
            Data::Dir(_) | Data::Database(_) => Dialect::Duckdb,
            #[cfg(feature = "postgres")]
            Data::Postgres(_) => Dialect::Postgres,
        }
    }

    /// The data a `--warehouse URL` names: `duckdb:///path/file.duckdb` (a database file, as
    /// `--duckdb`), or `postgresql://user:password@host:port/database` (`postgres://` too).
    /// Messages never show the URL's password.
    pub fn from_url(url: &str) -> Result<Data, EngineError> {
        let scheme = url.split_once("://").map(|(s, _)| s.to_ascii_lowercase());
        match scheme.as_deref() {
            Some("duckdb") => {
                let path = &url["duckdb://".len()..];
                if path.is_empty() {
                    return Err(EngineError::Url(
                        "duckdb:// names no file (write duckdb:///path/to/file.duckdb)".to_owned(),
                    ));
                }
                Ok(Data::Database(PathBuf::from(path)))
            }
            #[cfg(feature = "postgres")]
            Some("postgresql" | "postgres") => Ok(Data::Postgres(Box::new(postgres::Target::parse(url)?))),
            #[cfg(not(feature = "postgres"))]
            Some("postgresql" | "postgres") => Err(EngineError::Url(
                "this lodestar binary was built without the `postgres` feature, so it cannot run on PostgreSQL".to_owned(),
            )),
            Some(other) => Err(EngineError::Url(format!(
                "`{other}://` is not a warehouse lodestar runs on (postgresql:// or duckdb://)"
            ))),
            None => Err(EngineError::Url(
                "a warehouse URL starts with postgresql:// or duckdb://".to_owned(),
            )),
        }
    }
}

/// Where compiled SQL runs: the embedded DuckDB, or a live warehouse.
pub enum Backend {
    Duckdb(Engine),
    #[cfg(feature = "postgres")]
    Postgres(postgres::Warehouse),
}

impl Backend {
    /// Opens the data of a run (connects, for a warehouse) and checks that the relations the
    /// metrics of `products` read (every relation when `None`) are there.
    pub fn for_products(
        project: &Project,
        products: Option<&[String]>,
        data: &Data,
    ) -> Result<Backend, EngineError> {
        match data {
            #[cfg(feature = "postgres")]
            Data::Postgres(target) => {
                let warehouse = postgres::Warehouse::connect(target)?;
                warehouse.check_tables(&relations(project, products))?;
                Ok(Backend::Postgres(warehouse))
            }
            _ => Ok(Backend::Duckdb(Engine::for_products(
                project, products, data,
            )?)),
        }
    }

    /// The dialect to compile for.
    pub fn dialect(&self) -> Dialect {
        match self {
            Backend::Duckdb(_) => Dialect::Duckdb,
            #[cfg(feature = "postgres")]
            Backend::Postgres(_) => Dialect::Postgres,
        }
    }

    /// Runs one SELECT and returns its rows. `what` names the query in errors.
    pub fn query(&self, what: &str, sql: &str) -> Result<Table, EngineError> {
        match self {
            Backend::Duckdb(engine) => engine.query(what, sql),
            #[cfg(feature = "postgres")]
            Backend::Postgres(warehouse) => warehouse.query(what, sql),
        }
    }
}

/// Rows of a source whose time column is NULL (see [`Engine::null_times`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NullTimes {
    pub source: String,
    pub table: String,
    pub time: String,
    pub rows: u64,
}

/// An open DuckDB connection.
pub struct Engine {
    conn: Connection,
    /// The database file, when one was opened (for messages).
    database: Option<PathBuf>,
    /// The columns the project reads and where, to name them when the engine lacks one.
    uses: Vec<ColumnUse>,
    /// The data file of each relation mapped from `--data DIR`.
    files: std::sync::Mutex<Vec<(RelationName, PathBuf)>>,
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
            uses: Vec::new(),
            files: Default::default(),
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
            uses: Vec::new(),
            files: Default::default(),
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
                let mut engine = Engine::in_memory()?;
                engine.uses = column_uses(project, products);
                engine.map_files(&rels, dir)?;
                Ok(engine)
            }
            Data::Database(path) => {
                let mut engine = Engine::open_read_only(path)?;
                engine.uses = column_uses(project, products);
                engine.check_tables(&rels)?;
                Ok(engine)
            }
            #[cfg(feature = "postgres")]
            Data::Postgres(target) => Err(EngineError::Url(format!(
                "the embedded DuckDB cannot open warehouse {}",
                target.shown()
            ))),
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
            self.check_columns(rel, file)?;
            if let Ok(mut files) = self.files.lock() {
                files.push((rel.clone(), file.clone()));
            }
        }
        Ok(())
    }

    /// Checks that the view of `rel` over `file` has every column its sources declare, so that
    /// a missing column is named with its source and file rather than in the engine's words.
    fn check_columns(&self, rel: &RelationName, file: &Path) -> Result<(), EngineError> {
        if rel.columns.is_empty() {
            return Ok(());
        }
        let (schema, name) = match rel.parts.as_slice() {
            [name] => ("main", name.as_str()),
            [schema, name] => (schema.as_str(), name.as_str()),
            _ => return Ok(()),
        };
        let what = format!("reading the columns of {}", file.display());
        let mut stmt = self
            .conn
            .prepare(
                "SELECT column_name FROM information_schema.columns \
                 WHERE table_schema = ? AND table_name = ? ORDER BY ordinal_position",
            )
            .map_err(duck(what.clone()))?;
        let found: Vec<String> = stmt
            .query_map(duckdb::params![schema, name], |row| row.get(0))
            .map_err(duck(what.clone()))?
            .collect::<Result<_, _>>()
            .map_err(duck(what))?;
        for (column, source) in &rel.columns {
            if !found.iter().any(|f| f.eq_ignore_ascii_case(column)) {
                return Err(EngineError::MissingColumn {
                    source_name: source.clone(),
                    column: column.clone(),
                    table: rel.dotted(),
                    file: file.display().to_string(),
                    found,
                });
            }
        }
        Ok(())
    }

    /// The rows of each `table` source the metrics of `products` read whose time is NULL: they
    /// fall in no period, so every query leaves them out, and `run`, `guard` and `analyze` say
    /// how many. `sql` sources are not counted (their rows exist only inside the query).
    pub fn null_times(
        &self,
        project: &Project,
        products: Option<&[String]>,
    ) -> Result<Vec<NullTimes>, EngineError> {
        let mut out = Vec::new();
        let used: std::collections::BTreeSet<&str> = project
            .products
            .iter()
            .filter(|p| products.is_none_or(|names| names.contains(&p.name.value)))
            .flat_map(|p| &p.metrics)
            .filter_map(|m| m.compute.as_ref())
            .flat_map(|c| c.sources())
            .map(|s| s.value.as_str())
            .collect();
        for source in &project.sources {
            if !used.contains(source.name.value.as_str()) {
                continue;
            }
            let (Some(crate::model::Relation::Table(table)), Some(time)) =
                (&source.relation, &source.time)
            else {
                continue;
            };
            let relation: Vec<String> = table.value.iter().map(|p| sources::ident(p)).collect();
            let sql = format!(
                "SELECT count(*) FROM {} WHERE {} IS NULL",
                relation.join("."),
                sources::ident(&time.value)
            );
            let what = format!(
                "counting the rows of source `{}` without a time",
                source.name.value
            );
            let rows: i64 = self
                .conn
                .query_row(&sql, [], |row| row.get(0))
                .map_err(|e| self.unknown_column(&what, e))?;
            if rows > 0 {
                out.push(NullTimes {
                    source: source.name.value.clone(),
                    table: table.value.join("."),
                    time: time.value.clone(),
                    rows: rows as u64,
                });
            }
        }
        Ok(out)
    }

    /// DuckDB's "Referenced column "x" not found" as the places of the spec that read `x`,
    /// with the source, its table and data file: a source without `columns:` cannot be checked
    /// before the query runs. Any other error, or a column no fragment names, stays as it is.
    fn unknown_column(&self, what: &str, e: duckdb::Error) -> EngineError {
        let message = e.to_string();
        let column = message
            .split_once("Referenced column \"")
            .and_then(|(_, rest)| rest.split_once('"'))
            .map(|(column, _)| column.to_owned());
        let Some(column) = column else {
            return duck(what)(e);
        };
        let files = self.files.lock().map(|f| f.clone()).unwrap_or_default();
        let uses: Vec<String> = self
            .uses
            .iter()
            .filter(|u| u.column.eq_ignore_ascii_case(&column))
            .map(|u| {
                let table = files
                    .iter()
                    .find(|(rel, _)| rel.source == u.source)
                    .map(|(rel, file)| format!(", table `{}`, {}", rel.dotted(), file.display()))
                    .unwrap_or_default();
                format!("{} reads it (source `{}`{table})", u.place, u.source)
            })
            .collect();
        if uses.is_empty() {
            return duck(what)(e);
        }
        let mut dedup = uses;
        dedup.dedup();
        EngineError::UnknownColumn {
            what: what.to_owned(),
            column,
            uses: dedup,
        }
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
        let mut stmt = self
            .conn
            .prepare(sql)
            .map_err(|e| self.unknown_column(what, e))?;
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
