//! `rulec check`: compile (or load a plan), load snapshots, evaluate, report.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use clap::ValueEnum;
use clap::builder::TypedValueParser as _;
use rulec_runtime::config::Config;
use rulec_runtime::eval::Engine;
use rulec_runtime::filter::FindingFilter;
use rulec_runtime::output::{self as formats, RenderOptions};
use rulec_runtime::plan::{PLAN_FORMAT, Plan, Severity};
use rulec_runtime::report::{Report, SnapshotInfo, Summary, describe_subjects, sort_findings};
use rulec_runtime::snapshot;
use rulec_runtime::value::format_time;

use super::input::InputArgs;
use super::limits::{LimitArgs, Watchdog};
use super::{EXIT_BAD_INPUT, EXIT_FINDINGS, EXIT_OK, PackArgs, compile, fail, limits, output};

#[derive(clap::Args, Debug)]
pub(crate) struct CheckArgs {
    #[command(flatten)]
    pub input: InputArgs,
    /// Output format [default: table on a terminal, json otherwise]
    #[arg(long, value_parser = format_parser())]
    pub format: Option<formats::Format>,
    /// Write the report to FILE (atomically) instead of standard output
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Exit 1 when a finding is at or above this severity (`none`: never); only the findings
    /// the filters below keep count
    #[arg(long, value_enum, default_value_t = FailOn::High)]
    pub fail_on: FailOn,
    /// Show only findings at or above this severity
    #[arg(long, value_name = "LEVEL", value_parser = severity_parser())]
    pub severity: Option<Severity>,
    /// Show only findings of these rules (repeatable; globs such as `NET_*` allowed)
    #[arg(long = "rule", value_name = "ID")]
    pub rules: Vec<String>,
    /// Show only findings whose subject is in this account (repeatable)
    #[arg(long = "account", value_name = "ID")]
    pub accounts: Vec<String>,
    /// Show only findings whose subject is in this region (repeatable)
    #[arg(long = "region", value_name = "R")]
    pub regions: Vec<String>,
    /// Report `duration_ms` as 0, so two runs give identical bytes
    #[arg(long)]
    pub no_timing: bool,
    /// List suppressed findings (with their reasons) in the table output too; JSON, SARIF and
    /// Markdown always carry them
    #[arg(long)]
    pub show_suppressed: bool,
    /// Configuration file [default: rulec.yaml in the current directory, if present]
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Add a compliance section: every control of this framework (e.g. `mlps2.l3`) as passed,
    /// failed (with its findings) or not covered (table, json, markdown)
    #[arg(long, value_name = "F")]
    pub framework: Option<String>,
    /// Keep running: when a `--pack` folder, a snapshot or the configuration changes, re-check
    /// and re-evaluate, and print what changed
    ///
    /// The first run prints the whole report (in --format, or to -o FILE). Each later run
    /// prints `+ RULE Type/id: message` for a new finding and `- RULE Type/id: message` for a
    /// resolved one on standard output, rewrites -o FILE if given, and ends with one
    /// `[watch] ...` status line on standard error. Compile errors and invalid snapshots are
    /// printed as usual and watching goes on. The built-in packs are embedded in the binary and
    /// not watched. Ctrl-C stops, with exit code 0.
    ///
    /// Example: rulec check --watch --pack ./my-pack snapshots/
    #[arg(long, conflicts_with = "plan")]
    pub watch: bool,
    /// Record this run in a findings history database (created if absent; default: `store:`
    /// in rulec.yaml) and add each finding's `history` and the `resolved` list to the JSON
    /// output. See docs/history.md
    #[arg(long, value_name = "FILE", conflicts_with_all = ["watch", "severity", "rules", "accounts", "regions"])]
    pub store: Option<PathBuf>,
    #[command(flatten)]
    pub limits: LimitArgs,
    #[command(flatten)]
    pub profile: super::profile::ProfileArgs,
}

