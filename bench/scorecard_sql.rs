//! The benchmark's SQL runner (bench/scorecard.sh), built on the same engine and DuckDB as
//! `lodestar run`:
//!
//!     scorecard_sql DB --write FILE.sql    executes FILE.sql on DB (creating it)
//!     scorecard_sql DB FILE.sql            runs the SELECT in FILE.sql on DB, read-only; CSV out

use std::process::ExitCode;

use lodestar::engine::{Cell, Engine};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.as_slice() {
        [db, flag, file] if flag == "--write" => write(db, file),
        [db, file] => query(db, file),
        _ => Err("usage: scorecard_sql DB [--write] FILE.sql".to_owned()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}

fn write(db: &str, file: &str) -> Result<(), String> {
    let sql = std::fs::read_to_string(file).map_err(|e| format!("{file}: {e}"))?;
    let conn = duckdb::Connection::open(db).map_err(|e| e.to_string())?;
    conn.execute_batch(&sql).map_err(|e| e.to_string())
}

fn query(db: &str, file: &str) -> Result<(), String> {
    let sql = std::fs::read_to_string(file).map_err(|e| format!("{file}: {e}"))?;
    let engine = Engine::open_read_only(db.as_ref()).map_err(|e| e.to_string())?;
    let t = engine.query(file, &sql).map_err(|e| e.to_string())?;
    let mut out = t.columns.join(",");
    out.push('\n');
    for row in &t.rows {
        let cells: Vec<String> = row
            .iter()
            .map(|c| match c {
                Cell::Null => String::new(),
                Cell::Date(d) => d.to_string(),
                Cell::Number(n) => n.to_string(),
                Cell::Text(s) => s.clone(),
            })
            .collect();
        out.push_str(&cells.join(","));
        out.push('\n');
    }
    print!("{out}");
    Ok(())
}
