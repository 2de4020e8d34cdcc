//! `rulec report`: one self-contained HTML page — the dashboard, the access-key, source-IP
//! and account views, alarms, configuration risks, compliance by control and the attack
//! paths drawn — from a [`ReportDocument`].
//!
//! Self-contained: the style, the script and every drawing are inline, nothing is fetched.
//! Every table is in the HTML, so the page reads, prints and copies with JavaScript off; the
//! small script adds sorting, filtering and pages of rows. The same input gives the same
//! bytes.

mod svg;
mod table;

use maud::{DOCTYPE, Markup, PreEscaped, html};

use self::table::{Cell, Table};
use crate::plan::Severity;
use crate::report::{Finding, FindingKind};
use crate::views::{AccessKeyView, AccountView, FindingRef, ReportDocument, SeverityCounts, SourceIpView, is_pending};

const STYLE: &str = include_str!("report.css");
const SCRIPT: &str = include_str!("report.js");

/// The page.
pub fn render(doc: &ReportDocument) -> String {
    let report = &doc.report;
    let views = &doc.views;
    let alarms: Vec<&Finding> =
        report.findings.iter().filter(|f| f.kind == FindingKind::Alarm && is_pending(f)).collect();
    let risks: Vec<&Finding> =
        report.findings.iter().filter(|f| f.kind != FindingKind::Alarm && is_pending(f)).collect();
    let decided: Vec<&Finding> = report.findings.iter().filter(|f| !is_pending(f)).collect();
    let page = html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { "rulec report — " (report.snapshot.taken_at) }
                style { (PreEscaped(STYLE)) }
            }
            body {
                header.top {
                    h1 { "rulec report" }
                    p.meta {
                        "Snapshot taken at " (report.snapshot.taken_at) " · " (report.snapshot.assets) " assets · "
                        (report.snapshot.events) " events"
                        @if let Some(w) = &views.window { " · calls from " (w.from) " to " (w.to) }
                        " · rulec " (report.rulec_version)
                    }
                    nav aria-label="Sections" { ul {
                        li { a href="#dashboard" { "Dashboard" } }
                        li { a href="#access-keys" { "Access keys" } }
                        li { a href="#source-ips" { "Source IPs" } }
                        li { a href="#accounts" { "Accounts" } }
                        li { a href="#alarms" { "Alarms" } }
                        li { a href="#risks" { "Configuration risks" } }
                        @if report.compliance.is_some() { li { a href="#compliance" { "Compliance" } } }
                        li { a href="#attack-paths" { "Attack paths" } }
                        li { a href="#decided" { "Accepted & suppressed" } }
                    } }
                }
                main {
                    (dashboard(doc))
                    section #access-keys { h2 { "Access keys" } (access_keys(&views.access_keys)) }
                    section #source-ips { h2 { "Source IPs" } (source_ips(&views.source_ips)) }
                    section #accounts { h2 { "Accounts" } (accounts(&views.accounts)) }
                    section #alarms { h2 { "Alarms" } (findings_table("alarm-table", &alarms, "No pending alarms.")) }
                    section #risks { h2 { "Configuration risks" } (findings_table("risk-table", &risks, "No pending configuration risks.")) }
                    @if let Some(c) = &report.compliance { (compliance(c)) }
                    (attack_paths(doc))
                    section #decided {
                        h2 { "Accepted risks and false positives" }
                        (findings_table("decided-table", &decided, "No finding has been accepted or marked a false positive (`rulec triage`)."))
                        h3 { "Suppressed by rulec.yaml" }
                        (suppressed(report))
                    }
                }
                script { (PreEscaped(SCRIPT)) }
            }
        }
    };
    page.into_string()
}

