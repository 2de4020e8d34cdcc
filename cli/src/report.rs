//! `rulec report`: the run as one self-contained HTML page (or the same views as JSON).

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::time::Instant;

use clap::ValueEnum;
use rulec_runtime::eval::Engine;
use rulec_runtime::output::html;
use rulec_runtime::views::{self, GeoDb, ReportDocument, ViewOptions};

use super::check::{CheckArgs, FailOn, Session, evaluate, print_warning};
use super::input::InputArgs;
use super::limits::LimitArgs;
use super::{EXIT_OK, fail, output};

#[derive(clap::Args, Debug)]
pub(crate) struct ReportArgs {
    #[command(flatten)]
    pub input: InputArgs,
    /// `html`: one self-contained page; `json`: the same views for pipelines and dashboards
    #[arg(long, value_enum, default_value_t = ReportFormat::Html)]
    pub format: ReportFormat,
    /// Write the report to FILE (atomically) instead of standard output
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Configuration file [default: rulec.yaml in the current directory, if present]
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Add the compliance section: every control of this framework (e.g. `mlps2.l3`)
    #[arg(long, value_name = "F")]
    pub framework: Option<String>,
    /// The findings history database (default: `store:` in rulec.yaml): each finding's
    /// new / open status and triage, and the trends. The run is recorded unless the store's
    /// latest run is of the same snapshot with the same findings. See docs/history.md
    #[arg(long, value_name = "FILE")]
    pub store: Option<PathBuf>,
    /// A MaxMind or DB-IP `.mmdb` database (City or Country) for the source IPs' locations;
    /// without one, locations are "unknown"
    #[arg(long, value_name = "FILE")]
    pub geoip: Option<PathBuf>,
    /// Mask every access key id (`AKID****3HHu`), in the views and the findings alike; keys
    /// under `ip_hiding` are always masked in the views
    #[arg(long)]
    pub mask_keys: bool,
    /// Draw at most N attack paths; the page says how many more there are
    #[arg(long, value_name = "N", default_value_t = 50)]
    pub max_paths: usize,
    /// Report `duration_ms` as 0, so two runs give identical bytes
    #[arg(long)]
    pub no_timing: bool,
    #[command(flatten)]
    pub limits: LimitArgs,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum ReportFormat {
    Html,
    Json,
}

pub(crate) fn run(args: &ReportArgs) -> u8 {
    let started = Instant::now();
    let geo = match args.geoip.as_deref().map(GeoDb::open).transpose() {
        Ok(geo) => geo,
        Err(e) => return fail(&e.to_string(), Some("give a MaxMind (GeoLite2 / GeoIP2) or DB-IP `.mmdb` file")),
    };
    let input = &args.input;
    let session = match Session::open(&input.packs, input.plan.as_deref(), args.config.as_deref(), &input.snapshots) {
        Ok(session) => session,
        Err(code) => return code,
    };
    let check = CheckArgs {
        input: input.clone(),
        format: None,
        output: None,
        fail_on: FailOn::None,
        severity: None,
        rules: Vec::new(),
        accounts: Vec::new(),
        regions: Vec::new(),
        no_timing: args.no_timing,
        show_suppressed: false,
        config: args.config.clone(),
        framework: args.framework.clone(),
        watch: false,
        store: None,
        limits: args.limits.clone(),
        profile: Default::default(),
    };
    let mut report = match evaluate(&check, &session, started, &mut print_warning) {
        Ok(report) => report,
        Err(code) => return code,
    };
    let store = match super::history::store_path(args.store.as_deref(), session.config.as_ref()) {
        Some(path) => match super::history::record(&path, &mut report, true) {
            Ok(store) => Some(store),
            Err(code) => return code,
        },
        None => None,
    };
    let trends = match store.as_ref().map(|s| s.trends(None)).transpose() {
        Ok(trends) => trends,
        Err(e) => return super::history::history_error(&e),
    };
    let store_data = &session.loaded.store;
    // The views evaluate too (natives, the resource graph): within the same budgets.
    let (budget, _) = args.limits.budget(session.config.as_ref());
    let engine = match Engine::with_budget(&session.plan, store_data, budget) {
        Ok(engine) => engine,
        Err(e) => return fail(&e.to_string(), None),
    };
    let options = ViewOptions {
        config: session.config.as_ref(),
        mask_keys: args.mask_keys,
        geo: geo.as_ref(),
        trends,
        max_paths: args.max_paths,
    };
    let views = match views::compute(&session.plan, store_data, &engine, &report, &options) {
        Ok(views) => views,
        Err(e) => return fail(&format!("the report's views cannot be computed: {e}"), None),
    };
    if args.mask_keys {
        let keys: BTreeSet<String> = views::key_ids(&session.plan, store_data);
        views::mask_report(&mut report, &keys);
    }
    let doc = ReportDocument { report, views };
    let rendered = match args.format {
        ReportFormat::Html => html::render(&doc),
        ReportFormat::Json => match serde_json::to_string_pretty(&doc) {
            Ok(json) => json + "\n",
            Err(e) => return fail(&format!("cannot write the report as JSON: {e}"), None),
        },
    };
    match output::emit(args.output.as_deref(), &rendered) {
        Ok(()) => EXIT_OK,
        Err(message) => fail(&message, None),
    }
}
