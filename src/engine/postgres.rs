//! `--warehouse postgresql://...`: the PostgreSQL dialect's compiled SQL on a live server,
//! through the sync `postgres` client, with the rows turned into the same [`Table`] of
//! [`Cell`]s as DuckDB's, so that the report stage cannot tell the engines apart.
//!
//! Credentials never leave this module in text: the connection is shown as
//! `user@host:port/database` ([`Target::shown`]), and every message built from the client's
//! errors is scrubbed of the password (as given and percent-encoded) before it is returned.
//!
//! Compiled only with the `postgres` cargo feature.

use std::path::PathBuf;
use std::str::FromStr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

use chrono::{NaiveDate, NaiveTime, TimeDelta};
use postgres::config::{Host, SslMode};
use postgres::types::{FromSql, Type};
use postgres::{CancelToken, Client, Config, NoTls};
use postgres_native_tls::MakeTlsConnector;

use super::sources::RelationName;
use super::EngineError;
use crate::report::{Cell, Table};

/// How long a connection may take before it is given up (unless the URL sets
/// `connect_timeout` or the environment `PGCONNECT_TIMEOUT`).
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// The TLS a connection asks for, as libpq's `sslmode` means it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Tls {
    /// `disable`: plain TCP.
    Disable,
    /// `prefer` (the default) and `require`: encrypted (required or when the server offers it),
    /// certificate not checked, as libpq does; `verify-ca` checks the chain, `verify-full` the
    /// host name too.
    Encrypt {
        required: bool,
        verify_chain: bool,
        verify_host: bool,
        /// `sslrootcert=FILE`: a PEM certificate trusted besides the system's.
        root_cert: Option<PathBuf>,
    },
}

/// A parsed `postgresql://` URL with the environment's defaults filled in.
#[derive(Clone)]
pub struct Target {
    config: Config,
    tls: Tls,
    shown: String,
    secrets: Vec<String>,
}

impl std::fmt::Debug for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the password.
        f.debug_struct("Target")
            .field("shown", &self.shown)
            .field("tls", &self.tls)
            .finish()
    }
}

/// The query parameters lodestar reads itself (the client does not know `verify-*` nor
/// `sslrootcert`).
const OWN_PARAMS: [&str; 2] = ["sslmode", "sslrootcert"];

impl Target {
    /// Parses `postgresql://[user[:password]@][host][:port][/database][?param=value&...]`
    /// (or `postgres://`), with what the URL leaves out taken from `PGHOST`, `PGPORT`,
    /// `PGUSER`, `PGPASSWORD`, `PGDATABASE`, `PGSSLMODE`, `PGSSLROOTCERT` and
    /// `PGCONNECT_TIMEOUT`, then libpq's defaults (localhost, 5432, the login name, a database
    /// named like the user).
    pub fn parse(url: &str) -> Result<Target, EngineError> {
        Target::parse_with_env(url, &|name| std::env::var(name).ok())
    }