fn dashboard(doc: &ReportDocument) -> Markup {
    let d = &doc.views.dashboard;
    let all = SeverityCounts(doc.report.findings.iter().fold(std::collections::BTreeMap::new(), |mut m, f| {
        *m.entry(f.severity).or_insert(0) += 1;
        m
    }));
    html! {
        section #dashboard {
            h2 { "Dashboard" }
            div.cards {
                (card("Access keys", d.access_keys.total, &format!("{} active · {} permanent · {} temporary", d.access_keys.active, d.access_keys.permanent, d.access_keys.temporary)))
                (card("Keys needing attention", d.access_keys.needing_attention, "a pending alarm, or a pending risk of medium or above"))
                (card("Source IPs", d.source_ips.total, &format!("{} external · {} internal · {} with alarms", d.source_ips.external, d.source_ips.internal, d.source_ips.with_alarms)))
                (card("Accounts", d.accounts, ""))
                (card("Pending alarms", d.pending_alarms, ""))
                (card("Pending risks", d.pending_risks, "configuration risks and attack paths"))
            }
            h3 { "Findings by kind and severity" }
            table.counts #severity-table {
                thead { tr { th scope="col" { "Kind" } @for s in Severity::ALL.iter().rev() { th scope="col" { (s.as_str()) } } th scope="col" { "Total" } } }
                tbody {
                    @for (kind, counts) in &d.findings {
                        tr { th scope="row" { (kind) } @for s in Severity::ALL.iter().rev() { td { (counts.at(*s)) } } td { (counts.total()) } }
                    }
                    tr.total { th scope="row" { "all" } @for s in Severity::ALL.iter().rev() { td { (all.at(*s)) } } td { (all.total()) } }
                }
            }
            p { (d.triaged) " accepted or false positive · " (d.suppressed) " suppressed by rulec.yaml" }
            h3 { "Trends" }
            @match &d.trends {
                Some(trends) if !trends.days.is_empty() => {
                    (svg::trends(trends))
                    (trend_table(trends))
                }
                _ => p.empty { "No stored runs: pass `--store rulec.db` (or set `store:` in rulec.yaml) to `rulec check` and `rulec report` to see trends." },
            }
        }
    }
}

fn card(title: &str, value: usize, detail: &str) -> Markup {
    html! { div.card { div.value { (value) } div.title { (title) } @if !detail.is_empty() { div.detail { (detail) } } } }
}

fn trend_table(trends: &crate::history::Trends) -> Markup {
    let sum = |m: &std::collections::BTreeMap<String, usize>| m.values().sum::<usize>();
    let mut t =
        Table::new("trend-table", &[("Day", false), ("Runs", true), ("New", true), ("Resolved", true), ("Open", true)]);
    for day in &trends.days {
        t.push(vec![
            Cell::text(&day.day),
            Cell::number(day.runs as u64),
            Cell::number(sum(&day.new) as u64),
            Cell::number(sum(&day.resolved) as u64),
            Cell::number(sum(&day.open) as u64),
        ]);
    }
    t.render("")
}

fn severity(s: Severity) -> Cell {
    Cell::markup(html! { span class=(format!("sev {}", s.as_str())) { (s.as_str()) } }).sorted_by(s as u8)
}

fn refs(list: &[FindingRef]) -> Cell {
    let rank = list.iter().map(|f| f.severity as usize + 1).max().unwrap_or(0);
    Cell::markup(html! {
        @for f in list {
            span class=(format!("sev {}", f.severity.as_str())) title=(f.title) { (f.rule) } " "
        }
        @if list.is_empty() { span.none { "—" } }
    })
    .sorted_by(rank * 100_000 + list.len())
}

fn yes_no(v: Option<bool>) -> Cell {
    match v {
        Some(true) => Cell::markup(html! { span.yes { "yes" } }).sorted_by(1),
        Some(false) => Cell::markup(html! { span.no { "no" } }).sorted_by(0),
        None => Cell::optional(None::<&str>).sorted_by(-1),
    }
}

fn list(items: &[String]) -> Cell {
    Cell::markup(html! {
        @if items.is_empty() { span.none { "—" } }
        @else { ul.compact { @for i in items { li { (i) } } } }
    })
}

