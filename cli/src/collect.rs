//! `rulec collect tencent|alibaba`: the cloud's answers fetched live into the RAW layout, then
//! imported and checked exactly as `rulec import` and `rulec check` would; `collect host` is
//! collect_host's. Collecting is rulec-collect's; this module finds the key, draws
//! the progress bar and prints the summary.

use std::fmt::Write as _;
use std::io::IsTerminal;
use std::path::PathBuf;
use std::time::Duration;

use clap::Parser as _;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use rulec_collect::live::{self, Progress, Settings, Summary, credentials};
use rulec_collect::raw::Provider;

use super::import::{ImportArgs, ProviderArg};
use super::{EXIT_OK, PackArgs, fail, output};

#[derive(clap::Subcommand, Debug)]
pub(crate) enum CollectCommand {
    /// Read a Tencent Cloud account through its APIs
    #[command(after_help = CLOUD_HELP)]
    Tencent(CloudArgs),
    /// Read an Alibaba Cloud account through its APIs
    #[command(after_help = CLOUD_HELP)]
    Alibaba(CloudArgs),
    /// Read a Linux server's baseline (sshd, accounts, password policy, services, file modes,
    /// missing security updates) into one Host record for `rulec import`'s hosts/ folder
    #[command(after_help = "Examples:\n  sudo rulec collect host -o hosts/$(hostname).json\n  \
                            rulec collect host --root /mnt/web-1 --id host-web-1 -o hosts/web-1.json\n  \
                            ssh web-1 sudo rulec collect host -o - > hosts/web-1.json\n  \
                            rulec import raw/ hosts/ -o snapshot.json && rulec check snapshot.json\n\n\
                            Without root, /etc/shadow and other protected files cannot be read: their facts are \
                            recorded as not found and listed on stderr (and in --report) as not determined.\n\n\
                            Exit codes: 0 collected (with what could not be read listed), 2 bad input (a --root \
                            that is not a folder, an output that cannot be written).")]
    Host(super::collect_host::HostArgs),
}

const CLOUD_HELP: &str = "Examples:\n  rulec collect tencent -o snapshot.json\n  \
    rulec collect alibaba --regions cn-hangzhou,cn-shanghai --events-since 24h --save-raw raw/ -o snapshot.json\n  \
    rulec collect tencent --profile audit --assume-role qcs::cam::uin/100000000002:roleName/rulec-audit -o org.json\n  \
    rulec collect tencent --print-policy > rulec-readonly.json\n\n\
    Credentials: --profile NAME (tccli's ~/.tccli/NAME.credential, aliyun's ~/.aliyun/config.json), else \
    TENCENTCLOUD_SECRET_ID / TENCENTCLOUD_SECRET_KEY [/ TENCENTCLOUD_SESSION_TOKEN] or ALIBABA_CLOUD_ACCESS_KEY_ID / \
    ALIBABA_CLOUD_ACCESS_KEY_SECRET [/ ALIBABA_CLOUD_SECURITY_TOKEN], else the CLI's default profile.\n\n\
    Calls the key may not make are recorded in the snapshot's coverage (checks over them read \"not evaluated\") \
    and named in the summary; the run goes on.\n\n\
    Exit codes: as `rulec check` on the collected snapshot (0 no finding at or above --fail-on, 1 some); \
    0 after --print-policy, --no-check or a snapshot written to standard output; 2 when nothing could be \
    collected (the vendor's message is shown) or on bad input.";