    /// [`Target::parse`] with the environment given (for tests).
    pub fn parse_with_env(
        url: &str,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Target, EngineError> {
        let env = |name: &str| env(name).filter(|v| !v.is_empty());
        // The password as written in the URL (percent-encoded or not), to scrub from messages
        // even when the URL does not parse.
        let mut secrets: Vec<String> = url_password(url).into_iter().collect();
        let invalid = |why: String, secrets: &[String]| EngineError::Warehouse {
            warehouse: "postgresql://".to_owned(),
            message: scrub(&format!("invalid PostgreSQL URL: {why}"), secrets),
        };
        let (base, query) = match url.split_once('?') {
            Some((b, q)) => (b, q),
            None => (url, ""),
        };
        let mut own: Vec<(String, String)> = Vec::new();
        let mut rest: Vec<&str> = Vec::new();
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            if OWN_PARAMS.contains(&key) {
                own.push((key.to_owned(), percent_decode(value)));
            } else {
                rest.push(pair);
            }
        }
        let client_url = if rest.is_empty() {
            base.to_owned()
        } else {
            format!("{base}?{}", rest.join("&"))
        };
        let parsed =
            Config::from_str(&client_url).map_err(|e| invalid(error_text(&e), &secrets))?;
        let param = |key: &str| {
            own.iter()
                .rev()
                .find(|(k, _)| k == key)
                .map(|(_, v)| v.clone())
        };

        let mut config = Config::new();
        let user = parsed
            .get_user()
            .map(str::to_owned)
            .or_else(|| env("PGUSER"))
            .or_else(|| env("USER"))
            .or_else(|| env("LOGNAME"))
            .unwrap_or_else(|| "postgres".to_owned());
        config.user(&user);
        let password = match parsed.get_password() {
            Some(p) => Some(String::from_utf8_lossy(p).into_owned()),
            None => env("PGPASSWORD"),
        };
        if let Some(p) = &password {
            config.password(p.as_bytes());
            secrets.push(p.clone());
        }
        let dbname = parsed
            .get_dbname()
            .map(str::to_owned)
            .or_else(|| env("PGDATABASE"))
            .unwrap_or_else(|| user.clone());
        config.dbname(&dbname);
        if let Some(o) = parsed.get_options() {
            config.options(o);
        }
        config.application_name(parsed.get_application_name().unwrap_or("lodestar"));

        // Hosts and ports: the URL's, else the environment's. The client gives a host without a
        // port 5432, so whether the URL named a port is read from the URL itself.
        let hosts: Vec<Host> = if parsed.get_hosts().is_empty() {
            let host = env("PGHOST").unwrap_or_else(|| "localhost".to_owned());
            host.split(',')
                .map(|h| {
                    if h.starts_with('/') {
                        Host::Unix(PathBuf::from(h))
                    } else {
                        Host::Tcp(h.to_owned())
                    }
                })
                .collect()
        } else {
            parsed.get_hosts().to_vec()
        };
        let env_port = match env("PGPORT") {
            Some(p) => Some(
                p.parse::<u16>()
                    .map_err(|_| invalid(format!("PGPORT=`{p}` is not a port"), &secrets))?,
            ),
            None => None,
        };
        let ports: Vec<u16> = if url_names_port(base) {
            parsed.get_ports().to_vec()
        } else {
            vec![env_port.unwrap_or(5432)]
        };
        for h in &hosts {
            match h {
                Host::Tcp(name) => config.host(name),
                Host::Unix(path) => config.host_path(path),
            };
        }
        for a in parsed.get_hostaddrs() {
            config.hostaddr(*a);
        }
        for p in &ports {
            config.port(*p);
        }
        let timeout = match (parsed.get_connect_timeout(), env("PGCONNECT_TIMEOUT")) {
            (Some(t), _) => *t,
            (None, Some(s)) => Duration::from_secs(s.parse().map_err(|_| {
                invalid(
                    format!("PGCONNECT_TIMEOUT=`{s}` is not a number of seconds"),
                    &secrets,
                )
            })?),
            (None, None) => CONNECT_TIMEOUT,
        };
        config.connect_timeout(timeout);
        if let Some(t) = parsed.get_tcp_user_timeout() {
            config.tcp_user_timeout(*t);
        }
        config.keepalives(parsed.get_keepalives());
        config.keepalives_idle(parsed.get_keepalives_idle());
        if let Some(i) = parsed.get_keepalives_interval() {
            config.keepalives_interval(i);
        }
        if let Some(r) = parsed.get_keepalives_retries() {
            config.keepalives_retries(r);
        }
        config.target_session_attrs(parsed.get_target_session_attrs());
        config.channel_binding(parsed.get_channel_binding());
        config.load_balance_hosts(parsed.get_load_balance_hosts());

        let mode = param("sslmode")
            .or_else(|| env("PGSSLMODE"))
            .unwrap_or_else(|| "prefer".to_owned());
        let root_cert = param("sslrootcert")
            .or_else(|| env("PGSSLROOTCERT"))
            .map(PathBuf::from);
        let (tls, ssl_mode) = match mode.as_str() {
            "disable" => (Tls::Disable, SslMode::Disable),
            "allow" | "prefer" | "require" | "verify-ca" | "verify-full" => {
                let required = !matches!(mode.as_str(), "allow" | "prefer");
                let encrypt = Tls::Encrypt {
                    required,
                    verify_chain: mode.starts_with("verify-"),
                    verify_host: mode == "verify-full",
                    root_cert,
                };
                let ssl = if required {
                    SslMode::Require
                } else {
                    SslMode::Prefer
                };
                (encrypt, ssl)
            }
            other => {
                return Err(invalid(
                    format!(
                        "sslmode=`{other}` is not one of disable, allow, prefer, require, verify-ca, verify-full"
                    ),
                    &secrets,
                ))
            }
        };
        config.ssl_mode(ssl_mode);

        let shown_host = match hosts.first() {
            Some(Host::Tcp(h)) if h.contains(':') => format!("[{h}]"),
            Some(Host::Tcp(h)) => h.clone(),
            Some(Host::Unix(p)) => p.display().to_string(),
            None => String::new(),
        };
        let shown_port = ports.first().copied().unwrap_or(5432);
        let shown = scrub(
            &format!("{user}@{shown_host}:{shown_port}/{dbname}"),
            &secrets,
        );
        Ok(Target {
            config,
            tls,
            shown,
            secrets,
        })
    }

