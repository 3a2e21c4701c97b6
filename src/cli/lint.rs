//! `lodestar lint`, and baselines: a file of today's findings that later runs leave out, so a
//! team can adopt a rule before every old finding is fixed.

use std::path::{Path, PathBuf};

use clap::Args;
use serde::{Deserialize, Serialize};

use super::common::{self, Exit, Failure};
use crate::diagnostics::render::{self, Format};
use crate::diagnostics::{Diagnostic, FileId, Files};
use crate::project::Workspace;

#[derive(Debug, Args)]
pub struct LintArgs {
    /// Spec files or project directories (default: the project of the current directory).
    pub paths: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value = "human")]
    pub format: Format,
    /// Report only findings that are not in this baseline file.
    #[arg(long, value_name = "FILE", conflicts_with = "write_baseline")]
    pub baseline: Option<PathBuf>,
    /// Write today's findings to this baseline file and exit 0.
    #[arg(long, value_name = "FILE")]
    pub write_baseline: Option<PathBuf>,
}

pub fn run(args: &LintArgs) -> Result<Exit, Failure> {
    let baseline = args.baseline.as_deref().map(Baseline::read).transpose()?;
    let (ws, analysis) = common::check(&args.paths)?;
    let mut diagnostics = analysis.diagnostics;
    let config_broken = !ws.config_errors.is_empty();

    if let Some(path) = &args.write_baseline {
        if config_broken {
            common::print(&render::render(args.format, &ws.files, &ws.config_errors));
            return Err(Failure::new(
                "lodestar.toml has errors; no baseline was written",
            ));
        }
        let baseline = Baseline::of(&ws, &diagnostics);
        common::write_atomic(path, baseline.to_json().as_bytes())?;
        common::eprint(&format!(
            "wrote {} finding{} to {}\n",
            baseline.findings.len(),
            if baseline.findings.len() == 1 {
                ""
            } else {
                "s"
            },
            path.display()
        ));
        return Ok(Exit::Clean);
    }

    if let (Some(baseline), Some(path)) = (&baseline, &args.baseline) {
        let before = diagnostics.len();
        diagnostics = baseline.new_findings(&ws, diagnostics);
        let known = before - diagnostics.len();
        if known > 0 {
            common::eprint(&format!(
                "note: {known} known finding{} in {} not reported\n",
                if known == 1 { "" } else { "s" },
                path.display()
            ));
        }
    }

    common::print(&render::render(args.format, &ws.files, &diagnostics));
    Ok(if config_broken {
        Exit::Failure
    } else if diagnostics.iter().any(Diagnostic::is_error) {
        Exit::Findings
    } else {
        Exit::Clean
    })
}

/// The findings a project had when the baseline was written.
#[derive(Debug, Serialize, Deserialize)]
struct Baseline {
    version: u32,
    findings: Vec<Known>,
}

/// One known finding. The fingerprint hashes the code, the file (relative to the project
/// root) and the text of the offending span, so it survives lines moving around it; `message`
/// is there for people reading the file.
#[derive(Debug, Serialize, Deserialize)]
struct Known {
    code: String,
    file: String,
    message: String,
    fingerprint: String,
}

const BASELINE_VERSION: u32 = 1;

