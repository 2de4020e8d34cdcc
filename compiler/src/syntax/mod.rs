//! Text to syntax tree. Knows nothing of salsa, types or the CLI.

pub mod ast;
mod parser;
mod shift;
mod split;

pub use ast::Span;
pub use parser::{ChunkParse, Piece, parse, parse_chunk, parse_with};