    /// `user@host:port/database`: how the warehouse is named in every message.
    pub fn shown(&self) -> &str {
        &self.shown
    }

    pub fn tls(&self) -> &Tls {
        &self.tls
    }
}

/// The password part of a URL's credentials, if any (as written).
fn url_password(url: &str) -> Option<String> {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let creds = rest.split_once('@')?.0;
    let (_, password) = creds.split_once(':')?;
    (!password.is_empty()).then(|| password.to_owned())
}

/// Whether the URL (without its query) names a port for any of its hosts.
fn url_names_port(base: &str) -> bool {
    let rest = base.split_once("://").map_or(base, |(_, r)| r);
    let rest = rest.split_once('@').map_or(rest, |(_, r)| r);
    let authority = rest.split('/').next().unwrap_or("");
    authority
        .split(',')
        .any(|chunk| match chunk.strip_prefix('[') {
            Some(v6) => v6.split_once(']').is_some_and(|(_, p)| p.starts_with(':')),
            None => chunk.contains(':'),
        })
}

fn percent_decode(s: &str) -> String {
    let hex = |b: u8| (b as char).to_digit(16);
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let (Some(hi), Some(lo)) = (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                out.push((hi * 16 + lo) as u8);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// `text` with every secret (and its percent-decoded form) replaced by `***`.
pub fn scrub(text: &str, secrets: &[String]) -> String {
    let mut out = text.to_owned();
    let mut all: Vec<String> = Vec::new();
    for s in secrets {
        all.push(s.clone());
        all.push(percent_decode(s));
    }
    // Longest first, so that a secret containing another is replaced whole.
    all.sort_by_key(|s| std::cmp::Reverse(s.len()));
    for s in all.iter().filter(|s| !s.is_empty()) {
        out = out.replace(s.as_str(), "***");
    }
    out
}

/// A client error as one line: the server's message (with its detail and hint) for a database
/// error, else the error and its causes.
fn error_text(e: &postgres::Error) -> String {
    if let Some(db) = e.as_db_error() {
        let mut s = db.message().to_owned();
        if let Some(d) = db.detail() {
            s.push_str(&format!(" ({d})"));
        }
        if let Some(h) = db.hint() {
            s.push_str(&format!("; hint: {h}"));
        }
        return s;
    }
    let mut s = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(cause) = source {
        s.push_str(&format!(": {cause}"));
        source = cause.source();
    }
    s
}

/// The connector a [`Tls`] asks for.
#[derive(Clone)]
enum Connector {
    Plain,
    Tls(MakeTlsConnector),
}

impl Connector {
    fn for_tls(tls: &Tls) -> Result<Connector, String> {
        match tls {
            Tls::Disable => Ok(Connector::Plain),
            Tls::Encrypt {
                verify_chain,
                verify_host,
                root_cert,
                ..
            } => {
                let mut builder = native_tls::TlsConnector::builder();
                builder
                    .danger_accept_invalid_certs(!verify_chain)
                    .danger_accept_invalid_hostnames(!verify_host);
                if let Some(path) = root_cert {
                    let pem = std::fs::read(path)
                        .map_err(|e| format!("sslrootcert {}: {e}", path.display()))?;
                    let cert = native_tls::Certificate::from_pem(&pem)
                        .map_err(|e| format!("sslrootcert {}: {e}", path.display()))?;
                    builder.add_root_certificate(cert);
                }
                let connector = builder
                    .build()
                    .map_err(|e| format!("cannot set up TLS: {e}"))?;
                Ok(Connector::Tls(MakeTlsConnector::new(connector)))
            }
        }
    }
}

/// The query running now, for the Ctrl-C handler: its cancel token and connector.
static RUNNING: Mutex<Option<(CancelToken, Connector)>> = Mutex::new(None);
/// Set by the Ctrl-C handler once it has asked the server to cancel the query.
static INTERRUPTED: AtomicBool = AtomicBool::new(false);

/// Installs (once per process) a Ctrl-C handler that cancels the running query on the server.
/// With no query running, it ends the process as the signal would have (exit 130).
fn install_interrupt_handler() {
    static INSTALLED: OnceLock<()> = OnceLock::new();
    INSTALLED.get_or_init(|| {
        let _ = ctrlc::set_handler(|| {
            let running = RUNNING.lock().ok().and_then(|r| r.clone());
            match running {
                Some((token, connector)) => {
                    INTERRUPTED.store(true, Ordering::SeqCst);
                    let _ = match connector {
                        Connector::Plain => token.cancel_query(NoTls),
                        Connector::Tls(tls) => token.cancel_query(tls),
                    };
                }
                None => std::process::exit(130),
            }
        });
    });
}

/// An open connection to a PostgreSQL warehouse. Every transaction is read-only.
pub struct Warehouse {
    client: Mutex<Client>,
    connector: Connector,
    shown: String,
    secrets: Vec<String>,
}

impl std::fmt::Debug for Warehouse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Warehouse")
            .field("shown", &self.shown)
            .finish()
    }
}

