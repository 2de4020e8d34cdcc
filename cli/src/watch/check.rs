//! `rulec check --watch`: the compilation and the parsed snapshot files kept between runs,
//! and the last report's findings, which the next run's are compared with.

use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use rulec_runtime::plan::Plan;
use rulec_runtime::report::Finding;
use rulec_runtime::snapshot::Cache;

use super::compiler::Compiler;
use super::{Target, Wake, Watcher, count, diff, status};
use crate::check::{self, CheckArgs, Session};
use crate::{EXIT_OK, fail};

pub(crate) fn run(args: &CheckArgs) -> u8 {
    let watcher = match Watcher::start(&targets(args), args.output.as_deref()) {
        Ok(watcher) => watcher,
        Err(message) => return fail(&message, Some("watch folders and files that exist")),
    };
    let mut state = State::default();
    loop {
        status(&state.run(args));
        match watcher.wait() {
            Wake::Changed(paths) => {
                for path in paths {
                    state.snapshots.forget(&path);
                }
            }
            Wake::Anything => state.snapshots = Cache::default(),
            Wake::Stop => return EXIT_OK,
        }
    }
}

/// The `--pack` folders, the snapshots and the configuration (`rulec.yaml` in the current
/// directory when no `--config` is given, so creating it counts).
fn targets(args: &CheckArgs) -> Vec<Target> {
    let packs = args.input.packs.packs.iter().map(|dir| Target::Tree(dir.clone()));
    let snapshots = args
        .input
        .snapshots
        .iter()
        .map(|path| if path.is_dir() { Target::Tree(path.clone()) } else { Target::File(path.clone()) });
    let config = Target::File(args.config.clone().unwrap_or_else(|| PathBuf::from("rulec.yaml")));
    packs.chain(snapshots).chain([config]).collect()
}

#[derive(Default)]
struct State {
    compiler: Compiler,
    snapshots: Cache,
    /// The findings of the last run that got as far as a report; `None` until one did, so the
    /// first report is printed whole.
    last: Option<Vec<Finding>>,
    /// The warnings the previous run printed: one that stays is said once.
    warned: HashSet<String>,
}

impl State {
    /// One run: compile, load, evaluate and print; returns the status line's text.
    fn run(&mut self, args: &CheckArgs) -> String {
        let started = Instant::now();
        let plan = match self.compiler.compile(&args.input.packs) {
            Ok(compiled) => compiled.plan,
            Err(status) => return status,
        };
        let status = self.evaluate(args, plan, started);
        self.compiler.status(status)
    }

    /// Loads the changed snapshot files, evaluates, and prints the whole report the first
    /// time, the findings that changed since the previous report after that.
    fn evaluate(&mut self, args: &CheckArgs, plan: Arc<Plan>, started: Instant) -> String {
        const NOT_EVALUATED: &str = "nothing evaluated (see the errors above)";
        let warned = std::mem::take(&mut self.warned);
        let mut warn = |warning: String| {
            if !warned.contains(&warning) {
                check::print_warning(warning.clone());
            }
            self.warned.insert(warning);
        };
        let cache = &mut self.snapshots;
        let loaded =
            Session::load(plan, args.config.as_deref(), &args.input.snapshots, &mut warn, |plan, inputs, extra| {
                cache.load_with(plan, inputs, extra)
            });
        let Ok(session) = loaded else { return NOT_EVALUATED.to_owned() };
        let Ok(report) = check::evaluate(args, &session, started, &mut warn) else { return NOT_EVALUATED.to_owned() };
        let total = count(report.findings.len(), "finding");
        let (status, write) = match &self.last {
            None => (total, true),
            Some(before) => {
                let changes = diff::findings(before, &report.findings);
                // A write error is reported by `print`; watching goes on.
                let _ = crate::output::print(&changes.render());
                let status = format!("{} new, {} resolved, {total}", changes.new.len(), changes.resolved.len());
                // Standard output has the changes; a file keeps the whole current report.
                (status, args.output.is_some())
            }
        };
        let written = !write || check::emit(args, &session.plan, &report).is_ok();
        // A baseline that could not be printed is printed on the next run.
        if written || self.last.is_some() {
            self.last = Some(report.findings);
        }
        if written { status } else { format!("{status}; the report could not be written") }
    }
}
