//! `rulec test`: run the `test` blocks of the packs, one line per test, failures with what
//! was expected and what fired instead.

use rayon::prelude::*;
use rulec_compiler::testing::{self, Verdict};

use super::{EXIT_BAD_INPUT, EXIT_FINDINGS, EXIT_OK, PackArgs, compile, fail};

#[derive(clap::Args, Debug)]
pub(crate) struct TestArgs {
    #[command(flatten)]
    pub packs: PackArgs,
    /// Run only the tests whose `pack: name` contains PATTERN
    #[arg(long, value_name = "PATTERN")]
    pub filter: Option<String>,
}

pub(crate) fn run(args: &TestArgs) -> u8 {
    let Some((packs, compilation)) = compile::compile_packs(&args.packs) else { return EXIT_BAD_INPUT };
    let Some(plan) = compilation.plan() else { return EXIT_BAD_INPUT };
    let all = testing::collect(&compilation, &packs);
    let total = all.len();
    let cases: Vec<_> = all
        .into_iter()
        .filter(|c| args.filter.as_ref().is_none_or(|p| format!("{}: {}", c.pack, c.name).contains(p.as_str())))
        .collect();
    if cases.is_empty() {
        return match &args.filter {
            Some(pattern) => fail(
                &format!("no test matches `{pattern}`"),
                Some(&format!("the packs have {total} tests; the pattern is matched against `pack: test name`")),
            ),
            None => {
                println!("0 passed, 0 failed (the packs have no `test` blocks)");
                EXIT_OK
            }
        };
    }
    let verdicts: Vec<Verdict> = cases.par_iter().map(|case| testing::run(&plan, case)).collect();
    let (mut passed, mut failed, mut errors) = (0, 0, 0);
    let mut out = String::new();
    for (case, verdict) in cases.iter().zip(&verdicts) {
        let title = format!("{}: {}", case.pack, case.name);
        match verdict {
            Verdict::Passed => {
                passed += 1;
                out.push_str(&format!("ok     {title}\n"));
            }
            Verdict::Failed(reasons) => {
                failed += 1;
                out.push_str(&format!("FAILED {title} ({})\n", case.location));
                for reason in reasons {
                    out.push_str(&format!("         {reason}\n"));
                }
            }
            Verdict::Error(message) => {
                errors += 1;
                out.push_str(&format!("ERROR  {title} ({})\n         {message}\n", case.location));
            }
        }
    }
    out.push_str(&format!("\n{passed} passed, {} failed\n", failed + errors));
    print!("{out}");
    if errors > 0 {
        EXIT_BAD_INPUT
    } else if failed > 0 {
        EXIT_FINDINGS
    } else {
        EXIT_OK
    }
}