impl Warehouse {
    /// Connects, and makes the session read-only.
    pub fn connect(target: &Target) -> Result<Warehouse, EngineError> {
        let fail = |message: String| EngineError::Warehouse {
            warehouse: target.shown.clone(),
            message: scrub(&message, &target.secrets),
        };
        let connector = Connector::for_tls(&target.tls).map_err(fail)?;
        install_interrupt_handler();
        let connected = match &connector {
            Connector::Plain => target.config.connect(NoTls),
            Connector::Tls(tls) => target.config.connect(tls.clone()),
        };
        let mut client =
            connected.map_err(|e| fail(format!("cannot connect: {}", error_text(&e))))?;
        client
            .batch_execute("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY")
            .map_err(|e| fail(format!("cannot set up the session: {}", error_text(&e))))?;
        Ok(Warehouse {
            client: Mutex::new(client),
            connector,
            shown: target.shown.clone(),
            secrets: target.secrets.clone(),
        })
    }

    /// `user@host:port/database`.
    pub fn shown(&self) -> &str {
        &self.shown
    }

    fn fail(&self, what: &str, e: &postgres::Error) -> EngineError {
        if INTERRUPTED.load(Ordering::SeqCst) {
            return EngineError::Interrupted {
                what: what.to_owned(),
            };
        }
        EngineError::Warehouse {
            warehouse: self.shown.clone(),
            message: scrub(&format!("{what}: {}", error_text(e)), &self.secrets),
        }
    }

    /// Checks that the warehouse holds (and shows this user) every relation the project reads.
    pub fn check_tables(&self, rels: &[RelationName]) -> Result<(), EngineError> {
        let mut client = self.client.lock().unwrap_or_else(|p| p.into_inner());
        for rel in rels {
            let (schema, name) = match rel.parts.as_slice() {
                [name] => (None, name.as_str()),
                [.., schema, name] => (Some(schema.as_str()), name.as_str()),
                [] => continue,
            };
            let tables = "SELECT count(*) FROM information_schema.tables WHERE lower(table_name) = lower($1)";
            let found = match schema {
                Some(schema) => client.query_one(
                    &format!("{tables} AND lower(table_schema) = lower($2)"),
                    &[&name, &schema],
                ),
                None => client.query_one(
                    &format!("{tables} AND table_schema = ANY (current_schemas(false))"),
                    &[&name],
                ),
            }
            .map_err(|e| self.fail("reading the database catalog", &e))?;
            let count: i64 = found.get(0);
            if count == 0 {
                return Err(EngineError::MissingTable {
                    table: rel.dotted(),
                    read_by: rel.source.clone(),
                    database: format!("{} (or this user may not read it)", self.shown),
                });
            }
        }
        Ok(())
    }

