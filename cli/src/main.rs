//! `rulec`: the command line. Only this binary prints to the terminal. Argument parsing and
//! dispatch live here; each subcommand lives in its own module.
// Standard output is written only through `output::emit` / `output::print`, which end quietly
// when the reader goes away (`print!` would panic): clippy's print_stdout stays on.
#![expect(clippy::print_stderr, reason = "the CLI's job is printing")]

mod check;
mod collect;
mod collect_host;
mod compile;
mod explain;
mod fmt;
mod graph;
mod history;
mod import;
mod input;
mod limits;
mod output;
mod profile;
mod progress;
mod report;
mod rules;
mod schema;
mod test;
mod triage;
mod watch;
mod watch_events;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

/// Exit codes of CLI.md.
pub(crate) const EXIT_OK: u8 = 0;
pub(crate) const EXIT_FINDINGS: u8 = 1;
pub(crate) const EXIT_BAD_INPUT: u8 = 2;

#[derive(Parser, Debug)]
#[command(
    name = "rulec",
    version,
    about = "Policy-as-code for cloud security: typed rules checked against asset snapshots",
    long_about = "rulec compiles rule packs written in a small, statically typed rule language and \
                  evaluates them against normalized snapshots of cloud estates.\n\n\
                  The standard library and the built-in packs are embedded in the binary; \
                  `--pack DIR` adds a pack folder or replaces the built-in pack of the same name.",
    after_help = "Examples:\n  rulec check snapshot.json                   run the built-in packs on a snapshot\n  \
                  rulec check --format sarif -o rulec.sarif snapshots/\n  \
                  rulec compile                               type-check the built-in packs\n  \
                  rulec compile --pack ./my-pack -o plan.json write a plan to run elsewhere\n  \
                  rulec check --plan plan.json snapshot.json  run a plan without compiling\n  \
                  rulec fmt --check packs/                    check the layout of .rule files\n\n\
                  Exit codes: 0 success, 1 findings at or above --fail-on, 2 bad input (compile error, \
                  invalid snapshot, bad flag)."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Evaluate the packs on one or more snapshots and report findings
    #[command(after_help = "Examples:\n  rulec check examples/snapshot.json\n  \
                            rulec check --format json -o findings.json snapshots/\n  \
                            rulec check --only-pack network --fail-on critical snapshot.yaml\n  \
                            rulec check --plan plan.json snapshot.json\n\n\
                            A SNAPSHOT is a .json / .yaml / .yml file or a directory of them (and of .jsonl \
                            event logs), merged into one snapshot.\n\n\
                            Exit codes: 0 no finding at or above --fail-on, 1 some, 2 bad input.")]
    Check(check::CheckArgs),
    /// Type-check the standard library, the built-in packs and any `--pack` folders
    #[command(after_help = "Examples:\n  rulec compile\n  rulec compile --pack ./packs/acme --pack ./packs/shared\n  \
                            rulec compile -o plan.json\n  \
                            rulec compile --message-format json | jq .code\n\n\
                            Exit codes: 0 when there are no errors (warnings allowed), 2 on any error.")]
    Compile(compile::CompileArgs),
    /// Rewrite `.rule` files in the canonical layout, or check that they are
    #[command(
        after_help = "Examples:\n  rulec fmt                         format every .rule file under the current directory\n  \
                            rulec fmt packs/acme              format a pack folder\n  \
                            rulec fmt --check packs/          list and diff the files that would change\n  \
                            rulec fmt - < rule.rule           format standard input to standard output\n\n\
                            Comments are kept; a file that does not parse is reported and left as it is.\n\n\
                            Exit codes: 0 formatted (or, with --check, nothing would change), 1 with --check \
                            when a file would change, 2 bad input (a syntax error, a missing path)."
    )]
    Fmt(fmt::FmtArgs),
    /// Show a rule and where it fires, or why it fired on an asset or did not: the value of each
    /// sub-expression
    #[command(after_help = "Examples:\n  rulec explain NET_SG_ADMIN_PORTS_OPEN examples/snapshot.json\n  \
                            rulec explain NET_SG_ADMIN_PORTS_OPEN --asset sg-1a2b3c examples/snapshot.json\n\n\
                            Without --asset: the rule's title, severity, subject type, controls, fix and source \
                            (file:line), then how many assets of its type the snapshot holds, how many pass its \
                            `where` and the ones it fires on (before allowlists).\n\n\
                            With --asset: the verdict, then the rule's `where`, `let`s and `when` as trees of \
                            `expression = value` lines; an operand that `and`, `or` or `??` skipped is marked \
                            (not evaluated).\n\n\
                            Exit codes: 0 explained, 2 bad input (an unknown rule or asset, an alarm, a compile \
                            error, an invalid snapshot).")]
    Explain(explain::ExplainArgs),
    /// Draw the resource graph of the packs' `edge` items, or only the attack paths found
    #[command(after_help = "Examples:\n  rulec graph examples/snapshot.json | dot -Tsvg > graph.svg\n  \
                            rulec graph --paths-only --format mermaid examples/snapshot.json\n  \
                            rulec graph --format json -o graph.json snapshots/\n\n\
                            Nodes without edges are left out. --paths-only evaluates the checks and draws the \
                            hops of every path their findings report.\n\n\
                            Exit codes: 0 drawn, 2 bad input.")]
    Graph(graph::GraphArgs),
    /// Run the `test` blocks of the packs: each test's snapshot through the rules it names
    #[command(after_help = "Examples:\n  rulec test\n  rulec test --filter ak:\n  \
                            rulec test --pack ./packs/acme --filter \"leaked key\"\n\n\
                            One line per test (ok, FAILED with what was expected and what fired instead, or \
                            ERROR when its snapshot cannot be loaded), then `N passed, N failed`.\n\n\
                            Exit codes: 0 all passed, 1 a test failed, 2 bad input (a compile error, a missing \
                            or invalid fixture, a filter that matches nothing).")]
    Test(test::TestArgs),
    /// List the checks of the packs (id, kind, severity, title, controls, pack), or a framework's coverage
    #[command(after_help = "Examples:\n  rulec rules\n  rulec rules --framework mlps2.l3\n  \
                            rulec rules --framework cis.alibaba --coverage\n  \
                            rulec rules --format markdown -o docs/rules.md\n  rulec rules --format json | jq '.rules[].id'\n\n\
                            Exit codes: 0 listed, 2 bad input (a compile error, an unknown framework).")]
    Rules(rules::RulesArgs),
    /// Turn saved Tencent Cloud / Alibaba Cloud answers (tccli, aliyun, ossutil output) into a snapshot
    #[command(after_help = "Examples:\n  rulec import raw/ -o snapshot.json\n  \
                            rulec import tencent raw/tencent -o snapshot.json\n  \
                            rulec import --provider tencent --region ap-guangzhou --account 100000000001 instances.json -o snapshot.json\n  \
                            rulec import raw/ --report import-report.json -o snapshot.json && rulec check snapshot.json\n\n\
                            RAW is a folder in the layout of docs/import.md (tencent|alibaba/<account>/<region>/<service>.<Action>.json, \
                            events/, leaks/, hosts/) or single answer files recognised by their shape.\n\n\
                            Exit codes: 0 imported (files skipped and records left out are listed on stderr and in --report), \
                            2 bad input (a missing path, an unknown account, an ambiguous file, an output that fails validation).")]
    Import(import::ImportArgs),
    /// Fetch a cloud account through its APIs (then import and check it), or a server's baseline
    #[command(subcommand)]
    Collect(collect::CollectCommand),
    /// Print the snapshot schema, for people who write their own snapshot producers
    #[command(
        after_help = "Examples:\n  rulec schema\n  rulec schema --format json-schema -o snapshot.schema.json\n  \
                            rulec schema --format markdown\n\n\
                            Exit codes: 0 printed, 2 bad input (a compile error in a --pack)."
    )]
    Schema(schema::SchemaArgs),
    /// Record a decision on a finding in the history store: accepted, false-positive or fixed
    #[command(
        after_help = "Examples:\n  rulec triage NET_SG_ADMIN_PORTS_OPEN sg-1 --status accepted --note \"bastion, ticket 42\" --store rulec.db\n  \
                            rulec triage AK_NOT_ROTATED_90D AKID123 --status fixed\n\n\
                            Accepted and false-positive findings stay listed, with the decision; a fixed finding \
                            that comes back is reported new again. See docs/history.md.\n\n\
                            Exit codes: 0 recorded, 2 bad input (no store, a finding the store never saw)."
    )]
    Triage(triage::TriageArgs),
    /// One self-contained HTML page: dashboard, access-key / source-IP / account views,
    /// alarms, risks, compliance and attack paths drawn
    #[command(after_help = "Examples:\n  rulec report examples/snapshot.json -o report.html\n  \
                            rulec report snapshots/ --store rulec.db --framework mlps2.l3 -o report.html\n  \
                            rulec report snapshot.json --geoip GeoLite2-City.mmdb --mask-keys -o report.html\n  \
                            rulec report snapshot.json --format json -o views.json\n\n\
                            The page is one file: no network access, no CDN; it reads and prints with \
                            JavaScript off. See docs/report.md.\n\n\
                            Exit codes: 0 written (whatever the findings), 2 bad input.")]
    Report(report::ReportArgs),
    /// Read the findings history store: trends per day
    #[command(subcommand)]
    History(history::HistoryCommand),
    /// Evaluate the alarm rules on a live stream of events, printing (or posting) each alarm as it fires
    #[command(
        after_help = "Examples:\n  tail -F audit.jsonl | rulec watch-events --source - --context snapshot.json\n  \
                            rulec watch-events --source events.jsonl --context snapshot.json --lateness 120\n  \
                            rulec watch-events --source - --sink https://hooks.example.com/rulec \
                            --sink-header 'Authorization: Bearer TOKEN'\n\n\
                            Lines are snapshot events (ApiCall, ConsoleLogin, LeakReport) or raw CloudAudit / \
                            ActionTrail records. Each alarm is one JSON line on standard output, as `rulec check \
                            --format jsonl` prints it, with an `id`; a burst is printed when it reaches its \
                            threshold and again, with the same id, when it closes if it grew. With --sink URL each \
                            line is POSTed to a webhook instead, in order, retried on 5xx / 408 / 429 / no answer. \
                            Bad lines are reported on standard error and skipped. See docs/streaming.md.\n\n\
                            Exit codes: 0 the input ended or SIGINT / SIGTERM, 2 bad input (a compile error, an \
                            invalid context snapshot or configuration, an unreadable source, a bad --sink) or a \
                            finding the webhook did not take."
    )]
    WatchEvents(watch_events::WatchEventsArgs),
}