fn access_keys(keys: &[AccessKeyView]) -> Markup {
    let mut t = Table::new(
        "key-table",
        &[
            ("Key", false),
            ("Account", false),
            ("Owner", false),
            ("Type", false),
            ("Status", false),
            ("Age (days)", true),
            ("Last used", false),
            ("Calls", true),
            ("Source IPs int / ext", false),
            ("Top APIs", false),
            ("Alarms", true),
            ("Risks", true),
            ("Policies", false),
            ("Advice", false),
        ],
    );
    for k in keys {
        let owner = k.owner.as_ref().map(|o| match &o.name {
            Some(name) => format!("{} {} ({name})", o.kind.as_deref().unwrap_or(""), o.id),
            None => format!("{} {}", o.kind.as_deref().unwrap_or(""), o.id),
        });
        let apis: Vec<String> = k.top_apis.iter().map(|a| format!("{} ×{}", a.api, a.calls)).collect();
        let sources = &k.source_ips;
        let mut advice = k.advice.clone();
        advice.truncate(3);
        t.push(vec![
            Cell::markup(html! {
                code { (k.id) }
                @if k.needs_attention { " " span.flag title="needs attention" { "!" } }
                @if !k.in_snapshot { " " span.muted { "(not in snapshot)" } }
            })
            .sorted_by(format!("{}{}", u8::from(!k.needs_attention), k.id)),
            Cell::optional(k.account.as_ref()),
            Cell::optional(owner),
            Cell::optional(k.kind.as_ref()),
            Cell::optional(k.status.as_ref()),
            match k.age_days {
                Some(d) => Cell::number(d),
                None => Cell::optional(None::<&str>).sorted_by(-1),
            },
            Cell::optional(k.last_used_at.as_ref()),
            Cell::number(k.calls as u64),
            Cell::markup(html! {
                (sources.internal) " / " (sources.external)
                @if sources.hidden_calls > 0 { " " span.muted { "(" (sources.hidden_calls) " calls hidden)" } }
            })
            .sorted_by(sources.external),
            list(&apis),
            refs(&k.alarms),
            refs(&k.risks),
            Cell::markup(html! {
                @if k.policies.is_empty() { span.none { "—" } } @else { (k.policies.join(", ")) }
                @if let Some(p) = &k.recommended_policy {
                    details { summary { "recommended" } pre { (serde_json::to_string_pretty(p).unwrap_or_default()) } }
                }
            }),
            list(&advice),
        ]);
    }
    t.render("The snapshot has no access keys and no API calls.")
}

fn source_ips(sources: &[SourceIpView]) -> Markup {
    let mut t = Table::new(
        "ip-table",
        &[
            ("Address", false),
            ("Internal", false),
            ("Owner asset", false),
            ("Location", false),
            ("Keys", true),
            ("Calls", true),
            ("Alarms", true),
            ("First seen", false),
            ("Last seen", false),
            ("Note", false),
        ],
    );
    for s in sources {
        let location = s.location.as_ref().map(|l| {
            [l.city.as_deref(), l.region.as_deref(), l.country.as_deref().or(l.country_code.as_deref())]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(", ")
        });
        t.push(vec![
            Cell::markup(html! { code { (s.address) } @if s.hidden { " " span.muted { "(hidden by ip_hiding)" } } }),
            match (s.internal, &s.basis) {
                (Some(i), Some(basis)) => Cell::markup(html! { span class=(if i { "yes" } else { "no" }) { (basis) } }).sorted_by(u8::from(i)),
                _ => Cell::optional(None::<&str>),
            },
            Cell::optional(s.owner.as_ref().map(|o| match &o.name {
                Some(n) => format!("{} {} ({n})", o.ty, o.id),
                None => format!("{} {}", o.ty, o.id),
            })),
            Cell::text(location.unwrap_or_else(|| "unknown".to_owned())),
            Cell::markup(html! { (s.keys) @if !s.key_ids.is_empty() { details { summary { "keys" } ul.compact { @for k in &s.key_ids { li { code { (k) } } } } } } })
                .sorted_by(s.keys),
            Cell::number(s.calls as u64),
            refs(&s.alarms),
            Cell::optional(s.first_seen.as_ref()),
            Cell::optional(s.last_seen.as_ref()),
            Cell::optional(s.note.as_ref()),
        ]);
    }
    t.render("The snapshot has no API calls.")
}