    /// Runs one SELECT and returns its rows. `what` names the query in errors. Ctrl-C while
    /// it runs cancels it on the server.
    pub fn query(&self, what: &str, sql: &str) -> Result<Table, EngineError> {
        let mut client = self.client.lock().unwrap_or_else(|p| p.into_inner());
        if INTERRUPTED.load(Ordering::SeqCst) {
            return Err(EngineError::Interrupted {
                what: what.to_owned(),
            });
        }
        if let Ok(mut running) = RUNNING.lock() {
            *running = Some((client.cancel_token(), self.connector.clone()));
        }
        let result = (|| {
            let stmt = client.prepare(sql)?;
            let rows = client.query(&stmt, &[])?;
            Ok::<_, postgres::Error>((stmt, rows))
        })();
        if let Ok(mut running) = RUNNING.lock() {
            *running = None;
        }
        let (stmt, rows) = result.map_err(|e| self.fail(what, &e))?;
        let columns: Vec<String> = stmt.columns().iter().map(|c| c.name().to_owned()).collect();
        let mut out = Vec::with_capacity(rows.len());
        for row in &rows {
            let mut cells = Vec::with_capacity(columns.len());
            for i in 0..columns.len() {
                let Raw(cell) = row.try_get(i).map_err(|e| self.fail(what, &e))?;
                cells.push(cell);
            }
            out.push(cells);
        }
        Ok(Table { columns, rows: out })
    }
}

/// One value of any type, read from PostgreSQL's binary format into a [`Cell`].
struct Raw(Cell);

type BoxError = Box<dyn std::error::Error + Sync + Send>;

impl<'a> FromSql<'a> for Raw {
    fn from_sql(ty: &Type, raw: &'a [u8]) -> Result<Raw, BoxError> {
        cell(ty, raw).map(Raw)
    }

    fn from_sql_null(_: &Type) -> Result<Raw, BoxError> {
        Ok(Raw(Cell::Null))
    }

    fn accepts(_: &Type) -> bool {
        true
    }
}

/// PostgreSQL's epoch for dates and timestamps.
fn pg_epoch() -> NaiveDate {
    NaiveDate::from_ymd_opt(2000, 1, 1).expect("valid date")
}

/// A PostgreSQL value as a cell, as DuckDB's are: numbers (integers, `numeric`, floats) as f64,
/// dates and midnight timestamps as dates, other timestamps as `YYYY-MM-DD HH:MM:SS[.f]` text,
/// booleans as `true`/`false`, text as text.
fn cell(ty: &Type, raw: &[u8]) -> Result<Cell, BoxError> {
    Ok(match *ty {
        Type::BOOL => Cell::Text(bool::from_sql(ty, raw)?.to_string()),
        Type::INT2 => Cell::Number(i16::from_sql(ty, raw)?.into()),
        Type::INT4 => Cell::Number(i32::from_sql(ty, raw)?.into()),
        Type::INT8 => Cell::Number(i64::from_sql(ty, raw)? as f64),
        Type::OID => Cell::Number(u32::from_sql(ty, raw)?.into()),
        Type::FLOAT4 => Cell::Number(f32::from_sql(ty, raw)?.into()),
        Type::FLOAT8 => Cell::Number(f64::from_sql(ty, raw)?),
        Type::NUMERIC => numeric(raw)?,
        Type::DATE => {
            let days = i32::from_sql(ty, raw)?;
            match days {
                i32::MAX => Cell::Text("infinity".to_owned()),
                i32::MIN => Cell::Text("-infinity".to_owned()),
                _ => match pg_epoch().checked_add_signed(TimeDelta::days(days.into())) {
                    Some(d) => Cell::Date(d),
                    None => Cell::Text(days.to_string()),
                },
            }
        }
        Type::TIMESTAMP | Type::TIMESTAMPTZ => {
            let micros = i64::from_sql(&Type::INT8, raw)?;
            match micros {
                i64::MAX => Cell::Text("infinity".to_owned()),
                i64::MIN => Cell::Text("-infinity".to_owned()),
                _ => match pg_epoch()
                    .and_time(NaiveTime::MIN)
                    .checked_add_signed(TimeDelta::microseconds(micros))
                {
                    Some(ts) if ts.time() == NaiveTime::MIN => Cell::Date(ts.date()),
                    Some(ts) => Cell::Text(ts.to_string()),
                    None => Cell::Text(micros.to_string()),
                },
            }
        }
        _ if <&str as FromSql>::accepts(ty) => Cell::Text(<&str>::from_sql(ty, raw)?.to_owned()),
        _ => Cell::Text(format!("({} value)", ty.name())),
    })
}