#[derive(clap::Args, Debug)]
pub(crate) struct CloudArgs {
    /// Write the snapshot to FILE (atomically); without it the snapshot goes to standard output
    /// and is not checked
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Regions to read, comma-separated [default: every region DescribeRegions lists]
    #[arg(long, value_delimiter = ',', value_name = "REGION,...")]
    pub regions: Option<Vec<String>>,
    /// Services to read, comma-separated, as the call table names them (cvm,vpc,cam,cos / ecs,ram,oss,...)
    #[arg(long, value_delimiter = ',', value_name = "SERVICE,...")]
    pub services: Option<Vec<String>>,
    /// Also read the audit events of this window back from now (e.g. 24h, 7d, 90m)
    #[arg(long, value_name = "DURATION")]
    pub events_since: Option<String>,
    /// Keep the answers in DIR, in the RAW layout `rulec import` reads
    #[arg(long, value_name = "DIR")]
    pub save_raw: Option<PathBuf>,
    /// The CLI profile holding the key (tccli / aliyun)
    #[arg(long, value_name = "NAME")]
    pub profile: Option<String>,
    /// Collect the account of this role instead, by STS AssumeRole with the key; repeat for
    /// several accounts of an organisation
    #[arg(long = "assume-role", value_name = "ARN")]
    pub assume_role: Vec<String>,
    /// Print the least-privilege read-only policy covering every call rulec makes, and exit
    #[arg(long)]
    pub print_policy: bool,
    /// Write the snapshot only; do not evaluate the packs on it
    #[arg(long)]
    pub no_check: bool,
    /// Requests in flight at once
    #[arg(long, default_value_t = 16, value_name = "N")]
    pub concurrency: usize,
    /// Requests per second per API, instead of the vendors' documented limits
    #[arg(long, value_name = "N")]
    pub rate: Option<u32>,
    /// The limit on one request, in seconds
    #[arg(long, default_value_t = 30, value_name = "SECONDS")]
    pub timeout: u64,
    /// Attempts per request (throttling and network errors are retried with backoff)
    #[arg(long, default_value_t = 6, value_name = "N")]
    pub attempts: usize,
    /// Send every request to this base URL, keeping the vendor's host in the signed Host header
    /// (an API gateway or proxy; the tests' mock cloud)
    #[arg(long, value_name = "URL")]
    pub endpoint: Option<String>,
    /// Also write the import report as JSON to FILE
    #[arg(long, value_name = "FILE")]
    pub report: Option<PathBuf>,
    /// How findings are printed, as `rulec check --format`
    #[arg(long, default_value = "table", value_name = "FORMAT")]
    pub format: String,
    /// The lowest severity that makes the exit code 1, as `rulec check --fail-on`
    #[arg(long, value_name = "SEVERITY")]
    pub fail_on: Option<String>,
    #[command(flatten)]
    pub packs: PackArgs,
}

pub(crate) fn run(command: &CollectCommand) -> u8 {
    match command {
        CollectCommand::Tencent(args) => cloud(Provider::Tencent, args),
        CollectCommand::Alibaba(args) => cloud(Provider::Alibaba, args),
        CollectCommand::Host(args) => super::collect_host::run(args),
    }
}

