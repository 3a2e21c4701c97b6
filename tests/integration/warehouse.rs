//! `--warehouse URL`: `run`, `guard` and `analyze` on a live PostgreSQL server give the numbers
//! DuckDB gives on the same data; credentials never show; a wrong password, a down server or a
//! missing permission exit 2 with a clear message; `duckdb:///FILE` is `--duckdb FILE`.
//!
//! The server: the one in PGHOST/PGPORT/PGUSER when set (a superuser, as under
//! `scripts/postgres.sh run`), else a throwaway one started with `scripts/postgres.sh start`
//! and stopped at the end. The test makes a role with a password (and a `pg_hba.conf` line
//! that makes the server check it: the script's server trusts everyone), a database holding
//! examples/data/lodging, and a role without grants. Without PostgreSQL the test is skipped
//! loudly; with `CI=true` that is a failure.

#![cfg(feature = "postgres")]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use super::common::*;

const ROLE: &str = "lodestar_wh_reader";
const PASSWORD: &str = "Wh-s3cret_pw";
const NO_GRANTS: &str = "lodestar_wh_nogrant";
/// A role the server lets in over TLS only (`hostssl`), to prove `sslmode=require` encrypts.
const TLS_ONLY: &str = "lodestar_wh_tls";
const DATABASE: &str = "lodestar_wh";
/// The spec (its product reads lodging.bookings, lodging.listings and lodging.searches).
const SPEC: &str = "specs/marketplace.yaml";
/// Monday 2026-11-23: the data's last week has just ended (as in cli_run.rs).
const ON: &str = "2026-11-23";

fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true" || v == "1")
}

fn skip(msg: &str) {
    assert!(!in_ci(), "CI=true and {msg}");
    eprintln!(
        "\n{}\nSKIPPED warehouse tests: {msg}\n{}\n",
        "!".repeat(72),
        "!".repeat(72)
    );
}

/// A PostgreSQL server to test on; stops the one it started when dropped.
struct Server {
    host: String,
    port: u16,
    superuser: String,
    started: Option<String>,
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(dir) = &self.started {
            let _ = Command::new("bash")
                .args(["scripts/postgres.sh", "stop", dir])
                .current_dir(root())
                .output();
        }
    }
}

impl Server {
    fn find() -> Option<Server> {
        if let (Ok(host), Ok(port)) = (std::env::var("PGHOST"), std::env::var("PGPORT")) {
            return Some(Server {
                host,
                port: port.parse().expect("PGPORT is a port"),
                superuser: std::env::var("PGUSER").unwrap_or_else(|_| "postgres".to_owned()),
                started: None,
            });
        }
        let out = Command::new("bash")
            .args(["scripts/postgres.sh", "start"])
            .current_dir(root())
            .output()
            .ok()?;
        if !out.status.success() {
            eprintln!("{}", String::from_utf8_lossy(&out.stderr));
            return None;
        }
        let line = String::from_utf8_lossy(&out.stdout).into_owned();
        let var = |name: &str| {
            line.split_whitespace()
                .find_map(|kv| kv.strip_prefix(&format!("{name}=")))
                .map(str::to_owned)
        };
        Some(Server {
            host: var("PGHOST")?,
            port: var("PGPORT")?.parse().ok()?,
            superuser: var("PGUSER")?,
            started: var("LODESTAR_PG_DIR"),
        })
    }

    fn admin(&self, database: &str) -> postgres::Client {
        postgres::Config::new()
            .host(&self.host)
            .port(self.port)
            .user(&self.superuser)
            .dbname(database)
            .connect_timeout(Duration::from_secs(10))
            .connect(postgres::NoTls)
            .unwrap_or_else(|e| panic!("cannot connect as {} to {database}: {e}", self.superuser))
    }

    fn url(&self, user: &str, password: &str) -> String {
        format!(
            "postgresql://{user}:{password}@{}:{}/{DATABASE}",
            self.host, self.port
        )
    }
}

/// A CSV column's PostgreSQL type, from its values: integers, decimals (as `numeric`, to read
/// that type back), timestamps, dates, else text.
fn column_type(values: &[&str]) -> &'static str {
    let all = |f: &dyn Fn(&str) -> bool| values.iter().filter(|v| !v.is_empty()).all(|v| f(v));
    if all(&|v| v.parse::<i64>().is_ok()) {
        "BIGINT"
    } else if all(&|v| v.parse::<f64>().is_ok()) {
        "NUMERIC"
    } else if all(&|v| chrono::NaiveDateTime::parse_from_str(v, "%Y-%m-%d %H:%M:%S").is_ok()) {
        "TIMESTAMP"
    } else if all(&|v| chrono::NaiveDate::parse_from_str(v, "%Y-%m-%d").is_ok()) {
        "DATE"
    } else {
        "TEXT"
    }
}