impl Baseline {
    fn read(path: &Path) -> Result<Baseline, Failure> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| Failure::new(format!("cannot read baseline {}: {e}", path.display())))?;
        let baseline: Baseline = serde_json::from_str(&text).map_err(|e| {
            Failure::new(format!(
                "{} is not a lodestar baseline: {e}",
                path.display()
            ))
            .help("write one with `lodestar lint --write-baseline FILE`")
        })?;
        if baseline.version != BASELINE_VERSION {
            return Err(Failure::new(format!(
                "{} is a version {} baseline; this lodestar reads version {BASELINE_VERSION}",
                path.display(),
                baseline.version
            ))
            .help("write it again with `lodestar lint --write-baseline FILE`"));
        }
        Ok(baseline)
    }

    fn of(ws: &Workspace, diagnostics: &[Diagnostic]) -> Baseline {
        let mut findings: Vec<Known> = diagnostics
            .iter()
            .map(|d| {
                let (file, fingerprint) = fingerprint(ws, d);
                Known {
                    code: d.code.to_string(),
                    file,
                    message: d.message.clone(),
                    fingerprint,
                }
            })
            .collect();
        findings.sort_by(|a, b| {
            (&a.file, &a.code, &a.fingerprint).cmp(&(&b.file, &b.code, &b.fingerprint))
        });
        Baseline {
            version: BASELINE_VERSION,
            findings,
        }
    }

    fn to_json(&self) -> String {
        let mut out = serde_json::to_string_pretty(self).expect("a baseline serialises");
        out.push('\n');
        out
    }

    /// The findings not in the baseline. Each baseline entry absorbs one finding with its
    /// fingerprint, so a second copy of a known problem is still reported.
    fn new_findings(&self, ws: &Workspace, diagnostics: Vec<Diagnostic>) -> Vec<Diagnostic> {
        let mut known: Vec<&str> = self
            .findings
            .iter()
            .map(|k| k.fingerprint.as_str())
            .collect();
        known.sort_unstable();
        diagnostics
            .into_iter()
            .filter(|d| {
                let (_, print) = fingerprint(ws, d);
                match known.binary_search(&print.as_str()) {
                    Ok(i) => {
                        known.remove(i);
                        false
                    }
                    Err(_) => true,
                }
            })
            .collect()
    }
}

/// The path of a file relative to the project root (so a baseline works from any directory),
/// and the finding's fingerprint.
fn fingerprint(ws: &Workspace, d: &Diagnostic) -> (String, String) {
    let (file, text) = match d.primary_span() {
        Some(span) => (project_path(ws, span.file), ws.files.text(span)),
        None => (String::new(), ""),
    };
    let text: Vec<&str> = text.split_whitespace().collect();
    let key = format!("{}\0{}\0{}", d.code, file, text.join(" "));
    (file, format!("{:016x}", fnv1a(key.as_bytes())))
}

fn project_path(ws: &Workspace, id: FileId) -> String {
    let on_disk = ws.specs.iter().find(|s| s.id == id).map(|s| s.path.clone());
    let on_disk = on_disk.unwrap_or_else(|| shown_path(&ws.files, id));
    let path = std::path::absolute(&on_disk).unwrap_or(on_disk);
    let relative = path.strip_prefix(&ws.root).unwrap_or(&path);
    relative.to_string_lossy().replace('\\', "/")
}

fn shown_path(files: &Files, id: FileId) -> PathBuf {
    PathBuf::from(&files.get(id).path)
}

/// 64-bit FNV-1a: small, stable across platforms and Rust versions (unlike `DefaultHasher`).
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostics::Code;

    fn ws_with(text: &str) -> (Workspace, Vec<Diagnostic>) {
        let ws = crate::project::in_memory(&[("shop.yaml", text)]);
        let start = text.find("growht").unwrap();
        let span = crate::diagnostics::Span::new(ws.specs[0].id, start, start + 6);
        let d = Diagnostic::error(Code::OwnerDeclared, "unknown owner").label(span, "");
        (ws, vec![d.clone(), d])
    }

    #[test]
    fn fingerprints_survive_line_shifts() {
        let (ws, found) = ws_with("a: 1\nowner: growht\n");
        let baseline = Baseline::of(&ws, &found[..1]);
        let (moved, found_again) = ws_with("a: 1\n\n\n# comment\nowner:   growht\n");
        // The same finding, moved: known. Its second copy: new.
        assert_eq!(baseline.new_findings(&moved, found_again).len(), 1);
    }

    #[test]
    fn fingerprints_differ_by_code_and_text() {
        let (ws, found) = ws_with("owner: growht\n");
        let mut other = found[0].clone();
        other.code = Code::ReferencesResolve;
        assert_ne!(fingerprint(&ws, &found[0]).1, fingerprint(&ws, &other).1);
        assert_eq!(fnv1a(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a(b"a"), 0xaf63_dc4c_8601_ec8c);
    }
}