/// The runtime's format names, offered as the flag's possible values.
fn format_parser() -> impl clap::builder::TypedValueParser<Value = formats::Format> {
    clap::builder::PossibleValuesParser::new(formats::Format::NAMES).try_map(|name| name.parse::<formats::Format>())
}

/// The severity names, offered as `--severity`'s possible values.
fn severity_parser() -> impl clap::builder::TypedValueParser<Value = Severity> {
    clap::builder::PossibleValuesParser::new(Severity::ALL.map(Severity::as_str))
        .try_map(|name| Severity::parse(&name).ok_or("not a severity"))
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub(crate) enum FailOn {
    Info,
    Low,
    Medium,
    High,
    Critical,
    None,
}

impl FailOn {
    fn threshold(self) -> Option<Severity> {
        match self {
            FailOn::Info => Some(Severity::Info),
            FailOn::Low => Some(Severity::Low),
            FailOn::Medium => Some(Severity::Medium),
            FailOn::High => Some(Severity::High),
            FailOn::Critical => Some(Severity::Critical),
            FailOn::None => None,
        }
    }
}

/// What every command that evaluates needs: the plan, the configuration and the snapshot.
pub(crate) struct Session {
    pub plan: Arc<Plan>,
    pub config: Option<Config>,
    pub loaded: snapshot::Loaded,
}

/// Where warnings go: one-shot commands print each at once ([`print_warning`]); the watch
/// mode prints only those the previous run did not.
pub(crate) type Warn<'a> = dyn FnMut(String) + 'a;

pub(crate) fn print_warning(warning: String) {
    eprintln!("warning: {warning}");
}

impl Session {
    /// Compiles the packs (or reads `plan`), reads the configuration and loads the snapshots
    /// with the configuration's known networks; on failure the error is printed and the exit
    /// code returned.
    pub(crate) fn open(
        packs: &PackArgs,
        plan: Option<&Path>,
        config: Option<&Path>,
        snapshots: &[PathBuf],
    ) -> Result<Session, u8> {
        let plan = match plan {
            Some(path) => match read_plan(path) {
                Ok(plan) => Arc::new(plan),
                Err(message) => return Err(fail(&message, Some("write a plan with `rulec compile -o plan.json`"))),
            },
            None => {
                let Some(compilation) = compile::compile(packs) else { return Err(EXIT_BAD_INPUT) };
                let Some(plan) = compilation.plan() else { return Err(EXIT_BAD_INPUT) };
                plan
            }
        };
        Session::load(plan, config, snapshots, &mut print_warning, snapshot::load_with)
    }

    /// [`Session::open`] for a plan at hand, loading the snapshots with `load` (the watch
    /// mode passes its cache, which re-reads only changed files).
    pub(crate) fn load(
        plan: Arc<Plan>,
        config: Option<&Path>,
        snapshots: &[PathBuf],
        warn: &mut Warn<'_>,
        load: impl FnOnce(&Plan, &[PathBuf], &[snapshot::Extra]) -> Result<snapshot::Loaded, snapshot::LoadErrors>,
    ) -> Result<Session, u8> {
        let config = load_config(config).map_err(|message| fail(&message, None))?;
        if let Some(config) = &config {
            for warning in config.validate_against(&plan.checks) {
                warn(warning.to_string());
            }
        }
        let progress = super::progress::Progress::start("loading snapshot");
        let networks: Vec<snapshot::Extra> = config
            .iter()
            .filter(|c| !c.networks().is_empty())
            .map(|c| snapshot::Extra {
                name: PathBuf::from(format!("{} (networks)", c.source())),
                text: c.networks().iter().map(|n| n.to_asset_json().to_string() + "\n").collect(),
                format: snapshot::Format::Jsonl,
            })
            .collect();
        let loaded = match load(&plan, snapshots, &networks) {
            Ok(loaded) => loaded,
            Err(errors) => {
                drop(progress);
                eprintln!("error: invalid snapshot, nothing was evaluated\n{errors}");
                return Err(EXIT_BAD_INPUT);
            }
        };
        Ok(Session { plan, config, loaded })
    }
}

pub(crate) fn run(args: &CheckArgs) -> u8 {
    if args.watch {
        return super::watch::check::run(args);
    }
    let started = Instant::now();
    let input = &args.input;
    let session = match Session::open(&input.packs, input.plan.as_deref(), args.config.as_deref(), &input.snapshots) {
        Ok(session) => session,
        Err(code) => return code,
    };
    let mut report = match evaluate(args, &session, started, &mut print_warning) {
        Ok(report) => report,
        Err(code) => return code,
    };
    if let Some(store) = super::history::store_path(args.store.as_deref(), session.config.as_ref())
        && let Err(code) = super::history::record(&store, &mut report, false)
    {
        return code;
    }
    if let Err(code) = emit(args, &session.plan, &report) {
        return code;
    }
    let failing = args.fail_on.threshold().is_some_and(|t| report.findings.iter().any(|f| f.severity >= t));
    // The process ends next: freeing millions of records one by one would only delay the exit.
    std::mem::forget(session);
    std::mem::forget(report);
    if failing { EXIT_FINDINGS } else { EXIT_OK }
}

/// Evaluates the selected checks on the session's snapshot and applies the configuration;
/// the report, or the exit code after printing why there is none.
pub(crate) fn evaluate(
    args: &CheckArgs,
    session: &Session,
    started: Instant,
    warn: &mut Warn<'_>,
) -> Result<Report, u8> {
    let Session { plan, config, loaded } = session;
    if let Some(name) = &args.framework
        && let Err(e) = rulec_runtime::compliance::find_framework(plan, name)
    {
        let help = e.help().unwrap_or_else(|| {
            "list the controls of a framework with `rulec rules --framework F --coverage`".to_owned()
        });
        return Err(fail(&e.to_string(), Some(&help)));
    }
    if let Some(unknown) = args.input.only_packs.iter().find(|p| !plan.checks.iter().any(|c| &c.pack == *p)) {
        let mut packs: Vec<&str> = plan.checks.iter().map(|c| c.pack.as_str()).collect();
        packs.sort_unstable();
        packs.dedup();
        return Err(fail(
            &format!("no pack named `{unknown}` has checks"),
            Some(&format!("packs with checks: {}", packs.join(", "))),
        ));
    }
    let filter = FindingFilter::new(&plan.checks, args.severity, &args.rules, &args.accounts, &args.regions)
        .map_err(|e| fail(&e.to_string(), e.help().as_deref()))?;
    let progress = super::progress::Progress::start("evaluating");
    let store = &loaded.store;
    let (budget, timeout) = args.limits.budget(config.as_ref());
    let cancel = budget.cancel.clone();
    // Started before the engine: constants are evaluated as it starts.
    let watchdog = Watchdog::start(timeout, &cancel);
    let evaluation_started = Instant::now();
    let mut engine = match Engine::with_budget(plan, store, budget) {
        Ok(engine) => engine,
        Err(e) => return Err(fail(&e.to_string(), None)),
    };
    if args.profile.profile {
        engine.profile();
    }
    progress.step(&format!("evaluating {} checks", plan.checks.len()));
    let selected = |c: &rulec_runtime::plan::Check| {
        (args.input.only_packs.is_empty() || args.input.only_packs.contains(&c.pack))
            && config.as_ref().is_none_or(|cfg| cfg.selects(c))
    };
    let outcome = engine.run(selected);
    if args.watch {
        drop(engine);
    } else {
        // The process ends after this report: the engine's indexes (every event, by key) are
        // left for the exit to free rather than freed one record at a time.
        std::mem::forget(engine);
    }
    drop(watchdog);
    drop(progress);
    if let Some(profile) = &outcome.profile {
        let phases = super::profile::Phases {
            before: evaluation_started.duration_since(started),
            evaluation: evaluation_started.elapsed(),
        };
        eprint!(
            "{}",
            super::profile::render(profile, &phases, &outcome.subjects, &outcome.findings, args.profile.profile_limit)
        );
    }
    for warning in &loaded.warnings {
        warn(warning.to_string());
    }
    if !outcome.errors.is_empty() || cancel.is_cancelled() {
        limits::print_errors(&outcome.errors, &cancel, timeout);
        return Err(EXIT_BAD_INPUT);
    }
    let (mut findings, mut suppressed) = match config {
        Some(config) => {
            let now = chrono::DateTime::from_timestamp_micros(store.taken_at()).unwrap_or_default();
            let applied = config.apply(outcome.findings, now);
            for warning in &applied.warnings {
                warn(warning.to_string());
            }
            (applied.findings, applied.suppressed)
        }
        None => (outcome.findings, Vec::new()),
    };
    describe_subjects(plan, store, findings.iter_mut().map(|f| &mut f.subject));
    describe_subjects(plan, store, suppressed.iter_mut().map(|s| &mut s.finding.subject));
    sort_findings(&mut findings);
    // Compliance is assessed on every finding; the filters choose what is shown and counted.
    let compliance = match &args.framework {
        // INVARIANT: the name was checked against the plan before evaluating.
        Some(name) => {
            rulec_runtime::compliance::assess(plan, name, &outcome.subjects, &findings, store.coverage()).ok()
        }
        None => None,
    };
    findings.retain(|f| filter.keeps(f));
    suppressed.retain(|s| filter.keeps(&s.finding));
    suppressed.sort_by(|a, b| (a.finding.sort_key(), &a.reason).cmp(&(b.finding.sort_key(), &b.reason)));
    let duration_ms = if args.no_timing { 0 } else { u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX) };
    Ok(Report {
        rulec_version: env!("CARGO_PKG_VERSION").to_owned(),
        snapshot: SnapshotInfo {
            taken_at: format_time(store.taken_at()),
            assets: store.asset_count(),
            events: store.event_count(),
        },
        summary: Summary::count(&findings, outcome.subjects.len(), duration_ms),
        compliance,
        findings,
        suppressed,
        resolved: None,
    })
}

