//! `rulec test --watch`: the compilation kept between runs, and each test's last verdict,
//! which the next run's are compared with.

use std::collections::HashMap;

use rulec_compiler::testing::Verdict;

use super::compiler::Compiler;
use super::{Target, Wake, Watcher, diff, status};
use crate::test::{self, Tally, TestArgs};
use crate::{EXIT_OK, fail};

pub(crate) fn run(args: &TestArgs) -> u8 {
    if args.packs.packs.is_empty() {
        return fail(
            "`--watch` needs a `--pack` folder to watch",
            Some("the built-in packs are embedded in the binary: they do not change while rulec runs"),
        );
    }
    let targets: Vec<Target> = args.packs.packs.iter().map(|dir| Target::Tree(dir.clone())).collect();
    let watcher = match Watcher::start(&targets, None) {
        Ok(watcher) => watcher,
        Err(message) => return fail(&message, Some("watch folders that exist")),
    };
    let mut state = State::default();
    loop {
        status(&state.run(args));
        match watcher.wait() {
            Wake::Changed(_) | Wake::Anything => {}
            Wake::Stop => return EXIT_OK,
        }
    }
}

#[derive(Default)]
struct State {
    compiler: Compiler,
    /// Each test's verdict on the last run that ran tests, by `pack: name`; `None` until one
    /// did, so the first run prints every test.
    last: Option<HashMap<String, Verdict>>,
}

impl State {
    /// One run: compile, run the selected tests and print; returns the status line's text.
    fn run(&mut self, args: &TestArgs) -> String {
        let compiled = match self.compiler.compile(&args.packs) {
            Ok(compiled) => compiled,
            Err(status) => return status,
        };
        let Ok(cases) = test::select(args, compiled.compilation, compiled.packs) else {
            return self.compiler.status("no test to run".to_owned());
        };
        let verdicts = test::run_cases(&compiled.plan, &cases);
        let tally = Tally::of(&verdicts);
        let results: Vec<(String, Verdict)> = cases.iter().map(test::title).zip(verdicts).collect();
        let first = self.last.is_none();
        let (shown, status) = match &self.last {
            None => ((0..cases.len()).collect(), tally.summary()),
            Some(before) => {
                let (changed, passing) = diff::verdicts(before, &results);
                let status = format!("{} now failing, {passing} now passing", changed.len() - passing);
                (changed, status)
            }
        };
        let mut out: String = shown.iter().map(|&i| test::render(&cases[i], &results[i].1)).collect();
        // The summary as `rulec test` prints it, set apart from the whole list on the first run.
        out.push_str(&format!("{}{}\n", if first { "\n" } else { "" }, tally.summary()));
        // A write error is reported by `print`; watching goes on.
        let _ = crate::output::print(&out);
        self.last = Some(results.into_iter().collect());
        self.compiler.status(status)
    }
}
