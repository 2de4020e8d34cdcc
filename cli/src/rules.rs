//! `rulec rules`: list the checks of the packs (id, severity, title, controls, pack), or with
//! `--coverage` the controls of one framework and the checks that evidence each.

use std::path::PathBuf;

use clap::ValueEnum;
use rulec_runtime::output::coverage::render_coverage;
use rulec_runtime::output::rules::{RulesFormat, render_rules};

use super::{EXIT_BAD_INPUT, EXIT_OK, PackArgs, compile, fail, output};

#[derive(clap::Args, Debug)]
pub(crate) struct RulesArgs {
    #[command(flatten)]
    pub packs: PackArgs,
    /// List only the checks that cite a control of this framework (e.g. `mlps2.l3`)
    #[arg(long, value_name = "F")]
    pub framework: Option<String>,
    /// List every control of the framework instead, each with the checks that evidence it, or
    /// `manual`, or `not covered`
    #[arg(long, requires = "framework")]
    pub coverage: bool,
    /// Output format
    #[arg(long, value_enum, default_value_t = ListFormat::Table)]
    pub format: ListFormat,
    /// Write the listing to FILE (atomically) instead of standard output
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub(crate) enum ListFormat {
    Table,
    Json,
    Markdown,
}

pub(crate) fn run(args: &RulesArgs) -> u8 {
    let Some(compilation) = compile::compile(&args.packs) else { return EXIT_BAD_INPUT };
    let Some(plan) = compilation.plan() else { return EXIT_BAD_INPUT };
    let format = match args.format {
        ListFormat::Table => RulesFormat::Table,
        ListFormat::Json => RulesFormat::Json,
        ListFormat::Markdown => RulesFormat::Markdown,
    };
    let rendered = match (&args.framework, args.coverage) {
        (Some(framework), true) => render_coverage(&plan, framework, format),
        _ => render_rules(&plan, args.framework.as_deref(), format),
    };
    let text = match rendered {
        Ok(text) => text,
        Err(e) => return fail(&e.to_string(), e.help().as_deref()),
    };
    match output::emit(args.output.as_deref(), &text) {
        Ok(()) => EXIT_OK,
        Err(message) => fail(&message, None),
    }
}
