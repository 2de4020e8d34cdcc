//! `rulec collect host`: a server's baseline facts → one `Host` record, the file `rulec import`
//! reads from `hosts/**`. The reading is rulec-collect's (`host`); this module parses the
//! command line, validates the record against the compiled schema, writes it and lists on
//! stderr what could not be read or decided.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use rulec_collect::host::{self, HostFacts, HostOptions, HostReport};
use rulec_runtime::snapshot;

use super::import::section;
use super::{EXIT_BAD_INPUT, EXIT_OK, MessageFormat, PackArgs, compile, fail, output};

#[derive(clap::Args, Debug)]
pub(crate) struct HostArgs {
    /// The host's filesystem: `/` on the server itself, or a copy or mount of its disk
    #[arg(long, value_name = "DIR", default_value = "/")]
    pub root: PathBuf,
    /// Write the Host record to FILE (atomically); `-` or no -o writes it to standard output
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Also write what could not be read or decided as JSON to FILE
    #[arg(long, value_name = "FILE")]
    pub report: Option<PathBuf>,
    /// The record's id [default: host-<instance id>, else host-<hostname from /etc/hostname>]
    #[arg(long, value_name = "ID")]
    pub id: Option<String>,
    /// The cloud instance the host is (`ins-…`, `i-…`), linking it to its Instance
    #[arg(long, value_name = "ID")]
    pub instance_id: Option<String>,
    /// The cloud that owns the host: tencent, alibaba, ... [default: unknown]
    #[arg(long, value_name = "NAME")]
    pub provider: Option<String>,
    /// The owning account (Tencent uin, Alibaba account id) [default: unknown]
    #[arg(long, value_name = "ID")]
    pub account: Option<String>,
    /// The region the host runs in
    #[arg(long, value_name = "REGION")]
    pub region: Option<String>,
}

pub(crate) fn run(args: &HostArgs) -> u8 {
    if !args.root.is_dir() {
        let what = if args.root.exists() { "is not a folder" } else { "does not exist" };
        return fail(
            &format!("--root `{}` {what}", args.root.display()),
            Some("give the folder the host's filesystem is at: `/` on the host itself"),
        );
    }
    let options = HostOptions {
        id: args.id.clone(),
        instance_id: args.instance_id.clone(),
        provider: args.provider.clone(),
        account: args.account.clone(),
        region: args.region.clone(),
    };
    let HostFacts { record, report } = match host::collect(&args.root, &options) {
        Ok(facts) => facts,
        Err(err) => return fail(&err.to_string(), None),
    };
    let mut json = serde_json::to_string_pretty(&record).unwrap_or_default();
    json.push('\n');
    if let Err(message) = validate(&record) {
        eprintln!("error: the Host record does not validate, nothing was written\n{message}");
        eprintln!("  help: this is a bug in rulec collect host: please report it with the files named above");
        return EXIT_BAD_INPUT;
    }
    eprint!("{}", summary(&record, &report));
    if let Some(path) = &args.report {
        let mut text = serde_json::to_string_pretty(&report).unwrap_or_default();
        text.push('\n');
        if let Err(err) = output::write_atomically(path, text.as_bytes(), output::Access::Shared) {
            return fail(&format!("cannot write `{}`: {err}", path.display()), None);
        }
    }
    let destination = args.output.as_deref().filter(|path| *path != Path::new("-"));
    if let Err(message) = output::emit_with(destination, &json, output::Access::Private) {
        return fail(&message, None);
    }
    EXIT_OK
}

/// Loads the record as `rulec check` will, inside a one-asset snapshot: a record that does not
/// validate is a bug in rulec, reported, never written.
fn validate(record: &serde_json::Value) -> Result<(), String> {
    let packs = PackArgs { packs: Vec::new(), message_format: MessageFormat::Human };
    let plan = compile::compile(&packs).and_then(|compilation| compilation.plan());
    let Some(plan) = plan else { return Err("the built-in packs do not compile".to_owned()) };
    let document = serde_json::json!({
        "format": rulec_collect::snapshot::FORMAT,
        "taken_at": rulec_collect::time::format(chrono::Utc::now()),
        "assets": [record],
        "events": [],
    });
    let staged =
        tempfile::Builder::new().prefix(".rulec-host-").suffix(".json").tempfile().map_err(|e| e.to_string())?;
    std::fs::write(staged.path(), document.to_string()).map_err(|e| e.to_string())?;
    snapshot::load(&plan, &[staged.path().to_owned()]).map(drop).map_err(|errors| errors.to_string())
}

/// What was collected and what was not, for people.
fn summary(record: &serde_json::Value, report: &HostReport) -> String {
    let count = |field: &str| record[field].as_array().map_or(0, Vec::len);
    let missing = record["packages"]
        .as_array()
        .map_or(0, |packages| packages.iter().filter(|p| !p["fixed_version"].is_null()).count());
    let mut out = String::new();
    let _ = writeln!(
        out,
        "collected {} ({}): {} accounts, {} packages ({missing} missing a security update), {} enabled services",
        record["id"].as_str().unwrap_or_default(),
        record["os"].as_str().unwrap_or_default(),
        count("accounts"),
        count("packages"),
        count("services"),
    );
    section(&mut out, "not readable", report.unreadable.iter().map(|u| format!("{}: {}", u.path, u.reason)));
    section(&mut out, "not determined", report.not_determined.iter().map(|n| format!("{}: {}", n.fact, n.reason)));
    out
}
