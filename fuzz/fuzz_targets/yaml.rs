//! The YAML front end on any UTF-8 text: parsing, and resolving what parses, must never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use lodestar::diagnostics::FileId;
use lodestar::syntax::{self, Syntax};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let (tree, diagnostics) = syntax::parse(FileId(0), Syntax::Yaml, text);
    for d in &diagnostics {
        if let Some(span) = d.primary_span() {
            assert!(
                span.start <= span.end && span.end as usize <= text.len(),
                "span out of range: {d:?}"
            );
        }
    }
    if let Some(tree) = tree {
        let _ = lodestar::model::resolve(&[tree]);
    }
});
