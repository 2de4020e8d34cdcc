//! `rulec import`: saved cloud answers → a validated v1 snapshot, with a report of everything
//! that could not be used. The normalizing is rulec-collect's; this module parses the command
//! line, validates the result against the compiled schema, writes it and summarizes.

use std::fmt::Write as _;
use std::io::Write;
use std::path::{Path, PathBuf};

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
    // The snapshot goes to a file beside its destination, is validated from there and only then
    // takes its place: nothing invalid is ever written where a reader would find it.
    let staged = match stage(args.output.as_deref(), &snapshot) {
        Ok(staged) => staged,
        Err(message) => return fail(&message, None),
    };
    let summary = summary(&snapshot, &report);
    drop(snapshot);
    if let Err(code) = validate(args, staged.path()) {
        return code;
    }
    eprint!("{summary}");
    if let Some(path) = &args.report {
        let mut json = serde_json::to_string_pretty(&report).unwrap_or_default();
        json.push('\n');
        if let Err(err) = output::write_atomically(path, json.as_bytes(), output::Access::Shared) {
            return fail(&format!("cannot write `{}`: {err}", path.display()), None);
        }
    }
    if let Err(message) = publish(staged, args.output.as_deref()) {
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

/// Writes the snapshot to a temporary `.json` file in the destination's folder (or the system's
/// temporary folder for standard output).
fn stage(output: Option<&Path>, snapshot: &Snapshot) -> Result<tempfile::NamedTempFile, String> {
    let dir = match output {
        Some(path) => path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new(".")).to_owned(),
        None => std::env::temp_dir(),
    };
    let cannot = |err: std::io::Error| format!("cannot write the snapshot in `{}`: {err}", dir.display());
    let mut staged =
        tempfile::Builder::new().prefix(".rulec-import-").suffix(".json").tempfile_in(&dir).map_err(cannot)?;
    let mut writer = std::io::BufWriter::new(staged.as_file_mut());
    write_snapshot(snapshot, &mut writer).and_then(|()| writer.flush()).map_err(cannot)?;
    drop(writer);
    Ok(staged)
}

/// The snapshot as written: one asset, event or coverage line per line, so a diff of two
/// imports shows what changed and large files stay greppable.
fn write_snapshot(snapshot: &Snapshot, out: &mut impl Write) -> std::io::Result<()> {
    fn list<T: serde::Serialize>(out: &mut impl Write, name: &str, items: &[T], last: bool) -> std::io::Result<()> {
        write!(out, "  \"{name}\": [")?;
        for (index, item) in items.iter().enumerate() {
            out.write_all(if index == 0 { b"\n    " } else { b",\n    " })?;
            serde_json::to_writer(&mut *out, item)?;
        }
        out.write_all(if items.is_empty() { b"]" } else { b"\n  ]" })?;
        out.write_all(if last { b"\n" } else { b",\n" })
    }
    writeln!(out, "{{")?;
    writeln!(out, "  \"format\": {},", serde_json::Value::from(snapshot.format))?;
    writeln!(out, "  \"taken_at\": {},", serde_json::Value::from(snapshot.taken_at.as_str()))?;
    list(out, "assets", &snapshot.assets, false)?;
    list(out, "events", &snapshot.events, false)?;
    list(out, "coverage", &snapshot.coverage, true)?;
    writeln!(out, "}}")
}

/// Moves the validated snapshot to `-o FILE`, or copies it to standard output.
fn publish(staged: tempfile::NamedTempFile, output: Option<&Path>) -> Result<(), String> {
    match output {
        Some(path) => {
            staged.persist(path).map(drop).map_err(|err| format!("cannot write `{}`: {}", path.display(), err.error))
        }
        None => {
            let mut stdout = std::io::stdout().lock();
            std::io::copy(&mut std::fs::File::open(staged.path()).map_err(|err| err.to_string())?, &mut stdout)
                .and_then(|_| stdout.flush())
                .map(drop)
                .map_err(|err| format!("cannot write to standard output: {err}"))
        }
    }
}

/// Loads the snapshot written as `rulec check` will: an import that does not validate is a bug
/// in rulec, reported, never written.
fn validate(args: &ImportArgs, staged: &Path) -> Result<(), u8> {
    let Some(compilation) = compile::compile(&args.packs) else { return Err(EXIT_BAD_INPUT) };
    let Some(plan) = compilation.plan() else { return Err(EXIT_BAD_INPUT) };
    // Messages name the snapshot as the user will know it, not the staging file.
    let name = args.output.clone().unwrap_or_else(|| PathBuf::from("<standard output>"));
    match snapshot::load(&plan, &[staged.to_owned()]) {
        Ok(loaded) => {
            let more = loaded.warnings.len().saturating_sub(SHOWN);
            for mut warning in loaded.warnings.into_iter().take(SHOWN) {
                warning.file.clone_from(&name);
                eprintln!("warning: {warning}");
            }
            if more > 0 {
                eprintln!("warning: ... and {more} more warnings (`rulec check` lists them all)");
            }
            Ok(())
        }
        Err(mut errors) => {
            for error in &mut errors.errors {
                error.file.clone_from(&name);
            }
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

/// A titled list in a summary: its first lines, then how many more `--report` holds.
pub(crate) fn section(out: &mut String, title: &str, lines: impl Iterator<Item = String>) {
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