/// Splits one CSV line (quotes as in the example data: `"..."` with `""` inside).
fn csv_fields(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            ('"', _) => quoted = !quoted,
            (',', false) => out.push(std::mem::take(&mut field)),
            _ => field.push(c),
        }
    }
    out.push(field);
    out
}

/// Loads `examples/data/<schema>/*.csv` into `schema` of the client's database.
fn load(client: &mut postgres::Client, schema: &str) {
    client
        .batch_execute(&format!("CREATE SCHEMA \"{schema}\""))
        .unwrap();
    let dir = root().join("examples/data").join(schema);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "csv"))
        .collect();
    files.sort();
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        let mut lines = text.lines();
        let header = csv_fields(lines.next().unwrap());
        let rows: Vec<Vec<String>> = lines.map(csv_fields).collect();
        let columns: Vec<String> = header
            .iter()
            .enumerate()
            .map(|(i, name)| {
                let values: Vec<&str> = rows.iter().map(|r| r[i].as_str()).collect();
                format!("\"{name}\" {}", column_type(&values))
            })
            .collect();
        let table = format!(
            "\"{schema}\".\"{}\"",
            file.file_stem().unwrap().to_string_lossy()
        );
        client
            .batch_execute(&format!("CREATE TABLE {table} ({})", columns.join(", ")))
            .unwrap();
        let mut writer = client
            .copy_in(&format!(
                "COPY {table} FROM STDIN (FORMAT csv, HEADER true)"
            ))
            .unwrap();
        std::io::Write::write_all(&mut writer, text.as_bytes()).unwrap();
        writer.finish().unwrap();
    }
}