/// Renders the report in `--format` to `-o FILE` or standard output; the exit code after
/// printing the error when it cannot be written.
pub(crate) fn emit(args: &CheckArgs, plan: &Plan, report: &Report) -> Result<(), u8> {
    let to_terminal = args.output.is_none() && std::io::stdout().is_terminal();
    let format = args.format.unwrap_or(if to_terminal { formats::Format::Table } else { formats::Format::Json });
    let options = RenderOptions {
        color: output::color(to_terminal),
        // A terminal's width (or `COLUMNS`); files, and pipes without `COLUMNS`, get whole
        // messages.
        width: match args.output {
            Some(_) => 0,
            None => output::terminal_width(output::Stream::Stdout).unwrap_or(0),
        },
        show_suppressed: args.show_suppressed,
    };
    output::emit_written(args.output.as_deref(), output::Access::Shared, &mut |out| {
        formats::write(report, &plan.checks, format, &options, out)
    })
    .map_err(|message| fail(&message, None))
}

/// `--config FILE`, else `rulec.yaml` in the current directory, else none.
fn load_config(path: Option<&Path>) -> Result<Option<Config>, String> {
    match path {
        Some(path) => Config::load(path).map(Some).map_err(|e| e.to_string()),
        None => Config::discover(".").map(|found| found.map(|(_, config)| config)).map_err(|e| e.to_string()),
    }
}

fn read_plan(path: &Path) -> Result<Plan, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read plan `{}`: {e}", path.display()))?;
    let value: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| format!("`{}` is not a plan: {e}", path.display()))?;
    let format = value.get("format").and_then(|f| f.as_str()).unwrap_or("");
    if format != PLAN_FORMAT {
        return Err(format!("`{}` has plan format `{format}`; this rulec reads `{PLAN_FORMAT}`", path.display()));
    }
    serde_json::from_value(value).map_err(|e| format!("`{}` is not a valid plan: {e}", path.display()))
}
