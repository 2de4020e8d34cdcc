//! `rulec test`: run the `test` blocks of the packs, one line per test, failures with what
//! was expected and what fired instead.

use rayon::prelude::*;
use rulec_compiler::compilation::Compilation;
use rulec_compiler::packs::Pack;
use rulec_compiler::testing::{self, TestCase, Verdict};
use rulec_runtime::plan::Plan;

use super::{EXIT_BAD_INPUT, EXIT_FINDINGS, EXIT_OK, PackArgs, compile, fail, output};

#[derive(clap::Args, Debug)]
pub(crate) struct TestArgs {
    #[command(flatten)]
    pub packs: PackArgs,
    /// Run only the tests whose `pack: name` contains PATTERN
    #[arg(long, value_name = "PATTERN")]
    pub filter: Option<String>,
    /// Keep running: when a `--pack` folder changes (rules, pack.yaml, fixtures), re-check it
    /// and run the tests again, printing the tests whose verdict changed
    ///
    /// The first run prints every test. Each later run prints the tests that newly fail or
    /// newly pass, then `N passed, N failed`, and ends with one `[watch] ...` status line on
    /// standard error. The built-in packs are embedded in the binary and not watched, so at
    /// least one --pack is needed. Ctrl-C stops, with exit code 0.
    ///
    /// Example: rulec test --watch --pack ./my-pack --filter my-pack:
    #[arg(long)]
    pub watch: bool,
}

pub(crate) fn run(args: &TestArgs) -> u8 {
    if args.watch {
        return super::watch::test::run(args);
    }
    let Some((packs, compilation)) = compile::compile_packs(&args.packs) else { return EXIT_BAD_INPUT };
    let Some(plan) = compilation.plan() else { return EXIT_BAD_INPUT };
    let cases = match select(args, &compilation, &packs) {
        Ok(cases) => cases,
        Err(code) => return code,
    };
    let verdicts = run_cases(&plan, &cases);
    let mut out: String = cases.iter().zip(&verdicts).map(|(case, verdict)| render(case, verdict)).collect();
    let tally = Tally::of(&verdicts);
    out.push_str(&format!("\n{}\n", tally.summary()));
    match output::print(&out) {
        Ok(()) => tally.exit_code(),
        Err(code) => code,
    }
}

/// `pack: name`, how a test is shown and what `--filter` matches.
pub(crate) fn title(case: &TestCase) -> String {
    format!("{}: {}", case.pack, case.name)
}

/// The tests `--filter` selects. When none is selected, what to say is printed and the exit
/// code returned: 2 for a filter that matches nothing, 0 for packs without tests.
pub(crate) fn select(args: &TestArgs, compilation: &Compilation, packs: &[Pack]) -> Result<Vec<TestCase>, u8> {
    let all = testing::collect(compilation, packs);
    let total = all.len();
    let cases: Vec<_> =
        all.into_iter().filter(|c| args.filter.as_ref().is_none_or(|p| title(c).contains(p.as_str()))).collect();
    if !cases.is_empty() {
        return Ok(cases);
    }
    Err(match &args.filter {
        Some(pattern) => fail(
            &format!("no test matches `{pattern}`"),
            Some(&format!("the packs have {total} tests; the pattern is matched against `pack: test name`")),
        ),
        None => match output::print("0 passed, 0 failed (the packs have no `test` blocks)\n") {
            Ok(()) => EXIT_OK,
            Err(code) => code,
        },
    })
}

/// Every case's verdict, in parallel, in the cases' order.
pub(crate) fn run_cases(plan: &Plan, cases: &[TestCase]) -> Vec<Verdict> {
    cases.par_iter().map(|case| testing::run(plan, case)).collect()
}

/// One test's lines: `ok`, or `FAILED` / `ERROR` with its location and the reasons.
pub(crate) fn render(case: &TestCase, verdict: &Verdict) -> String {
    let title = title(case);
    match verdict {
        Verdict::Passed => format!("ok     {title}\n"),
        Verdict::Failed(reasons) => {
            let mut out = format!("FAILED {title} ({})\n", case.location);
            for reason in reasons {
                out.push_str(&format!("         {reason}\n"));
            }
            out
        }
        Verdict::Error(message) => format!("ERROR  {title} ({})\n         {message}\n", case.location),
    }
}

/// How many tests passed, failed, and could not run.
pub(crate) struct Tally {
    passed: usize,
    failed: usize,
    errors: usize,
}

impl Tally {
    pub(crate) fn of(verdicts: &[Verdict]) -> Tally {
        let count = |f: fn(&Verdict) -> bool| verdicts.iter().filter(|v| f(v)).count();
        Tally {
            passed: count(|v| matches!(v, Verdict::Passed)),
            failed: count(|v| matches!(v, Verdict::Failed(_))),
            errors: count(|v| matches!(v, Verdict::Error(_))),
        }
    }

    /// `N passed, N failed`: a test that could not run counts as failed.
    pub(crate) fn summary(&self) -> String {
        format!("{} passed, {} failed", self.passed, self.failed + self.errors)
    }

    fn exit_code(&self) -> u8 {
        if self.errors > 0 {
            EXIT_BAD_INPUT
        } else if self.failed > 0 {
            EXIT_FINDINGS
        } else {
            EXIT_OK
        }
    }
}
