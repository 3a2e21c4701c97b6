//! `lodestar fmt`: rewrite spec files in their canonical layout.

use std::path::PathBuf;

use clap::Args;

use super::common::{self, Exit, Failure};
use crate::diagnostics::render::{self, Format};
use crate::diagnostics::Diagnostic;
use crate::format;
use crate::project::{self, SpecFile, Workspace};
use crate::syntax;

#[derive(Debug, Args)]
#[command(after_help = "\
Each file keeps its syntax (YAML stays YAML, the DSL stays the DSL) and its meaning; only its
layout changes. Files are rewritten atomically (a temporary file in the same directory, then a
rename). A file with syntax errors is left alone and its errors are printed (exit 1).

Comments are kept: the header of a file (the comment lines at its top, such as a
yaml-language-server modeline) as it is, and every other comment with the key, list item or
statement it belongs to (the line above it, or the end of its line). --strip-comments drops every
comment below the header.

Exit codes: 0 every file is formatted; 1 with --check some file would change, or a file has
syntax errors; 2 a file could not be read or written.")]
pub struct FmtArgs {
    /// Spec files or project directories (default: the project of the current directory).
    pub paths: Vec<PathBuf>,
    /// Write nothing: list the files that would change, with a diff, and exit 1 if any would.
    #[arg(long)]
    pub check: bool,
    /// Drop every comment below the files' headers.
    #[arg(long)]
    pub strip_comments: bool,
}

pub fn run(args: &FmtArgs) -> Result<Exit, Failure> {
    let ws = project::load(&args.paths)?;
    let mut errors: Vec<Diagnostic> = Vec::new();
    let mut changed = false;
    for spec in files(&ws) {
        let source = ws.files.get(spec.id);
        let unreadable: Vec<Diagnostic> = ws
            .read_errors
            .iter()
            .filter(|d| d.primary_span().is_some_and(|s| s.file == spec.id))
            .cloned()
            .collect();
        if !unreadable.is_empty() {
            errors.extend(unreadable);
            continue;
        }
        let (tree, found) = syntax::parse(spec.id, spec.syntax, &source.text);
        let mut tree = match tree {
            Some(tree) if !found.iter().any(Diagnostic::is_error) => tree,
            _ => {
                errors.extend(found.into_iter().filter(Diagnostic::is_error));
                continue;
            }
        };
        if args.strip_comments {
            format::strip_comments(&mut tree);
        }
        let formatted = format::print_file(&tree, spec.syntax, &source.text);
        if formatted == source.text {
            continue;
        }
        changed = true;
        if args.check {
            let diff = similar::TextDiff::from_lines(&source.text, &formatted);
            let patch = diff
                .unified_diff()
                .context_radius(2)
                .header(&source.path, &format!("{} (formatted)", source.path))
                .to_string();
            common::print(&format!("would reformat {}\n{patch}", source.path));
        } else {
            let permissions = std::fs::metadata(&spec.path).map(|m| m.permissions());
            common::write_atomic(&spec.path, formatted.as_bytes())?;
            // The rename gave the file default permissions; keep the original's.
            if let Ok(p) = permissions {
                let _ = std::fs::set_permissions(&spec.path, p);
            }
            common::print(&format!("formatted {}\n", source.path));
        }
    }
    if !errors.is_empty() {
        crate::diagnostics::sort(&mut errors);
        common::eprint(&render::render(Format::Human, &ws.files, &errors));
    }
    Ok(if !errors.is_empty() || (args.check && changed) {
        Exit::Findings
    } else {
        Exit::Clean
    })
}

/// The spec files the paths name (a project directory names all of its files).
fn files(ws: &Workspace) -> impl Iterator<Item = &SpecFile> {
    ws.specs
        .iter()
        .filter(|s| ws.focus.as_ref().is_none_or(|f| f.contains(&s.id)))
}
