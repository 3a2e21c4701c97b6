//! `lodestar convert`: one spec file from YAML to the DSL or back.

use std::path::PathBuf;

use clap::{Args, ValueEnum};

use super::common::{self, Exit, Failure};
use crate::diagnostics::render::{self, Format};
use crate::diagnostics::{Diagnostic, Files};
use crate::format;
use crate::project;
use crate::syntax::{self, Syntax};

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Target {
    /// YAML (`*.yaml`).
    Yaml,
    /// The lodestar DSL (`*.lode`).
    Lode,
}

#[derive(Debug, Args)]
#[command(after_help = "\
The conversion is lossless: the converted file means exactly what the original means, and
converting it back gives the original in its canonical layout. Comments are carried over: the
header as it is, and every other comment with the element it belongs to (a comment on a part of
a line that the other syntax writes as one statement, such as a measure's filter, goes above
that statement).

A file with errors is refused (exit 1, with the errors), as is a YAML value that the DSL cannot
hold (a name with a space, a multi-line aggregated expression).")]
pub struct ConvertArgs {
    /// The spec file to convert.
    pub file: PathBuf,
    /// The syntax to convert to.
    #[arg(long, value_enum)]
    pub to: Target,
    /// Write the result to this file (atomically) instead of printing it.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
}

pub fn run(args: &ConvertArgs) -> Result<Exit, Failure> {
    if args.file.is_dir() {
        return Err(
            Failure::new(format!("{} is a directory", args.file.display()))
                .help("convert one spec file at a time"),
        );
    }
    let ws = project::load(std::slice::from_ref(&args.file))?;
    let wanted = std::path::absolute(&args.file).unwrap_or_else(|_| args.file.clone());
    let spec = ws
        .specs
        .iter()
        .find(|s| s.path == wanted)
        .cloned()
        .ok_or_else(|| Failure::new(format!("{} was not read", args.file.display())))?;
    let source = ws.files.get(spec.id);
    let mut errors: Vec<Diagnostic> = ws
        .read_errors
        .iter()
        .filter(|d| d.primary_span().is_some_and(|s| s.file == spec.id))
        .cloned()
        .collect();
    let (tree, found) = syntax::parse(spec.id, spec.syntax, &source.text);
    errors.extend(found.into_iter().filter(Diagnostic::is_error));
    if let (Some(tree), true) = (&tree, errors.is_empty()) {
        let (_, resolved) = crate::model::resolve(std::slice::from_ref(tree));
        errors.extend(resolved.into_iter().filter(Diagnostic::is_error));
    }
    let to = match args.to {
        Target::Yaml => Syntax::Yaml,
        Target::Lode => Syntax::Lode,
    };
    let tree = match tree {
        Some(tree) if errors.is_empty() => tree,
        _ => {
            return Ok(refuse(
                &ws.files,
                errors,
                "the file has errors; fix them, then convert",
            ))
        }
    };
    if to == Syntax::Lode {
        let unsupported = format::lode_unsupported(&tree);
        if !unsupported.is_empty() {
            return Ok(refuse(&ws.files, unsupported, "nothing was converted"));
        }
    }
    let text = format::print_file(&tree, to, &source.text);
    match &args.out {
        None => common::print(&text),
        Some(out) => {
            if let Some(dir) = out.parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir)
                    .map_err(|e| Failure::new(format!("cannot create {}: {e}", dir.display())))?;
            }
            common::write_atomic(out, text.as_bytes())?;
        }
    }
    Ok(Exit::Clean)
}

fn refuse(files: &Files, mut errors: Vec<Diagnostic>, why: &str) -> Exit {
    crate::diagnostics::sort(&mut errors);
    common::eprint(&render::render(Format::Human, files, &errors));
    common::eprint(&format!("error: {why}\n"));
    Exit::Findings
}
