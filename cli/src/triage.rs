//! `rulec triage`: record a team's decision on a finding in the history store.

use rulec_runtime::history::{Triage, TriageStatus};

use super::EXIT_OK;
use super::history::{StoreArgs, history_error};

#[derive(clap::Args, Debug)]
pub(crate) struct TriageArgs {
    /// The rule (or alarm) id of the finding
    #[arg(value_name = "RULE")]
    pub rule: String,
    /// The finding's subject id (an asset id, or an alarm's group key)
    #[arg(value_name = "SUBJECT")]
    pub subject: String,
    /// The decision
    #[arg(long, value_enum)]
    pub status: StatusArg,
    /// Why, for the people reading the report later
    #[arg(long, value_name = "TEXT", default_value = "")]
    pub note: String,
    #[command(flatten)]
    pub store: StoreArgs,
}

#[derive(Clone, Copy, Debug, clap::ValueEnum)]
pub(crate) enum StatusArg {
    Accepted,
    FalsePositive,
    Fixed,
}

pub(crate) fn run(args: &TriageArgs) -> u8 {
    let mut store = match args.store.open() {
        Ok(store) => store,
        Err(code) => return code,
    };
    let status = match args.status {
        StatusArg::Accepted => TriageStatus::Accepted,
        StatusArg::FalsePositive => TriageStatus::FalsePositive,
        StatusArg::Fixed => TriageStatus::Fixed,
    };
    let triage = Triage {
        status,
        note: args.note.clone(),
        by: std::env::var("USER").unwrap_or_default(),
        at: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
    };
    match store.triage(&args.rule, &args.subject, &triage) {
        Ok(()) => {
            eprintln!("triaged {} on {} as {}", args.rule, args.subject, status.as_str());
            EXIT_OK
        }
        Err(e) => history_error(&e),
    }
}
