//! The command line: the only module that prints or exits. One file per subcommand, each with
//! its arguments and a `run` that returns the exit code.

mod analyze;
mod common;
mod compile;
mod convert;
mod diff;
mod docs;
mod explain;
mod export;
mod fmt;
mod import;
mod init;
mod lint;
mod run;
mod schema;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

pub use common::{Exit, Failure};

/// lodestar: North Star metric specs, checked and compiled to SQL.
#[derive(Debug, Parser)]
#[command(name = "lodestar", version, about, long_about = None, max_term_width = 100)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check specs against the rules of the North Star framework.
    Lint(lint::LintArgs),
    /// List every rule with its code, default severity and summary.
    Rules(explain::RulesArgs),
    /// Print the documentation of a rule.
    Explain(explain::ExplainArgs),
    /// Format spec files canonically.
    Fmt(fmt::FmtArgs),
    /// Convert a spec between YAML and the lodestar DSL.
    Convert(convert::ConvertArgs),
    /// Compile specs to SQL for a warehouse dialect.
    Compile(compile::CompileArgs),
    /// List the SQL dialects and what each does differently.
    Dialects,
    /// Run the metrics on local data in an embedded DuckDB and print the scorecard.
    Run(run::RunArgs),
    /// Evaluate guardrails and targets on local data; exit 1 on a breach.
    Guard(run::GuardArgs),
    /// Test the tree on the data: do the inputs lead the North Star, does it lead the outcomes,
    /// is it being gamed? Exit 1 on an alert at error level.
    Analyze(analyze::AnalyzeArgs),
    /// Semantic diff of the project between two git revisions.
    Diff(diff::DiffArgs),
    /// Write a static documentation site with a picture of each metric tree.
    Docs(docs::DocsArgs),
    /// Write the project as another tool's definitions (MetricFlow, OSI).
    Export(export::ExportArgs),
    /// Turn another tool's metric definitions into lodestar specs, with a report of what could
    /// not be carried over.
    Import(import::ImportArgs),
    /// Print the JSON Schema of the YAML syntax.
    Schema,
    /// Scaffold a new project.
    Init(init::InitArgs),
}

/// Parses the arguments, runs the command, and maps the outcome to an exit code:
/// 0 clean, 1 findings at error level (or a breached guardrail), 2 the tool could not do its job.
/// A panic (a bug in lodestar) is reported as an internal error with exit 2, never a backtrace.
pub fn main() -> ExitCode {
    std::panic::set_hook(Box::new(|info| {
        let what = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "a panic".to_owned());
        let place = info
            .location()
            .map(|l| format!(" at {}:{}", l.file(), l.line()))
            .unwrap_or_default();
        common::eprint(&format!(
            "error: internal error: {what}{place}\n  help: this is a bug in lodestar {}; please report it with the input that caused it\n",
            env!("CARGO_PKG_VERSION")
        ));
    }));
    match std::panic::catch_unwind(dispatch) {
        Ok(code) => code,
        Err(_) => Exit::Failure.into(),
    }
}

/// Runs the command line. `LODESTAR_DEBUG_PANIC` set makes it panic (to test the report of
/// internal errors end to end).
fn dispatch() -> ExitCode {
    if std::env::var_os("LODESTAR_DEBUG_PANIC").is_some() {
        panic!("LODESTAR_DEBUG_PANIC is set");
    }
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    let result = match cli.command {
        Command::Lint(args) => lint::run(&args),
        Command::Rules(args) => explain::rules(&args),
        Command::Explain(args) => explain::explain(&args),
        Command::Fmt(args) => fmt::run(&args),
        Command::Convert(args) => convert::run(&args),
        Command::Compile(args) => compile::run(&args),
        Command::Dialects => compile::dialects(),
        Command::Run(args) => run::run(&args),
        Command::Guard(args) => run::guard(&args),
        Command::Analyze(args) => analyze::run(&args),
        Command::Diff(args) => diff::run(&args),
        Command::Docs(args) => docs::run(&args),
        Command::Import(args) => import::run(&args),
        Command::Export(args) => export::run(&args),
        Command::Schema => schema::run(),
        Command::Init(args) => init::run(&args),
    };
    match result {
        Ok(exit) => exit.into(),
        Err(failure) => {
            common::print_failure(&failure);
            Exit::Failure.into()
        }
    }
}
