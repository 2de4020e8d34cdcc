//! Saved answers on disk: where they sit (the IMPORT.md layout) and how their text reads.

pub mod answer;
pub mod layout;
mod xml;

pub use answer::{Answer, ApiError, Syntax};
pub use layout::{CallFile, GLOBAL, Placed, Provider, UNKNOWN_ACCOUNT};
