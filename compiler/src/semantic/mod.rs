//! Name resolution and type checking.
//!
//! [`env`] builds the workspace-wide environment from span-free summaries; [`items`] checks
//! one item at a time against it, delegating expressions to [`expr`].

pub mod env;
pub mod expr;
mod items;
pub mod literals;
pub mod lower;
pub mod methods;
pub mod reads;
pub mod signature;
pub mod ty;

pub use env::{GlobalEnv, build_global_env};
pub use items::{DefKey, SEVERITIES, check_file_header, check_item, references};
