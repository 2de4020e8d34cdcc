//! rulec runtime: compiled plans, the snapshot store, the evaluator and its native
//! builtins. It knows nothing of the rule language's syntax: it runs a [`plan::Plan`] the
//! compiler lowered, or one shipped from elsewhere.

pub mod builtins;
pub mod compliance;
pub mod config;
pub mod coverage;
pub mod eval;
pub mod filter;
pub mod graph;
pub mod history;
pub mod limits;
pub mod output;
pub mod plan;
mod pool;
pub mod report;
pub mod snapshot;
#[doc(hidden)]
pub mod synth;
pub mod uses;
pub mod value;
pub mod views;
