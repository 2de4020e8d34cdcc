//! `rulec graph`: draw the resource graph of the packs' edges, or only the attack paths found.

use std::path::PathBuf;

use clap::ValueEnum;
use rulec_runtime::eval::Engine;
use rulec_runtime::output::graph::{Drawing, GraphFormat};

use super::check::Session;
use super::{EXIT_BAD_INPUT, EXIT_OK, PackArgs, fail, output};

#[derive(clap::Args, Debug)]
pub(crate) struct GraphArgs {
    /// Snapshot files (.json, .yaml, .yml) or directories (also .jsonl), merged into one snapshot
    #[arg(value_name = "SNAPSHOT", required = true)]
    pub snapshots: Vec<PathBuf>,
    #[command(flatten)]
    pub packs: PackArgs,
    /// Drawing format: `dot` (Graphviz), `mermaid` or `json`
    #[arg(long, value_enum, default_value_t = DrawFormat::Dot)]
    pub format: DrawFormat,
    /// Draw only the nodes and edges of the paths that findings report (their `hops` evidence)
    #[arg(long)]
    pub paths_only: bool,
    /// Write the drawing to FILE (atomically) instead of standard output
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Configuration file [default: rulec.yaml in the current directory, if present]
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub(crate) enum DrawFormat {
    Dot,
    Mermaid,
    Json,
}

pub(crate) fn run(args: &GraphArgs) -> u8 {
    let session = match Session::open(&args.packs, None, args.config.as_deref(), &args.snapshots) {
        Ok(session) => session,
        Err(code) => return code,
    };
    for warning in &session.loaded.warnings {
        eprintln!("warning: {warning}");
    }
    if session.plan.edges.is_empty() {
        return fail("the loaded packs declare no `edge`, so there is no graph to draw", Some("add the `paths` pack"));
    }
    let engine = match Engine::new(&session.plan, &session.loaded.store) {
        Ok(engine) => engine,
        Err(e) => return fail(&e.to_string(), None),
    };
    let drawing = if args.paths_only {
        let outcome = engine.run(|c| session.config.as_ref().is_none_or(|cfg| cfg.selects(c)));
        if let Some(e) = outcome.errors.first() {
            eprintln!("error: {e}");
            return EXIT_BAD_INPUT;
        }
        Drawing::from_paths(&outcome.findings)
    } else {
        let (graph, names) = match engine.graph() {
            Ok(built) => built,
            Err(e) => return fail(&format!("the resource graph cannot be built: {e}"), None),
        };
        Drawing::from_edges(graph.edges().into_iter().map(|(from, to, kind)| {
            let name = names.get(kind as usize).copied().unwrap_or_default().to_owned();
            (engine.describe(from), engine.describe(to), name)
        }))
    };
    let format = match args.format {
        DrawFormat::Dot => GraphFormat::Dot,
        DrawFormat::Mermaid => GraphFormat::Mermaid,
        DrawFormat::Json => GraphFormat::Json,
    };
    let text = drawing.render(format);
    match output::emit(args.output.as_deref(), &text) {
        Ok(()) => EXIT_OK,
        Err(message) => fail(&message, None),
    }
}