fn cloud(provider: Provider, args: &CloudArgs) -> u8 {
    if args.print_policy {
        let mut json = serde_json::to_string_pretty(&live::policy::document(provider)).unwrap_or_default();
        json.push('\n');
        return match output::emit(None, &json) {
            Ok(()) => EXIT_OK,
            Err(message) => fail(&message, None),
        };
    }
    // The check's options are read before collecting, so a typo costs nothing.
    let check = match (&args.output, args.no_check) {
        (Some(snapshot), false) => match check_args(snapshot, args) {
            Ok(check) => Some(check),
            Err(message) => return fail(&message, Some("see `rulec check --help` for --format and --fail-on")),
        },
        _ => None,
    };
    let settings = match settings(provider, args) {
        Ok(settings) => settings,
        Err(message) => return fail(&message, Some("see `rulec collect --help`")),
    };
    let home = std::env::var_os("HOME").map(PathBuf::from);
    let found =
        match credentials::find(provider, args.profile.as_deref(), home.as_deref(), &|name| std::env::var(name).ok()) {
            Ok(found) => found,
            Err(message) => return fail(&message, None),
        };
    eprintln!("rulec: collecting {} with the key from {}", provider.as_str(), found.source);
    let roles: Vec<String> = match (&found.role, args.assume_role.is_empty()) {
        (_, false) => args.assume_role.clone(),
        (Some(role), true) => vec![role.clone()],
        (None, true) => Vec::new(),
    };
    let keys = if roles.is_empty() {
        vec![(None, found.key.clone())]
    } else {
        let mut keys = Vec::new();
        for role in &roles {
            match live::assume_role(&settings, found.key.clone(), role) {
                Ok(key) => keys.push((Some(role.clone()), key)),
                Err(err) => {
                    return fail(
                        &err.to_string(),
                        Some("the key needs sts:AssumeRole on the role, and the role must trust its account"),
                    );
                }
            }
        }
        keys
    };
    let scratch;
    let raw = match &args.save_raw {
        Some(dir) => dir.clone(),
        None => match tempfile::tempdir() {
            Ok(dir) => {
                scratch = dir;
                scratch.path().to_owned()
            }
            Err(err) => return fail(&format!("cannot make a temporary folder: {err}"), None),
        },
    };
    let mut summaries = Vec::new();
    for (role, key) in keys {
        let bar = Bar::start(role.as_deref());
        let collected = live::collect(&settings, key, &raw, &bar);
        drop(bar);
        match collected {
            Ok(summary) => summaries.push(summary),
            Err(err) => {
                let whose = role.map(|role| format!(" (as {role})")).unwrap_or_default();
                return fail(
                    &format!("nothing collected{whose}: {err}"),
                    Some("check the key, its profile and the clock"),
                );
            }
        }
    }
    eprint!("{}", summary_text(&summaries));
    let import = ImportArgs {
        raw: vec![raw.display().to_string()],
        output: args.output.clone(),
        account: None,
        taken_at: Some(rulec_collect::time::format(settings.now)),
        provider: Some(match provider {
            Provider::Tencent => ProviderArg::Tencent,
            Provider::Alibaba => ProviderArg::Alibaba,
        }),
        region: None,
        report: args.report.clone(),
        packs: PackArgs { packs: args.packs.packs.clone(), message_format: args.packs.message_format },
    };
    match (super::import::run(&import), check) {
        (EXIT_OK, Some(check)) => super::check::run(&check),
        (code, _) => code,
    }
}

/// `rulec check SNAPSHOT` with the options given to collect, to evaluate the packs on the
/// written snapshot exactly as `rulec check` does.
fn check_args(snapshot: &std::path::Path, args: &CloudArgs) -> Result<super::check::CheckArgs, String> {
    #[derive(clap::Parser)]
    struct Check {
        #[command(flatten)]
        args: super::check::CheckArgs,
    }
    let mut argv =
        vec!["rulec-check".to_owned(), snapshot.display().to_string(), "--format".to_owned(), args.format.clone()];
    if let Some(fail_on) = &args.fail_on {
        argv.extend(["--fail-on".to_owned(), fail_on.clone()]);
    }
    for pack in &args.packs.packs {
        argv.extend(["--pack".to_owned(), pack.display().to_string()]);
    }
    Check::try_parse_from(argv).map(|parsed| parsed.args).map_err(|err| {
        let text = err.to_string();
        text.lines().next().unwrap_or_default().trim_start_matches("error: ").to_owned()
    })
}

fn settings(provider: Provider, args: &CloudArgs) -> Result<Settings, String> {
    let events_since = match &args.events_since {
        Some(text) => Some(
            duration(text)
                .ok_or_else(|| format!("--events-since `{text}` is not a duration such as 24h, 7d or 90m"))?,
        ),
        None => None,
    };
    if args.concurrency == 0 || args.attempts == 0 || args.timeout == 0 || args.rate == Some(0) {
        return Err("--concurrency, --attempts, --timeout and --rate must be at least 1".to_owned());
    }
    let list = |values: &Option<Vec<String>>| {
        values
            .as_ref()
            .map(|values| values.iter().map(|v| v.trim().to_owned()).filter(|v| !v.is_empty()).collect::<Vec<_>>())
    };
    let services = list(&args.services);
    if let Some(services) = &services {
        let known: std::collections::BTreeSet<&str> =
            rulec_collect::calls::all().filter(|c| c.provider == provider).map(|c| c.service).collect();
        if let Some(unknown) = services.iter().find(|s| !known.contains(s.as_str())) {
            let known: Vec<&str> = known.into_iter().collect();
            return Err(format!(
                "--services: `{unknown}` is not a {} service rulec reads (one of {})",
                provider.as_str(),
                known.join(", ")
            ));
        }
    }
    Ok(Settings {
        provider,
        regions: list(&args.regions),
        services,
        events_since,
        endpoint: args.endpoint.clone(),
        timeout: Duration::from_secs(args.timeout),
        attempts: args.attempts,
        backoff: Duration::from_millis(200),
        concurrency: args.concurrency,
        rate: args.rate,
        now: chrono::Utc::now(),
    })
}

