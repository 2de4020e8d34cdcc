//! `rulec import`: saved cloud answers → a validated v1 snapshot, with a report of everything
//! that could not be used. The normalizing is rulec-collect's; this module parses the command
//! line, validates the result against the compiled schema, writes it and summarizes.

use std::fmt::Write as _;
use std::path::PathBuf;

use clap::ValueEnum;
use rulec_collect::coverage::Status;
use rulec_collect::raw::Provider;
use rulec_collect::report::{ImportReport, IssueKind};
use rulec_collect::snapshot::Snapshot;
use rulec_collect::{Imported, Options};
use rulec_runtime::snapshot;

use super::{EXIT_BAD_INPUT, EXIT_OK, PackArgs, compile, fail, output};

#[derive(clap::Args, Debug)]
pub(crate) struct ImportArgs {
    /// Folders in the RAW layout, or answer files; `tencent DIR` / `alibaba DIR` reads DIR as
    /// that provider's folder
    #[arg(value_name = "RAW", required = true)]
    pub raw: Vec<String>,
    /// Write the snapshot to FILE (atomically) instead of standard output
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// The account of a `_` account folder or of files saved outside the layout
    #[arg(long, value_name = "ID")]
    pub account: Option<String>,
    /// The snapshot's `taken_at` (RFC 3339) [default: the newest modification time of the files]
    #[arg(long, value_name = "TIME")]
    pub taken_at: Option<String>,
    /// The provider of files saved outside the layout
    #[arg(long, value_enum)]
    pub provider: Option<ProviderArg>,
    /// The region of files saved outside the layout (`global` for account-wide calls)
    #[arg(long, value_name = "REGION")]
    pub region: Option<String>,
    /// Also write the import report (files used and skipped, error answers, records left out,
    /// masked values, unresolved references) as JSON to FILE
    #[arg(long, value_name = "FILE")]
    pub report: Option<PathBuf>,
    #[command(flatten)]
    pub packs: PackArgs,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub(crate) enum ProviderArg {
    Tencent,
    Alibaba,
}

impl From<ProviderArg> for Provider {
    fn from(provider: ProviderArg) -> Provider {
        match provider {
            ProviderArg::Tencent => Provider::Tencent,
            ProviderArg::Alibaba => Provider::Alibaba,
        }
    }
}

/// How many lines of each list the summary shows before pointing at `--report`.
const SHOWN: usize = 10;

pub(crate) fn run(args: &ImportArgs) -> u8 {
    let (inputs, provider) = match inputs(args) {
        Ok(inputs) => inputs,
        Err(message) => {
            return fail(&message, Some("usage: rulec import RAW... -o snapshot.json (see `rulec import --help`)"));
        }
    };
    if let Some(taken_at) = &args.taken_at
        && rulec_collect::time::rfc3339(taken_at).is_none()
    {
        return fail(
            &format!("--taken-at `{taken_at}` is not an RFC 3339 time"),
            Some("for example --taken-at 2026-11-20T08:00:00Z"),
        );
    }
    let options = Options {
        account: args.account.clone(),
        provider,
        region: args.region.clone(),
        taken_at: args.taken_at.as_deref().and_then(rulec_collect::time::rfc3339).map(rulec_collect::time::format),
    };
    let Imported { snapshot, report } = match rulec_collect::import(&inputs, &options) {
        Ok(imported) => imported,
        Err(err) => return fail(&err.to_string(), None),
    };
    let text = render(&snapshot);
    let summary = summary(&snapshot, &report);
    // The records live on as text: free them before validation loads that text again.
    drop(snapshot);
    if let Err(code) = validate(args, &text) {
        return code;
    }
    eprint!("{summary}");
    if let Some(path) = &args.report {
        let mut json = serde_json::to_string_pretty(&report).unwrap_or_default();
        json.push('\n');
        if let Err(err) = output::write_atomically(path, json.as_bytes()) {
            return fail(&format!("cannot write `{}`: {err}", path.display()), None);
        }
    }
    if let Err(message) = output::emit(args.output.as_deref(), &text) {
        return fail(&message, None);
    }
    EXIT_OK
}

/// The paths to read and the provider the `tencent DIR` form names.
fn inputs(args: &ImportArgs) -> Result<(Vec<PathBuf>, Option<Provider>), String> {
    let mut provider = args.provider.map(Provider::from);
    let mut raw: &[String] = &args.raw;
    if let Some(first) = raw.first()
        && let Some(named) = Provider::parse(first)
        && !std::path::Path::new(first).exists()
    {
        if raw.len() == 1 {
            return Err(format!("`rulec import {first}` needs a folder: rulec import {first} DIR -o snapshot.json"));
        }
        if provider.is_some_and(|given| given != named) {
            return Err(format!("`{first}` contradicts --provider"));
        }
        provider = Some(named);
        raw = &raw[1..];
    }
    Ok((raw.iter().map(PathBuf::from).collect(), provider))
}

/// The snapshot as written: one asset, event or coverage line per line, so a diff of two
/// imports shows what changed and large files stay greppable.
fn render(snapshot: &Snapshot) -> String {
    fn list<T: serde::Serialize>(out: &mut String, name: &str, items: &[T], last: bool) {
        let _ = write!(out, "  \"{name}\": [");
        for (index, item) in items.iter().enumerate() {
            out.push_str(if index == 0 { "\n    " } else { ",\n    " });
            out.push_str(&serde_json::to_string(item).unwrap_or_default());
        }
        out.push_str(if items.is_empty() { "]" } else { "\n  ]" });
        out.push_str(if last { "\n" } else { ",\n" });
    }
    let mut out = String::from("{\n");
    let _ = writeln!(out, "  \"format\": {},", serde_json::Value::from(snapshot.format));
    let _ = writeln!(out, "  \"taken_at\": {},", serde_json::Value::from(snapshot.taken_at.as_str()));
    list(&mut out, "assets", &snapshot.assets, false);
    list(&mut out, "events", &snapshot.events, false);
    list(&mut out, "coverage", &snapshot.coverage, true);
    out.push_str("}\n");
    out
}

/// Loads the snapshot written as `rulec check` will: an import that does not validate is a bug
/// in rulec, reported, never written.
fn validate(args: &ImportArgs, text: &str) -> Result<(), u8> {
    let Some(compilation) = compile::compile(&args.packs) else { return Err(EXIT_BAD_INPUT) };
    let Some(plan) = compilation.plan() else { return Err(EXIT_BAD_INPUT) };
    let name = args.output.as_ref().map_or_else(|| "<imported snapshot>".to_owned(), |path| path.display().to_string());
    match snapshot::load_str(&plan, &name, text, snapshot::Format::Json) {
        Ok(loaded) => {
            for warning in loaded.warnings.iter().take(SHOWN) {
                eprintln!("warning: {warning}");
            }
            if loaded.warnings.len() > SHOWN {
                eprintln!("warning: ... and {} more warnings", loaded.warnings.len() - SHOWN);
            }
            Ok(())
        }
        Err(errors) => {
            eprintln!("error: the imported snapshot does not validate, nothing was written\n{errors}");
            eprintln!("  help: this is a bug in rulec import: please report it with the files named above");
            Err(EXIT_BAD_INPUT)
        }
    }
}

/// What was imported and what was not, for people.
fn summary(snapshot: &Snapshot, report: &ImportReport) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "imported {} assets and {} events from {} files",
        report.assets,
        report.events,
        report.used.len()
    );
    section(&mut out, "skipped", report.skipped.iter().map(|s| format!("{}: {}", s.file, s.reason)));
    section(
        &mut out,
        "not collected (error answers)",
        report.not_collected.iter().map(|n| format!("{}: {}: {}: {}", n.file, n.call, n.code, n.message)),
    );
    for (kind, title) in [
        (IssueKind::NotNormalized, "records left out"),
        (IssueKind::Incomplete, "assets left out for missing detail"),
        (IssueKind::Masked, "masked values"),
        (IssueKind::Unresolved, "unresolved references"),
    ] {
        section(
            &mut out,
            title,
            report.issues.iter().filter(|i| i.kind == kind).map(|i| format!("{}: {}: {}", i.file, i.path, i.message)),
        );
    }
    let count = |status: Status| snapshot.coverage.iter().filter(|c| c.status == status).count();
    let _ = writeln!(
        out,
        "coverage: {} collected, {} partial, {} failed, {} absent (per provider, account, region and type)",
        count(Status::Collected),
        count(Status::Partial),
        count(Status::Failed),
        count(Status::Absent)
    );
    out
}

fn section(out: &mut String, title: &str, lines: impl Iterator<Item = String>) {
    let lines: Vec<String> = lines.collect();
    if lines.is_empty() {
        return;
    }
    let _ = writeln!(out, "{title}: {}", lines.len());
    for line in lines.iter().take(SHOWN) {
        let _ = writeln!(out, "  {line}");
    }
    if lines.len() > SHOWN {
        let _ = writeln!(out, "  ... and {} more (see --report FILE)", lines.len() - SHOWN);
    }
}
