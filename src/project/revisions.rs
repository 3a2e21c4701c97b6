//! The two revisions of a diff, parsed and resolved together. No IO: the revisions are read by
//! [`super::git`] (or from the working tree) first.

use super::Workspace;
use crate::diagnostics::{Diagnostic, FileId, Files};
use crate::model::Project;

/// One revision of a diff: its model and the errors found reading it.
pub struct Resolved {
    pub project: Project,
    pub errors: Vec<Diagnostic>,
}

/// Parses and resolves both revisions' specs: the models a diff compares, without running the
/// lint rules (which a diff does not need). No IO.
///
/// The two sides share one table of files: a file with the same path and text at both revisions
/// is one file, parsed once, and its tree serves both models. In a pull request that is nearly
/// every file. Spans of either model point into the returned table.
pub fn resolve_both(base: &Workspace, head: &Workspace) -> (Files, Resolved, Resolved) {
    use rayon::prelude::*;
    use std::collections::HashMap;

    let mut files = Files::new();
    let mut unique: Vec<(FileId, crate::syntax::Syntax)> = Vec::new();
    let mut seen: HashMap<(&str, &str), usize> = HashMap::new();
    let mut idx: [Vec<usize>; 2] = [Vec::new(), Vec::new()];
    for (ws, idx) in [base, head].into_iter().zip(&mut idx) {
        for spec in &ws.specs {
            let f = ws.files.get(spec.id);
            let i = *seen
                .entry((f.path.as_str(), f.text.as_str()))
                .or_insert_with(|| {
                    let id = files.add(f.path.clone(), f.text.clone());
                    unique.push((id, spec.syntax));
                    unique.len() - 1
                });
            idx.push(i);
        }
    }
    let [base_idx, head_idx] = idx;
    let parsed: Vec<_> = unique
        .par_iter()
        .map(|&(id, syntax)| crate::syntax::parse(id, syntax, &files.get(id).text))
        .collect();
    let resolve = |idx: &[usize]| {
        let trees: Vec<&crate::syntax::ast::File> =
            idx.iter().filter_map(|&i| parsed[i].0.as_ref()).collect();
        let (project, found) = crate::model::resolve(&trees);
        let mut errors: Vec<_> = idx.iter().flat_map(|&i| parsed[i].1.clone()).collect();
        errors.extend(found);
        errors.retain(Diagnostic::is_error);
        Resolved { project, errors }
    };
    let (b, h) = rayon::join(|| resolve(&base_idx), || resolve(&head_idx));
    (files, b, h)
}
