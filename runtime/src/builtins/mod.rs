//! Native builtins: the parts of the standard library the language would express slowly
//! or wrongly. Each works on plain Rust models so it can be tested on its own; the
//! evaluator adapts store values to them.

pub mod addresses;
pub mod iam;
pub mod net;