/// `numeric` in its binary form (digit count, weight, sign, scale, base-10000 digits) as a
/// number: written out in decimal and parsed, so the f64 is the correctly rounded value of the
/// exact decimal (as reading it as text would give). NaN and the infinities are kept.
fn numeric(raw: &[u8]) -> Result<Cell, BoxError> {
    let word = |i: usize| -> Result<u16, BoxError> {
        raw.get(i..i + 2)
            .map(|b| u16::from_be_bytes([b[0], b[1]]))
            .ok_or_else(|| "numeric value cut short".into())
    };
    let ndigits = usize::from(word(0)?);
    let weight = i32::from(word(2)? as i16);
    let sign = word(4)?;
    match sign {
        0xC000 => return Ok(Cell::Number(f64::NAN)),
        0xD000 => return Ok(Cell::Number(f64::INFINITY)),
        0xF000 => return Ok(Cell::Number(f64::NEG_INFINITY)),
        _ => {}
    }
    if ndigits == 0 {
        return Ok(Cell::Number(0.0));
    }
    let mut digits = String::with_capacity(ndigits * 4);
    for i in 0..ndigits {
        let d = word(8 + 2 * i)?;
        if d > 9999 {
            return Err("numeric digit out of range".into());
        }
        digits.push_str(&format!("{d:04}"));
    }
    // The value is 0.DIGITS × 10000^(weight + 1).
    let exponent = 4 * (weight + 1);
    let text = format!(
        "{}0.{digits}e{exponent}",
        if sign == 0x4000 { "-" } else { "" }
    );
    text.parse::<f64>()
        .map(Cell::Number)
        .map_err(|e| format!("numeric `{text}`: {e}").into())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env_of(pairs: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
        move |name| {
            pairs
                .iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| (*v).to_owned())
        }
    }

    #[test]
    fn a_full_url_is_shown_without_its_password() {
        let t = Target::parse_with_env(
            "postgresql://ana:s3cr%40t@db.example.com:6543/metrics?sslmode=require",
            &env_of(&[("PGPASSWORD", "other")]),
        )
        .unwrap();
        assert_eq!(t.shown(), "ana@db.example.com:6543/metrics");
        assert_eq!(t.config.get_password(), Some(&b"s3cr@t"[..]));
        assert!(matches!(
            t.tls(),
            Tls::Encrypt {
                required: true,
                verify_chain: false,
                ..
            }
        ));
        assert!(!format!("{t:?}").contains("s3cr"));
    }

    #[test]
    fn the_environment_fills_what_the_url_leaves_out() {
        let env = env_of(&[
            ("PGHOST", "10.0.0.7"),
            ("PGPORT", "5439"),
            ("PGUSER", "reader"),
            ("PGPASSWORD", "hunter2"),
            ("PGDATABASE", "warehouse"),
            ("PGSSLMODE", "disable"),
        ]);
        let t = Target::parse_with_env("postgresql://", &env).unwrap();
        assert_eq!(t.shown(), "reader@10.0.0.7:5439/warehouse");
        assert_eq!(t.config.get_password(), Some(&b"hunter2"[..]));
        assert_eq!(t.tls(), &Tls::Disable);
        // The URL wins over the environment; a host without a port takes PGPORT.
        let t = Target::parse_with_env("postgres://bob@db/sales", &env).unwrap();
        assert_eq!(t.shown(), "bob@db:5439/sales");
        let t = Target::parse_with_env("postgres://bob@db:5432/sales", &env).unwrap();
        assert_eq!(t.shown(), "bob@db:5432/sales");
    }

    #[test]
    fn defaults_are_libpq_s() {
        let t = Target::parse_with_env("postgresql:///x", &env_of(&[("USER", "me")])).unwrap();
        assert_eq!(t.shown(), "me@localhost:5432/x");
        assert!(matches!(
            t.tls(),
            Tls::Encrypt {
                required: false,
                ..
            }
        ));
    }

    #[test]
    fn invalid_urls_never_echo_the_password() {
        for url in [
            "postgresql://u:pa55word@h:notaport/db",
            "postgresql://u:pa55word@h/db?sslmode=sometimes",
            "postgresql://u:pa55word@h/db?nosuchoption=pa55word",
            "postgresql://u:pa55word@[::1/db",
        ] {
            let e = Target::parse_with_env(url, &env_of(&[])).unwrap_err();
            let text = e.to_string();
            assert!(text.contains("invalid PostgreSQL URL"), "{text}");
            assert!(!text.contains("pa55word"), "{url}: {text}");
        }
    }

    #[test]
    fn scrub_replaces_encoded_and_decoded_forms() {
        let secrets = vec!["a%2Fb".to_owned()];
        assert_eq!(scrub("x a/b y a%2Fb", &secrets), "x *** y ***");
    }

    fn numeric_bytes(weight: i16, sign: u16, scale: u16, digits: &[u16]) -> Vec<u8> {
        let mut v = Vec::new();
        v.extend((digits.len() as u16).to_be_bytes());
        v.extend(weight.to_be_bytes());
        v.extend(sign.to_be_bytes());
        v.extend(scale.to_be_bytes());
        for d in digits {
            v.extend(d.to_be_bytes());
        }
        v
    }

    #[test]
    fn numeric_reads_as_the_nearest_f64() {
        // 12345.678 = 1|2345|.6780
        let n = numeric(&numeric_bytes(1, 0, 3, &[1, 2345, 6780])).unwrap();
        assert_eq!(n, Cell::Number(12345.678));
        // -0.0001
        let n = numeric(&numeric_bytes(-1, 0x4000, 4, &[1])).unwrap();
        assert_eq!(n, Cell::Number(-0.0001));
        // 0.1 + scale noise: 0.10000000000000000000
        let n = numeric(&numeric_bytes(-1, 0, 20, &[1000])).unwrap();
        assert_eq!(n, Cell::Number(0.1));
        assert_eq!(
            numeric(&numeric_bytes(0, 0, 0, &[])).unwrap(),
            Cell::Number(0.0)
        );
        assert!(
            matches!(numeric(&numeric_bytes(0, 0xC000, 0, &[])).unwrap(), Cell::Number(n) if n.is_nan())
        );
        assert!(numeric(&[0, 1]).is_err());
    }

    #[test]
    fn dates_and_timestamps_read_as_duckdb_s() {
        let day = |d: i32| cell(&Type::DATE, &d.to_be_bytes()).unwrap();
        assert_eq!(day(0), Cell::Date(pg_epoch()));
        assert_eq!(
            day(9774),
            Cell::Date(NaiveDate::from_ymd_opt(2026, 10, 5).unwrap())
        );
        assert_eq!(day(i32::MAX), Cell::Text("infinity".to_owned()));
        let ts = |m: i64| cell(&Type::TIMESTAMP, &m.to_be_bytes()).unwrap();
        let midnight = 9774_i64 * 86_400_000_000;
        assert_eq!(
            ts(midnight),
            Cell::Date(NaiveDate::from_ymd_opt(2026, 10, 5).unwrap())
        );
        assert_eq!(
            ts(midnight + 3_600_000_000 + 500_000),
            Cell::Text("2026-10-05 01:00:00.500".to_owned())
        );
    }
}