fn accounts(accounts: &[AccountView]) -> Markup {
    let mut t = Table::new(
        "account-table",
        &[
            ("Provider", false),
            ("Account", false),
            ("Name", false),
            ("Root MFA", false),
            ("Login protection", false),
            ("Operation protection", false),
            ("Last login", false),
            ("Alarms", true),
            ("Risks", true),
            ("Advice", false),
        ],
    );
    for a in accounts {
        let counts = |c: &SeverityCounts| {
            Cell::markup(html! {
                @if c.total() == 0 { span.none { "0" } }
                @for (s, n) in c.0.iter().rev() { span class=(format!("sev {}", s.as_str())) { (n) " " (s.as_str()) } " " }
            })
            .sorted_by(c.total())
        };
        t.push(vec![
            Cell::optional(a.provider.as_ref()),
            Cell::markup(html! { code { (a.account) } }),
            Cell::optional(a.name.as_ref()),
            yes_no(a.mfa_enabled),
            yes_no(a.login_protection),
            yes_no(a.operation_protection),
            Cell::optional(a.last_login.as_ref()),
            counts(&a.counts.alarms),
            counts(&a.counts.risks),
            list(&a.advice),
        ]);
    }
    t.render("The snapshot has no Account assets.")
}

fn findings_table(id: &'static str, findings: &[&Finding], empty: &str) -> Markup {
    let mut t = Table::new(
        id,
        &[
            ("Severity", false),
            ("Rule", false),
            ("Subject", false),
            ("Message", false),
            ("Status", false),
            ("Fix", false),
        ],
    );
    for f in findings {
        let status = f.history.as_ref().map(|h| match &h.triage {
            Some(t) => format!("{} · {}: {}", h.status.as_str(), t.status.as_str(), t.note),
            None => format!("{} since {}", h.status.as_str(), h.first_seen),
        });
        t.push(vec![
            severity(f.severity),
            Cell::markup(html! { code { (f.rule) } br; span.muted { (f.title) } }).sorted_by(&f.rule),
            Cell::markup(html! { (f.subject.ty) " " code { (f.subject.id) } }),
            Cell::text(&f.message),
            Cell::optional(status),
            Cell::optional(f.fix.as_ref()),
        ]);
    }
    t.render(empty)
}

fn suppressed(report: &crate::report::Report) -> Markup {
    let mut t = Table::new(
        "suppressed-table",
        &[("Severity", false), ("Rule", false), ("Subject", false), ("Message", false), ("Reason", false)],
    );
    for s in &report.suppressed {
        let f = &s.finding;
        t.push(vec![
            severity(f.severity),
            Cell::markup(html! { code { (f.rule) } }).sorted_by(&f.rule),
            Cell::markup(html! { (f.subject.ty) " " code { (f.subject.id) } }),
            Cell::text(&f.message),
            Cell::text(&s.reason),
        ]);
    }
    t.render("Nothing is suppressed.")
}

fn compliance(c: &crate::compliance::Compliance) -> Markup {
    let mut t = Table::new(
        "compliance-table",
        &[("Control", false), ("Status", false), ("Summary", false), ("Checks", false), ("Findings", true)],
    );
    for control in &c.controls {
        t.push(vec![
            Cell::markup(html! { code { (control.id) } }),
            Cell::markup(html! { span class=(format!("status {}", control.status.as_str().replace(' ', "-"))) { (control.status.as_str()) } }),
            Cell::text(&control.summary),
            list(&control.rules),
            Cell::number(control.findings.len() as u64),
        ]);
    }
    html! {
        section #compliance {
            h2 { "Compliance: " (c.title) }
            (t.render("The framework has no controls."))
        }
    }
}

fn attack_paths(doc: &ReportDocument) -> Markup {
    let paths = &doc.views.attack_paths;
    html! {
        section #attack-paths {
            h2 { "Attack paths" }
            @if paths.total == 0 { p.empty { "No attack path was found." } }
            @for (n, graph) in paths.drawn.iter().enumerate() {
                figure.attack-path {
                    figcaption {
                        span class=(format!("sev {}", graph.severity.as_str())) { (graph.severity.as_str()) } " "
                        code { (graph.rule) } " " (graph.message)
                    }
                    div.scroll { (svg::path(graph, n)) }
                }
            }
            @if paths.not_drawn > 0 {
                p.more { (paths.not_drawn) " more attack paths are not drawn (" (paths.total) " in all); they are listed under Configuration risks and in `rulec report --format json`." }
            }
        }
    }
}
