//! The findings history on the command line: which store a command uses, recording a
//! `rulec check` run in it, and `rulec history trends`.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use clap::ValueEnum;
use rulec_runtime::config::Config;
use rulec_runtime::history::{HistoryError, Store, Trends};
use rulec_runtime::report::Report;

use super::{EXIT_OK, fail, output};

#[derive(clap::Subcommand, Debug)]
pub(crate) enum HistoryCommand {
    /// Per day: findings that became new, were resolved, and were open, by severity
    Trends(TrendsArgs),
}

#[derive(clap::Args, Debug)]
pub(crate) struct TrendsArgs {
    #[command(flatten)]
    pub store: StoreArgs,
    /// Only the last N days that have recorded runs
    #[arg(long, value_name = "N")]
    pub days: Option<usize>,
    /// Output format
    #[arg(long, value_enum, default_value_t = TrendsFormat::Table)]
    pub format: TrendsFormat,
    /// Write to FILE (atomically) instead of standard output
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,
}

/// Where the store is, for commands that only read or annotate it.
#[derive(clap::Args, Debug)]
pub(crate) struct StoreArgs {
    /// The findings history database [default: `store:` in the configuration]
    #[arg(long, value_name = "FILE")]
    pub store: Option<PathBuf>,
    /// Configuration file [default: rulec.yaml in the current directory, if present]
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub(crate) enum TrendsFormat {
    Table,
    Json,
}

/// `--store`, else the configuration's `store:`.
pub(crate) fn store_path(flag: Option<&Path>, config: Option<&Config>) -> Option<PathBuf> {
    flag.map(Path::to_owned).or_else(|| config.and_then(Config::store))
}

impl StoreArgs {
    /// Opens an existing store (reading or triaging never creates one); the exit code after
    /// printing why not.
    pub(crate) fn open(&self) -> Result<Store, u8> {
        let config = match &self.config {
            Some(path) => Config::load(path).map(Some),
            None => Config::discover(".").map(|found| found.map(|(_, c)| c)),
        }
        .map_err(|e| fail(&e.to_string(), None))?;
        let Some(path) = store_path(self.store.as_deref(), config.as_ref()) else {
            return Err(fail("no findings store given", Some("pass `--store FILE` or set `store:` in rulec.yaml")));
        };
        if !path.is_file() {
            return Err(fail(
                &format!("no findings store at `{}`", path.display()),
                Some(&format!("record a run first: `rulec check --store {} SNAPSHOT`", path.display())),
            ));
        }
        Store::open(&path).map_err(|e| history_error(&e))
    }
}

/// Prints a store error; the exit code.
pub(crate) fn history_error(e: &HistoryError) -> u8 {
    let help = match e {
        HistoryError::Newer { .. } => Some("use the rulec that wrote it, or a newer one"),
        HistoryError::Sqlite { .. } => Some("is the file a rulec findings store (SQLite)?"),
        HistoryError::UnknownFinding { .. } => Some("triage a rule and subject id a recorded run reported"),
    };
    fail(&e.to_string(), help)
}

/// Records `report`'s run in the store at `path` (created if absent) and fills in each
/// finding's `history` and the report's `resolved`. With `reuse`, a latest run over the same
/// snapshot with the same findings is shown rather than recorded again (`rulec report` after
/// `rulec check --store`).
pub(crate) fn record(path: &Path, report: &mut Report, reuse: bool) -> Result<Store, u8> {
    let mut store = Store::open(path).map_err(|e| history_error(&e))?;
    let now = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let taken_at = report.snapshot.taken_at.clone();
    let recalled = if reuse { store.recall(&report.findings, &taken_at).map_err(|e| history_error(&e))? } else { None };
    let recorded = match recalled {
        Some(recorded) => recorded,
        None => store.record(&report.findings, &taken_at, &now).map_err(|e| history_error(&e))?,
    };
    for (finding, history) in report.findings.iter_mut().zip(recorded.history) {
        finding.history = Some(history);
    }
    report.resolved = Some(recorded.resolved);
    Ok(store)
}

pub(crate) fn run(command: &HistoryCommand) -> u8 {
    match command {
        HistoryCommand::Trends(args) => trends(args),
    }
}

fn trends(args: &TrendsArgs) -> u8 {
    let store = match args.store.open() {
        Ok(store) => store,
        Err(code) => return code,
    };
    let trends = match store.trends(args.days) {
        Ok(trends) => trends,
        Err(e) => return history_error(&e),
    };
    let text = match args.format {
        TrendsFormat::Json => match serde_json::to_string_pretty(&trends) {
            Ok(json) => json + "\n",
            Err(e) => return fail(&format!("cannot write the trends as JSON: {e}"), None),
        },
        TrendsFormat::Table => table(&trends),
    };
    match output::emit(args.output.as_deref(), &text) {
        Ok(()) => EXIT_OK,
        Err(message) => fail(&message, None),
    }
}

/// One line per day: `DAY runs new resolved open`, each count split by severity
/// (`critical/high/medium/low/info`).
fn table(trends: &Trends) -> String {
    const ORDER: [&str; 5] = ["critical", "high", "medium", "low", "info"];
    let split = |counts: &std::collections::BTreeMap<String, usize>| {
        ORDER.iter().map(|s| counts.get(*s).copied().unwrap_or(0).to_string()).collect::<Vec<_>>().join("/")
    };
    let mut out = String::from("day         runs  new (c/h/m/l/i)  resolved (c/h/m/l/i)  open (c/h/m/l/i)\n");
    for day in &trends.days {
        let _ = writeln!(
            out,
            "{:<11} {:>4}  {:<15}  {:<20}  {}",
            day.day,
            day.runs,
            split(&day.new),
            split(&day.resolved),
            split(&day.open)
        );
    }
    if trends.days.is_empty() {
        out.push_str("(no recorded runs)\n");
    }
    out
}