/// `24h`, `7d`, `90m`, `3600s`.
fn duration(text: &str) -> Option<Duration> {
    let (number, unit) = text.trim().split_at(text.trim().find(|c: char| !c.is_ascii_digit())?);
    let number: u64 = number.parse().ok()?;
    let seconds = match unit {
        "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86_400,
        _ => return None,
    };
    Some(Duration::from_secs(number.checked_mul(seconds)?))
}

/// The end-of-run summary: per account, the calls made and the ones that failed, by call.
fn summary_text(summaries: &[Summary]) -> String {
    let mut out = String::new();
    for summary in summaries {
        let failed: usize = summary.failures.iter().map(|f| f.count).sum();
        let _ = writeln!(
            out,
            "rulec: collected {} account {}: {} calls ({} pages, {} requests, {} retried) in {} regions, {failed} failed, {:.1}s",
            summary.provider.as_str(),
            summary.account,
            summary.calls,
            summary.pages,
            summary.requests,
            summary.retries,
            summary.regions.len(),
            summary.seconds
        );
        for failure in &summary.failures {
            let _ = writeln!(
                out,
                "  not collected: {} ×{}: {}: {}",
                failure.call, failure.count, failure.code, failure.message
            );
        }
        for (call, why) in &summary.not_made {
            let _ = writeln!(out, "  not made: {call}: {why}");
        }
    }
    out
}

/// The progress bar on stderr: calls done of planned, and how many failed.
struct Bar {
    bar: Option<ProgressBar>,
    failed: std::sync::atomic::AtomicUsize,
}

impl Bar {
    fn start(role: Option<&str>) -> Bar {
        let failed = std::sync::atomic::AtomicUsize::new(0);
        if !std::io::stderr().is_terminal() {
            return Bar { bar: None, failed };
        }
        let bar = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr());
        if let Ok(style) =
            ProgressStyle::with_template("{spinner} {prefix}[{bar:30}] {pos}/{len} calls, {msg} ({elapsed})")
        {
            bar.set_style(style.progress_chars("=> "));
        }
        bar.set_prefix(role.map(|role| format!("{role} ")).unwrap_or_default());
        bar.set_message("0 failed");
        bar.enable_steady_tick(Duration::from_millis(120));
        Bar { bar: Some(bar), failed }
    }
}

impl Progress for Bar {
    fn planned(&self, requests: usize) {
        if let Some(bar) = &self.bar {
            bar.inc_length(requests as u64);
        }
    }

    fn done(&self, call: &str, failed: bool) {
        let failures =
            self.failed.fetch_add(usize::from(failed), std::sync::atomic::Ordering::Relaxed) + usize::from(failed);
        if let Some(bar) = &self.bar {
            bar.inc(1);
            bar.set_message(format!("{failures} failed, last {call}"));
        }
    }
}

impl Drop for Bar {
    fn drop(&mut self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_as_the_help_says() {
        assert_eq!(duration("24h"), Some(Duration::from_secs(86_400)));
        assert_eq!(duration("7d"), Some(Duration::from_secs(604_800)));
        assert_eq!(duration("90m"), Some(Duration::from_secs(5_400)));
        assert_eq!(duration("h"), None);
        assert_eq!(duration("24"), None);
        assert_eq!(duration("3w"), None);
    }
}
