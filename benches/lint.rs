//! In-process lint benchmark and its baseline: a bare YAML parse of the same bytes.
//!
//! `cargo bench --no-default-features --bench lint -- DIR` where DIR is a project made by
//! `bench/gen_project.py` (`bench/lint.sh` does both). Prints the best and median of 7 runs.

mod timing;
use std::path::PathBuf;
use timing::{stats, time};

fn main() {
    let Some(dir) = std::env::args()
        .skip(1)
        .map(PathBuf::from)
        .find(|a| a.is_dir())
    else {
        eprintln!("usage: cargo bench --bench lint -- PROJECT_DIR (see bench/lint.sh)");
        return;
    };
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 22).expect("date");

    // The whole pipeline: read files, parse, resolve, lint.
    let (runs, (files, metrics, findings)) = time(7, || {
        let ws = lodestar::project::load(std::slice::from_ref(&dir)).expect("project loads");
        let analysis = lodestar::project::analyze(&ws, today);
        let metrics: usize = analysis
            .project
            .products
            .iter()
            .map(|p| p.metrics.len())
            .sum();
        (ws.specs.len(), metrics, analysis.diagnostics.len())
    });
    println!("lint (load + parse + resolve + lint): {files} files, {metrics} metrics, {findings} findings");
    println!("  {}", stats(runs));

    // Parse + resolve + lint of the YAML files alone, from memory, against a bare YAML parse.
    let ws = lodestar::project::load(std::slice::from_ref(&dir)).expect("project loads");
    let yaml: Vec<(String, String)> = ws
        .specs
        .iter()
        .filter(|s| s.syntax == lodestar::syntax::Syntax::Yaml)
        .map(|s| {
            let f = ws.files.get(s.id);
            (f.path.clone(), f.text.clone())
        })
        .collect();
    let bytes: usize = yaml.iter().map(|(_, t)| t.len()).sum();
    let refs: Vec<(&str, &str)> = yaml.iter().map(|(p, t)| (p.as_str(), t.as_str())).collect();
    let (ours, _) = time(7, || {
        let ws = lodestar::project::in_memory(&refs);
        lodestar::project::analyze(&ws, today).diagnostics.len()
    });
    let (bare, _) = time(7, || {
        yaml.iter()
            .map(|(_, t)| {
                serde_saphyr::from_str::<serde_json::Value>(t)
                    .map(|_| 1)
                    .unwrap_or(0)
            })
            .sum::<usize>()
    });
    let ratio = ours.iter().min().expect("runs").as_secs_f64()
        / bare.iter().min().expect("runs").as_secs_f64();
    println!(
        "YAML half ({} files, {:.1} MB):",
        yaml.len(),
        bytes as f64 / 1e6
    );
    println!("  lodestar parse + resolve + lint: {}", stats(ours));
    println!("  bare serde-saphyr parse:         {}", stats(bare));
    println!("  ratio lodestar / bare parse:     {ratio:.2}x");
}