/// The roles, the database, its data, and a `pg_hba.conf` that checks the roles' passwords.
fn set_up(server: &Server) {
    let mut admin = server.admin("postgres");
    // One statement at a time: DROP and CREATE DATABASE refuse a transaction block.
    for statement in [
        format!("DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)"),
        format!("DROP ROLE IF EXISTS {ROLE}"),
        format!("DROP ROLE IF EXISTS {NO_GRANTS}"),
        format!("DROP ROLE IF EXISTS {TLS_ONLY}"),
        format!("CREATE ROLE {ROLE} LOGIN PASSWORD '{PASSWORD}'"),
        format!("CREATE ROLE {TLS_ONLY} LOGIN PASSWORD '{PASSWORD}'"),
        format!("CREATE ROLE {NO_GRANTS} LOGIN PASSWORD '{PASSWORD}'"),
        format!("CREATE DATABASE {DATABASE}"),
    ] {
        admin.batch_execute(&statement).unwrap();
    }
    // The script's server trusts every connection: put our roles under scram-sha-256 first.
    let hba: String = admin
        .query_one("SELECT current_setting('hba_file')", &[])
        .unwrap()
        .get(0);
    let text: String = admin
        .query_one("SELECT pg_read_file($1)", &[&hba])
        .unwrap()
        .get(0);
    let ours = format!(
        "hostnossl all {TLS_ONLY} all reject\nhostssl all {TLS_ONLY} all scram-sha-256\n\
         host all {ROLE},{NO_GRANTS} all scram-sha-256\nlocal all {ROLE},{NO_GRANTS} scram-sha-256"
    );
    if !text.contains(&ours) {
        let lines: Vec<String> = format!("{ours}\n{text}")
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(str::to_owned)
            .collect();
        // One line a row; CSV with a delimiter and quote no line holds, so nothing is escaped.
        // (COPY takes no parameters: the lines are literals.)
        let literals: Vec<String> = lines
            .iter()
            .map(|l| format!("'{}'", l.replace('\'', "''")))
            .collect();
        admin
            .batch_execute(&format!(
                "COPY (SELECT unnest(ARRAY[{}]::text[])) TO '{}' WITH (FORMAT csv, DELIMITER E'\\x01', QUOTE E'\\x02')",
                literals.join(", "),
                hba.replace('\'', "''")
            ))
            .unwrap();
        admin.batch_execute("SELECT pg_reload_conf()").unwrap();
    }
    let mut db = server.admin(DATABASE);
    load(&mut db, "lodging");
    db.batch_execute(&format!(
        "GRANT USAGE ON SCHEMA lodging TO {ROLE}, {TLS_ONLY};
         GRANT SELECT ON ALL TABLES IN SCHEMA lodging TO {ROLE}, {TLS_ONLY};"
    ))
    .unwrap();
    // The reload is asynchronous: wait until a wrong password is refused.
    let start = Instant::now();
    loop {
        let refused =
            postgres::Client::connect(&server.url(ROLE, "not-it"), postgres::NoTls).is_err();
        if refused {
            break;
        }
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "the server still accepts a wrong password after pg_hba.conf was reloaded"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn lodestar(args: &[&str], env: &[(&str, &str)]) -> Run {
    let mut c = bin();
    c.args(args).current_dir(root()).env("LODESTAR_TODAY", ON);
    // Only what the test gives: never the environment of the server the test found.
    for var in ["PGHOST", "PGPORT", "PGUSER", "PGPASSWORD", "PGDATABASE"] {
        c.env_remove(var);
    }
    for (k, v) in env {
        c.env(k, v);
    }
    let out = c.output().expect("the binary runs");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Whether two JSON documents are equal, numbers within a relative 1e-9 (PostgreSQL sums
/// `numeric` exactly where DuckDB sums doubles).
fn same(a: &serde_json::Value, b: &serde_json::Value, at: &str, diffs: &mut Vec<String>) {
    use serde_json::Value as V;
    match (a, b) {
        (V::Number(x), V::Number(y)) => {
            let (x, y) = (x.as_f64().unwrap(), y.as_f64().unwrap());
            if (x - y).abs() > 1e-9 * x.abs().max(y.abs()).max(1.0) {
                diffs.push(format!("{at}: {x} vs {y}"));
            }
        }
        (V::Array(x), V::Array(y)) if x.len() == y.len() => {
            for (i, (x, y)) in x.iter().zip(y).enumerate() {
                same(x, y, &format!("{at}[{i}]"), diffs);
            }
        }
        (V::Object(x), V::Object(y)) if x.len() == y.len() => {
            for (k, xv) in x {
                match y.get(k) {
                    Some(yv) => same(xv, yv, &format!("{at}.{k}"), diffs),
                    None => diffs.push(format!("{at}.{k}: missing on one side")),
                }
            }
        }
        _ if a == b => {}
        _ => diffs.push(format!("{at}: {a} vs {b}")),
    }
}

fn assert_same_json(what: &str, warehouse: &Run, duckdb: &Run) {
    assert_eq!(
        warehouse.code, duckdb.code,
        "{what}: exit codes differ\nwarehouse: {}\nduckdb: {}",
        warehouse.stderr, duckdb.stderr
    );
    let parse = |r: &Run| -> serde_json::Value {
        serde_json::from_str(&r.stdout)
            .unwrap_or_else(|e| panic!("{what}: not JSON ({e}):\n{}\n{}", r.stdout, r.stderr))
    };
    let mut diffs = Vec::new();
    same(&parse(warehouse), &parse(duckdb), what, &mut diffs);
    assert!(
        diffs.is_empty(),
        "{what}: PostgreSQL and DuckDB differ:\n{}",
        diffs.join("\n")
    );
}

/// The password must not appear anywhere in what lodestar printed.
fn assert_no_password(run: &Run, password: &str) {
    assert!(
        !run.stdout.contains(password) && !run.stderr.contains(password),
        "the password was printed:\n{}\n{}",
        run.stdout,
        run.stderr
    );
}

#[test]
fn runs_on_postgres_with_duckdb_s_numbers_and_never_shows_the_password() {
    let Some(server) = Server::find() else {
        skip("no PostgreSQL server (PGHOST/PGPORT unset and scripts/postgres.sh start failed; install it with: bash scripts/install-engines.sh)");
        return;
    };
    set_up(&server);
    let url = server.url(ROLE, PASSWORD);
    let data = ["--data", "examples/data"];

    // run, guard and analyze: the same JSON, within rounding, and the same exit codes.
    for command in ["run", "guard", "analyze"] {
        let on_pg = lodestar(
            &[command, SPEC, "--warehouse", &url, "--format", "json"],
            &[],
        );
        let on_duck = lodestar(&[command, SPEC, data[0], data[1], "--format", "json"], &[]);
        assert!(on_pg.code != 2, "{command}: {}", on_pg.stderr);
        assert_no_password(&on_pg, PASSWORD);
        assert_same_json(command, &on_pg, &on_duck);
    }
    // Credentials from the environment: a URL without a password, or none at all.
    let no_password = format!(
        "postgresql://{ROLE}@{}:{}/{DATABASE}",
        server.host, server.port
    );
    let r = lodestar(
        &["run", SPEC, "--warehouse", &no_password, "--format", "json"],
        &[("PGPASSWORD", PASSWORD)],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let port = server.port.to_string();
    let r = lodestar(
        &[
            "run",
            SPEC,
            "--warehouse",
            "postgresql://",
            "--format",
            "json",
        ],
        &[
            ("PGHOST", server.host.as_str()),
            ("PGPORT", port.as_str()),
            ("PGUSER", ROLE),
            ("PGPASSWORD", PASSWORD),
            ("PGDATABASE", DATABASE),
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);

    // TLS: the server (scripts/postgres.sh makes it a self-signed certificate) lets TLS_ONLY in
    // over TLS only, so `sslmode=require` giving the numbers proves the connection encrypted;
    // `disable` is refused by the server, `verify-full` by lodestar (the certificate is signed
    // by nobody it trusts); neither shows the password.
    let ssl: String = server
        .admin("postgres")
        .query_one("SHOW ssl", &[])
        .unwrap()
        .get(0);
    if ssl == "on" {
        let tls = |mode: &str| format!("{}?sslmode={mode}", server.url(TLS_ONLY, PASSWORD));
        let r = lodestar(
            &[
                "run",
                SPEC,
                "--warehouse",
                &tls("require"),
                "--format",
                "json",
            ],
            &[],
        );
        assert_eq!(r.code, 0, "{}", r.stderr);
        let plain = lodestar(&["run", SPEC, "--warehouse", &url, "--format", "json"], &[]);
        assert_eq!(r.stdout, plain.stdout);
        for mode in ["disable", "verify-full"] {
            let r = lodestar(&["run", SPEC, "--warehouse", &tls(mode)], &[]);
            assert_eq!(r.code, 2, "sslmode={mode}: {}{}", r.stdout, r.stderr);
            assert_no_password(&r, PASSWORD);
            assert!(
                r.stderr.contains(&format!(
                    "{TLS_ONLY}@{}:{}/{DATABASE}",
                    server.host, server.port
                )),
                "sslmode={mode}: {}",
                r.stderr
            );
        }
    } else {
        skip("the PostgreSQL server has no TLS (ssl = off): sslmode is untested");
    }

    // A wrong password: exit 2, the warehouse named without any password.
    for command in ["run", "guard", "analyze"] {
        let wrong = "Wrong-pw_4321";
        let r = lodestar(
            &[command, SPEC, "--warehouse", &server.url(ROLE, wrong)],
            &[],
        );
        assert_eq!(r.code, 2, "{command}: {}{}", r.stdout, r.stderr);
        assert_no_password(&r, wrong);
        assert!(
            r.stderr.contains(&format!(
                "{ROLE}@{}:{}/{DATABASE}",
                server.host, server.port
            )) && r.stderr.contains("password authentication failed"),
            "{}",
            r.stderr
        );
        let r = lodestar(
            &[command, SPEC, "--warehouse", &no_password],
            &[("PGPASSWORD", wrong)],
        );
        assert_eq!(r.code, 2, "{}", r.stderr);
        assert_no_password(&r, wrong);
    }

    // A database that does not exist, and a role that may not read the tables.
    let r = lodestar(
        &[
            "run",
            SPEC,
            "--warehouse",
            &url.replace(DATABASE, "no_such_db"),
        ],
        &[],
    );
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("no_such_db"), "{}", r.stderr);
    assert_no_password(&r, PASSWORD);
    let r = lodestar(
        &["run", SPEC, "--warehouse", &server.url(NO_GRANTS, PASSWORD)],
        &[],
    );
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("lodging."), "{}", r.stderr);
    assert_no_password(&r, PASSWORD);

    interrupt_cancels_the_query(&server, &url);
}

/// Ctrl-C (SIGINT) while a query runs cancels it on the server: lodestar stops at once (exit
/// 2, "interrupted") and leaves no query running. The query is made slow by a view that sleeps.
fn interrupt_cancels_the_query(server: &Server, url: &str) {
    let mut db = server.admin(DATABASE);
    db.batch_execute(&format!(
        "ALTER TABLE lodging.bookings RENAME TO bookings_table;
         CREATE VIEW lodging.bookings AS SELECT b.* FROM lodging.bookings_table b, pg_sleep(60) s;
         GRANT SELECT ON lodging.bookings TO {ROLE};"
    ))
    .unwrap();
    let active = |db: &mut postgres::Client| -> i64 {
        db.query_one(
            "SELECT count(*) FROM pg_stat_activity
             WHERE usename = $1 AND state = 'active' AND wait_event = 'PgSleep'",
            &[&ROLE],
        )
        .unwrap()
        .get(0)
    };
    let child = bin()
        .args(["run", SPEC, "--warehouse", url])
        .current_dir(root())
        .env("LODESTAR_TODAY", ON)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let start = Instant::now();
    while active(&mut db) == 0 {
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "the query never started"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    let sent = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(sent.success());
    let interrupted = Instant::now();
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        interrupted.elapsed() < Duration::from_secs(10),
        "lodestar took {:?} to stop",
        interrupted.elapsed()
    );
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("interrupted"), "{stderr}");
    let start = Instant::now();
    while active(&mut db) > 0 {
        assert!(
            start.elapsed() < Duration::from_secs(5),
            "the query still runs on the server"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    db.batch_execute(
        "DROP VIEW lodging.bookings; ALTER TABLE lodging.bookings_table RENAME TO bookings;",
    )
    .unwrap();
}

#[test]
fn a_server_that_is_down_exits_2_without_the_password() {
    // A port nothing listens on: bound, then freed.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let r = lodestar(
        &[
            "run",
            SPEC,
            "--warehouse",
            &format!("postgresql://someone:Pa55-down@127.0.0.1:{port}/db"),
        ],
        &[],
    );
    assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
    assert_no_password(&r, "Pa55-down");
    assert!(
        r.stderr
            .contains(&format!("someone@127.0.0.1:{port}/db: cannot connect")),
        "{}",
        r.stderr
    );
}

#[test]
fn bad_warehouse_urls_exit_2() {
    for (url, says) in [
        ("mysql://u:Pa55-bad@h/db", "is not a warehouse"),
        (
            "postgresql://u:Pa55-bad@h:port/db",
            "invalid PostgreSQL URL",
        ),
        ("postgresql://u:Pa55-bad@h/db?sslmode=maybe", "sslmode"),
        ("duckdb://", "names no file"),
    ] {
        let r = lodestar(&["run", SPEC, "--warehouse", url], &[]);
        assert_eq!(r.code, 2, "{url}: {}", r.stderr);
        assert!(r.stderr.contains(says), "{url}: {}", r.stderr);
        assert_no_password(&r, "Pa55-bad");
    }
    // --warehouse and --data together are refused by the argument parser.
    let r = lodestar(
        &[
            "run",
            SPEC,
            "--data",
            "examples/data",
            "--warehouse",
            "duckdb:///x",
        ],
        &[],
    );
    assert_eq!(r.code, 2, "{}", r.stderr);
}

#[test]
fn duckdb_urls_are_the_duckdb_flag() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("warehouse.duckdb");
    {
        let conn = duckdb::Connection::open(&file).unwrap();
        let dir = root().join("examples/data/lodging");
        let mut sql = String::from("CREATE SCHEMA lodging;\n");
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "csv") {
                sql.push_str(&format!(
                    "CREATE TABLE lodging.{} AS SELECT * FROM read_csv_auto('{}');\n",
                    path.file_stem().unwrap().to_string_lossy(),
                    path.display()
                ));
            }
        }
        conn.execute_batch(&sql).unwrap();
    }
    let path = file.to_str().unwrap();
    let by_flag = lodestar(&["run", SPEC, "--duckdb", path, "--format", "json"], &[]);
    let by_url = lodestar(
        &[
            "run",
            SPEC,
            "--warehouse",
            &format!("duckdb://{path}"),
            "--format",
            "json",
        ],
        &[],
    );
    assert_eq!(by_flag.code, 0, "{}", by_flag.stderr);
    assert_eq!(by_url.code, 0, "{}", by_url.stderr);
    assert_eq!(by_flag.stdout, by_url.stdout);
    assert!(Path::new(path).is_absolute());
}