/// Where packs come from; shared by every command that compiles.
#[derive(clap::Args, Clone, Debug)]
pub(crate) struct PackArgs {
    /// A pack folder (with pack.yaml) to add, or to use instead of the built-in pack of the same name
    #[arg(long = "pack", value_name = "DIR")]
    pub packs: Vec<PathBuf>,
    /// How to print compile diagnostics: `human` (rustc-like, on stderr) or `json` (one object per line)
    #[arg(long, value_enum, default_value_t = MessageFormat::Human)]
    pub message_format: MessageFormat,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub(crate) enum MessageFormat {
    Human,
    Json,
}

/// Loading a snapshot allocates millions of small values from every thread at once, which
/// glibc's allocator serialises (a parallel load ran slower than a single-threaded one).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Transparent huge pages off for this process (Linux), unless `MIMALLOC_ALLOW_THP` is set:
/// mimalloc asks for them, and where the kernel compacts memory to find them (its default
/// `defrag` setting, common on virtual machines) a check of 10^5 assets spent 1.5-3 s of
/// system time on it instead of 0.75 s, and its peak was 40 MB larger (docs/performance.md).
fn without_huge_pages() {
    #[cfg(target_os = "linux")]
    if std::env::var_os("MIMALLOC_ALLOW_THP").is_none() {
        // A kernel that refuses leaves things as they were, which is no error.
        let _ = nix::sys::prctl::set_thp_disable(true);
    }
}

fn main() -> ExitCode {
    without_huge_pages();
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { EXIT_BAD_INPUT } else { EXIT_OK };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    // A generous stack for the compiler's and evaluator's recursion on large inputs.
    let worker = std::thread::Builder::new().stack_size(256 << 20).spawn(move || match cli.command {
        Command::Check(args) => check::run(&args),
        Command::Compile(args) => compile::run(&args),
        Command::Explain(args) => explain::run(&args),
        Command::Fmt(args) => fmt::run(&args),
        Command::Graph(args) => graph::run(&args),
        Command::Test(args) => test::run(&args),
        Command::Rules(args) => rules::run(&args),
        Command::Import(args) => import::run(&args),
        Command::Collect(command) => collect::run(&command),
        Command::Schema(args) => schema::run(&args),
        Command::Report(args) => report::run(&args),
        Command::Triage(args) => triage::run(&args),
        Command::History(command) => history::run(&command),
        Command::WatchEvents(args) => watch_events::run(&args),
    });
    let code = match worker.map(std::thread::JoinHandle::join) {
        Ok(Ok(code)) => code,
        _ => fail("internal error: the command did not complete", Some("please report this with the command line")),
    };
    ExitCode::from(code)
}

/// Prints an error (and a help line) for bad input; returns the exit code for it.
pub(crate) fn fail(message: &str, help: Option<&str>) -> u8 {
    eprintln!("error: {message}");
    if let Some(help) = help {
        eprintln!("  help: {help}");
    }
    EXIT_BAD_INPUT
}

#[cfg(test)]
mod tests {
    #[cfg(target_os = "linux")]
    #[test]
    fn huge_pages_are_turned_off_unless_mimalloc_is_told_otherwise() {
        let before = nix::sys::prctl::get_thp_disable().expect("PR_GET_THP_DISABLE");
        super::without_huge_pages();
        let after = nix::sys::prctl::get_thp_disable().expect("PR_GET_THP_DISABLE");
        if std::env::var_os("MIMALLOC_ALLOW_THP").is_some() {
            assert_eq!(after, before, "MIMALLOC_ALLOW_THP leaves the process as it was");
        } else {
            assert!(after, "transparent huge pages are off");
        }
    }
}
