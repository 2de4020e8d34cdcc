//! The rulec rule-language front end: parsing, name resolution, type checking and lowering,
//! on an incremental (salsa) database shared by the CLI and the language server.

#[doc(hidden)]
pub mod bench_support;
pub mod compilation;
pub mod db;
pub mod diagnostics;
pub mod format;
pub mod ide;
pub mod packs;
pub mod semantic;
pub mod summary;
pub mod syntax;
pub mod testing;
