//! The whole compile stage on any input: what lints clean must compile for all eight dialects,
//! without a panic, an error, or a statement that does not parse.
//!
//! The first byte chooses how the rest is read:
//! * even: spec text, YAML (bit 1 clear) or DSL (bit 1 set), one file; what lints without
//!   errors is compiled with no options and with the options bits 2..7 choose (`--by` a
//!   dimension the spec declares, `--from`/`--to`);
//! * odd: the next eight bytes seed the random valid projects of the property test
//!   (`tests/integration/property.rs`, the same generator), which is compiled and checked as
//!   there (lint clean, every dialect, every statement parses, size linear in the spec).
//!
//! `bash bench/fuzz_compile.sh [SECONDS]` seeds a corpus from the repository's specs and runs
//! it; see CONTRIBUTING.md.
#![no_main]

use chrono::NaiveDate;
use libfuzzer_sys::fuzz_target;
use lodestar::sql::{self, CompileError, Dialect, Options};

#[allow(dead_code, unexpected_cfgs)]
#[path = "../../tests/integration/property.rs"]
mod property;

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 1).expect("a date")
}

/// Options for a spec: a dimension it declares (when `by`), and a range.
fn options(project: &lodestar::model::Project, bits: u8) -> Options {
    let date = |y, m, d| NaiveDate::from_ymd_opt(y, m, d);
    let by = if bits & 0b100 != 0 {
        project
            .sources
            .iter()
            .flat_map(|s| &s.dimensions)
            .map(|d| d.name.value.clone())
            .take(1)
            .collect()
    } else {
        Vec::new()
    };
    Options {
        from: (bits & 0b1000 != 0).then(|| date(2024, 2, 29)).flatten(),
        to: (bits & 0b1_0000 != 0).then(|| date(2024, 12, 31)).flatten(),
        by,
    }
}

fn text_case(syntax_bits: u8, text: &str) {
    let path = if syntax_bits & 0b10 != 0 {
        "fuzz.lode"
    } else {
        "fuzz.yaml"
    };
    let ws = lodestar::project::in_memory(&[(path, text)]);
    let analysis = lodestar::project::analyze(&ws, today());
    if analysis.has_errors() {
        return;
    }
    let project = &analysis.project;
    for opts in [Options::default(), options(project, syntax_bits)] {
        for &d in Dialect::ALL {
            match sql::compile(project, d, &opts) {
                Ok(_) => {}
                // A `--by` the project cannot honour is the options' fault, not the spec's.
                Err(CompileError::Invalid(m)) if !opts.by.is_empty() && (m.contains("break") || m.contains("broken")) => {}
                Err(e) => panic!(
                    "a lint-clean spec does not compile for {} with {opts:?}: {e}",
                    d.name()
                ),
            }
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&first, rest)) = data.split_first() else {
        return;
    };
    if first & 1 == 0 {
        if let Ok(text) = std::str::from_utf8(rest) {
            text_case(first, text);
        }
        return;
    }
    let mut seed = [0u8; 8];
    for (i, b) in rest.iter().take(8).enumerate() {
        seed[i] = *b;
    }
    let seed = u64::from_le_bytes(seed);
    let case = property::generate(seed);
    let mut stats = property::Stats::default();
    if let Err(e) = property::compile_case(&case, &mut stats) {
        panic!("seed {seed:#x}: {e}");
    }
});
