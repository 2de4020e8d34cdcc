//! Evaluation budgets on the command line: `--max-steps`, `--max-value-size` and `--timeout`
//! (shared by `rulec check`, its `--watch` mode and `rulec report`), merged over `limits:` in
//! rulec.yaml, and the watchdog that enforces `--timeout`.

use std::sync::mpsc;
use std::thread::JoinHandle;
use std::time::Duration;

use rulec_runtime::config::Config;
use rulec_runtime::eval::{Budget, Cancel, CheckError};
use rulec_runtime::limits::{self, Limits, Span};

#[derive(clap::Args, Clone, Debug, Default)]
pub(crate) struct LimitArgs {
    /// Fail a subject's evaluation after N steps [default: 10000000, or `limits.max_steps` in
    /// rulec.yaml]. See docs/budgets.md
    #[arg(long, value_name = "N", value_parser = parse_steps)]
    pub max_steps: Option<u64>,
    /// Fail an evaluation that would build a string or list larger than SIZE (e.g. `256MiB`)
    /// [default: 64MiB, or `limits.max_value_size` in rulec.yaml]
    #[arg(long, value_name = "SIZE", value_parser = limits::parse_size)]
    pub max_value_size: Option<u64>,
    /// Stop evaluating after DURATION (e.g. `30s`, `5m`) and exit 2 without a report [default:
    /// none, or `limits.timeout` in rulec.yaml]
    #[arg(long, value_name = "DURATION", value_parser = limits::parse_duration)]
    pub timeout: Option<Duration>,
}

fn parse_steps(text: &str) -> Result<u64, String> {
    match text.replace('_', "").parse::<u64>() {
        Ok(n) if n > 0 => Ok(n),
        _ => Err(format!("expected a whole number of steps more than 0, found `{text}`")),
    }
}

impl LimitArgs {
    /// The budget of a run: each flag given, else the configuration's value, else the default.
    /// The timeout is kept apart: only [`Watchdog`] needs it.
    pub(crate) fn budget(&self, config: Option<&Config>) -> (Budget, Option<Duration>) {
        let file = config.map(Config::limits).unwrap_or_default();
        let limits = Limits {
            max_steps: self.max_steps.or(file.max_steps).unwrap_or(Limits::DEFAULT_MAX_STEPS),
            max_value_bytes: self.max_value_size.or(file.max_value_bytes).unwrap_or(Limits::DEFAULT_MAX_VALUE_BYTES),
        };
        (Budget { limits, cancel: Cancel::default() }, self.timeout.or(file.timeout))
    }
}

/// Raises `cancel` when `timeout` passes, unless dropped first; dropping it ends its thread.
pub(crate) struct Watchdog {
    stop: Option<mpsc::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl Watchdog {
    pub(crate) fn start(timeout: Option<Duration>, cancel: &Cancel) -> Watchdog {
        let Some(timeout) = timeout else { return Watchdog { stop: None, thread: None } };
        let (stop, stopped) = mpsc::channel::<()>();
        let cancel = cancel.clone();
        let thread = std::thread::spawn(move || {
            if let Err(mpsc::RecvTimeoutError::Timeout) = stopped.recv_timeout(timeout) {
                cancel.cancel();
            }
        });
        Watchdog { stop: Some(stop), thread: Some(thread) }
    }
}

impl Drop for Watchdog {
    fn drop(&mut self) {
        drop(self.stop.take());
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Prints a run's evaluation errors. When the run was cancelled, the subjects it stopped are
/// summed up as one timeout error naming their checks.
pub(crate) fn print_errors(errors: &[CheckError], cancel: &Cancel, timeout: Option<Duration>) {
    let (stopped, failed): (Vec<&CheckError>, Vec<&CheckError>) =
        errors.iter().partition(|e| e.message == rulec_runtime::eval::CANCELLED);
    for e in &failed {
        eprintln!("error: {e}");
    }
    let mut spent: Vec<&str> = failed.iter().filter_map(|e| rulec_runtime::eval::exceeded_budget(&e.message)).collect();
    spent.sort_unstable();
    spent.dedup();
    for key in spent {
        let (flag, value) = if key == "max_steps" { ("--max-steps", "N") } else { ("--max-value-size", "SIZE") };
        eprintln!("  help: raise the budget with {flag} {value} or `limits.{key}` in rulec.yaml (docs/budgets.md)");
    }
    if cancel.is_cancelled() {
        let after = timeout.map(|t| format!(" after {}", Span(t))).unwrap_or_default();
        eprintln!("error: evaluation timed out{after}");
        let mut checks: Vec<&str> = stopped.iter().map(|e| e.rule.as_str()).collect();
        checks.sort_unstable();
        checks.dedup();
        if !checks.is_empty() {
            const SHOWN: usize = 10;
            let more = checks.len().saturating_sub(SHOWN);
            let more = if more > 0 { format!(" and {more} more") } else { String::new() };
            eprintln!("  note: not finished: {}{more}", checks[..checks.len().min(SHOWN)].join(", "));
        }
        eprintln!("  help: allow more time with --timeout DURATION or `limits.timeout` in rulec.yaml");
    }
    if !failed.is_empty() {
        eprintln!("error: {} evaluation error(s); the results would be incomplete, so none are reported", failed.len());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_win_over_the_file_and_defaults_fill_the_rest() {
        let config = Config::from_str("limits:\n  max_steps: 5\n  timeout: 1m\n", "rulec.yaml").expect("valid");
        let args = LimitArgs { max_steps: Some(7), ..LimitArgs::default() };
        let (budget, timeout) = args.budget(Some(&config));
        assert_eq!(budget.limits, Limits { max_steps: 7, max_value_bytes: Limits::DEFAULT_MAX_VALUE_BYTES });
        assert_eq!(timeout, Some(Duration::from_secs(60)));
        assert_eq!(LimitArgs::default().budget(Some(&config)).0.limits.max_steps, 5);
        let (budget, timeout) = LimitArgs::default().budget(None);
        assert_eq!((budget.limits, timeout), (Limits::default(), None));
    }

    #[test]
    fn steps_are_a_positive_number() {
        assert_eq!(parse_steps("1_000"), Ok(1000));
        assert!(parse_steps("abc").is_err());
        assert!(parse_steps("0").is_err());
    }

    #[test]
    fn a_watchdog_cancels_only_when_its_time_passes_first() {
        let cancel = Cancel::default();
        drop(Watchdog::start(Some(Duration::from_secs(3600)), &cancel));
        assert!(!cancel.is_cancelled());
        let fired = Cancel::default();
        let watchdog = Watchdog::start(Some(Duration::from_millis(1)), &fired);
        std::thread::sleep(Duration::from_millis(50));
        drop(watchdog);
        assert!(fired.is_cancelled());
    }
}
