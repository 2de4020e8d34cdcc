//! The front end never panics, whatever the input, and every diagnostic points inside its file.
//!
//! - the parser on arbitrary strings, arbitrary bytes (lossily decoded) and token soup;
//! - a full compilation (std + the built-in packs) where one real file is replaced by a random
//!   mutation of itself (byte ranges deleted, duplicated or swapped, tokens and characters
//!   inserted): no panic, every span valid, syntax errors kept; and on fewer cases, the warm
//!   incremental compilation given the same edit agrees with a compilation from scratch;
//! - the formatter on the same mutated files and token soup: what parses cleanly formats to
//!   text with the same syntax tree that formats to itself, and what does not parse is refused
//!   (never a panic, never an internal error);
//! - hand-written regression inputs, including deep nesting, run on a thread with the default
//!   2 MiB stack of a spawned thread (what a language-server worker gets).
//!
//! Case counts are capped, and most cases reuse a warm compilation (only the changed file is
//! re-parsed), so the whole file runs in seconds in a debug build.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::sync::{LazyLock, Mutex};

use proptest::prelude::*;
use proptest::sample::{Index, select};
use rulec_compiler::compilation::Compilation;
use rulec_compiler::diagnostics::Diagnostic;
use rulec_compiler::diagnostics::render::{self, HumanStyle};
use rulec_compiler::format::{FormatError, format_source, same_syntax};
use rulec_compiler::packs::{self, Pack};
use rulec_compiler::syntax;

static BUILTIN: LazyLock<Vec<Pack>> = LazyLock::new(packs::builtin);

fn builtin_paths() -> Vec<String> {
    BUILTIN.iter().flat_map(|p| &p.files).map(|f| f.path.clone()).collect()
}

fn original_text(path: &str) -> &'static str {
    let file = BUILTIN.iter().flat_map(|p| &p.files).find(|f| f.path == path);
    &file.unwrap_or_else(|| panic!("no built-in file {path}")).text
}

/// The built-in packs with `path` replaced by `text`.
fn packs_with(path: &str, text: &str) -> Vec<Pack> {
    let mut packs = BUILTIN.clone();
    for file in packs.iter_mut().flat_map(|p| &mut p.files).filter(|f| f.path == path) {
        file.text = text.to_owned();
    }
    packs
}

fn sources(packs: &[Pack]) -> BTreeMap<String, String> {
    packs.iter().flat_map(|p| &p.files).map(|f| (f.path.clone(), f.text.clone())).collect()
}

/// Every primary and related span lies inside its file, on char boundaries.
fn check_spans(diagnostics: &[Diagnostic], sources: &BTreeMap<String, String>) {
    for d in diagnostics {
        let spans = std::iter::once((&d.file, d.span)).chain(d.related.iter().map(|r| (&r.file, r.span)));
        for (file, span) in spans {
            let text = sources.get(file).unwrap_or_else(|| panic!("diagnostic names an unknown file: {d:#?}"));
            let (start, end) = (span.start as usize, span.end as usize);
            assert!(start <= end && end <= text.len(), "span {span:?} outside {file} ({} bytes): {d:#?}", text.len());
            assert!(
                text.is_char_boundary(start) && text.is_char_boundary(end),
                "span {span:?} not on char boundaries of {file}: {d:#?}"
            );
        }
    }
}

/// Checks the spans of `diagnostics` and that they render.
fn check_diagnostics(diagnostics: &[Diagnostic], sources: &BTreeMap<String, String>) {
    check_spans(diagnostics, sources);
    // Rendering walks the spans again (line/column, excerpts); a few diagnostics suffice.
    let some = &diagnostics[..diagnostics.len().min(8)];
    render::human(some, sources, HumanStyle { color: false, width: 100 });
    render::json_lines(some, sources);
}

/// Compiles from scratch and checks the diagnostics.
fn compile_checked(packs: &[Pack]) -> Vec<Diagnostic> {
    let diagnostics = Compilation::new(packs).diagnostics();
    check_diagnostics(&diagnostics, &sources(packs));
    diagnostics
}

/// Sets `path` to `text` in a warm compilation, checks the diagnostics, and returns them.
fn recompile_checked(compilation: &mut Compilation, path: &str, text: &str) -> Vec<Diagnostic> {
    compilation.upsert("extra", path, text.to_owned());
    let diagnostics = compilation.diagnostics();
    let mut sources = sources(&BUILTIN);
    sources.insert(path.to_owned(), text.to_owned());
    check_diagnostics(&diagnostics, &sources);
    diagnostics
}

/// Parses on its own and checks the spans of the syntax diagnostics.
fn parse_checked(text: &str) {
    let path = "input.rule";
    let (_, diagnostics) = syntax::parse(path, text);
    check_spans(&diagnostics, &BTreeMap::from([(path.to_owned(), text.to_owned())]));
}

// ------------------------------------------------------------------------- strategies

/// Tokens besides the keywords that steer the parser into its interesting corners.
const OTHER_TOKENS: &[&str] = &[
    "std.net",
    "net",
    "SecurityGroup",
    "sg",
    "sg.id",
    "x",
    "ports",
    "{",
    "}",
    "(",
    ")",
    "[",
    "]",
    "\"",
    "\"tcp\"",
    "\"{sg.id}\"",
    "\"\\{\"",
    "\"\\q\"",
    "\"\\u{110000}\"",
    "///",
    "// c",
    "\n",
    "\n\n",
    "\t",
    "\r\n",
    "?.",
    "??",
    "=>",
    "->",
    ":",
    ",",
    ".",
    "?",
    "|",
    "=",
    "==",
    "!=",
    "<",
    ">=",
    "+",
    "-",
    "*",
    "/",
    "%",
    "0",
    "22",
    "-1",
    "0.5",
    "99999999999999999999",
    "1h30m",
    "90d",
    "/re/i",
    "/(/",
    "ip(\"1.2.3.4\")",
    "cidr(\"::/0\")",
    "cidr(\"1.2.3.4/33\")",
    "time(\"2026-01-01T00:00:00Z\")",
    "time(\"x\")",
    "now()",
    "mlps2.l3.\"8.1.3.2-a\"",
    "\u{feff}",
    "é",
    "中",
    "\0",
    "\\",
];

/// The keywords and the other tokens.
fn tokens() -> Vec<&'static str> {
    rulec_compiler::syntax::keywords().chain(OTHER_TOKENS.iter().copied()).collect()
}

fn token_soup() -> impl Strategy<Value = String> {
    prop::collection::vec((select(tokens()), select(&[" ", "", "\n", "  "][..])), 0..80)
        .prop_map(|parts| parts.into_iter().map(|(t, sep)| format!("{t}{sep}")).collect())
}

fn insertion() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => select(tokens()).prop_map(str::to_owned),
        1 => any::<char>().prop_map(String::from),
        1 => "[a-z_]{1,8}",
        1 => "\\PC{1,6}",
        1 => Just("\nrule X {\n".to_owned()),
        1 => Just("\n}\n".to_owned()),
    ]
}

#[derive(Clone, Debug)]
enum Mutation {
    Delete { at: Index, len: usize },
    Duplicate { at: Index, len: usize },
    Swap { a: Index, b: Index, len: usize },
    Insert { at: Index, text: String },
}

fn range_len() -> impl Strategy<Value = usize> {
    prop_oneof![4 => 0..16usize, 2 => 16..128usize, 1 => 128..2000usize]
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        2 => (any::<Index>(), range_len()).prop_map(|(at, len)| Mutation::Delete { at, len }),
        1 => (any::<Index>(), range_len()).prop_map(|(at, len)| Mutation::Duplicate { at, len }),
        1 => (any::<Index>(), any::<Index>(), range_len()).prop_map(|(a, b, len)| Mutation::Swap { a, b, len }),
        3 => (any::<Index>(), insertion()).prop_map(|(at, text)| Mutation::Insert { at, text }),
    ]
}

/// A byte offset of `text` on a char boundary.
fn offset(text: &str, at: &Index) -> usize {
    text.floor_char_boundary(at.index(text.len() + 1))
}

/// `start..start+len`, clipped to `text` and to char boundaries.
fn range(text: &str, start: usize, len: usize) -> std::ops::Range<usize> {
    start..text.floor_char_boundary(start.saturating_add(len).min(text.len()))
}

fn apply(text: &str, mutation: &Mutation) -> String {
    match mutation {
        Mutation::Delete { at, len } => {
            let r = range(text, offset(text, at), *len);
            format!("{}{}", &text[..r.start], &text[r.end..])
        }
        Mutation::Duplicate { at, len } => {
            let r = range(text, offset(text, at), *len);
            format!("{}{}", &text[..r.end], &text[r.start..])
        }
        Mutation::Swap { a, b, len } => {
            let (a, b) = (offset(text, a), offset(text, b));
            let (first, second) = (a.min(b), a.max(b));
            let first = first..range(text, first, *len).end.min(second);
            let second = range(text, second, *len);
            format!(
                "{}{}{}{}{}",
                &text[..first.start],
                &text[second.clone()],
                &text[first.end..second.start],
                &text[first],
                &text[second.end..]
            )
        }
        Mutation::Insert { at, text: inserted } => {
            let at = offset(text, at);
            format!("{}{inserted}{}", &text[..at], &text[at..])
        }
    }
}

/// The path under which extra inputs join the built-in packs.
const EXTRA: &str = "extra/input.rule";

thread_local! {
    /// A warm compilation of the built-in packs, reused across the cases of one thread. Every
    /// case leaves the built-in files as they were; `EXTRA` holds the last extra input.
    static WARM: RefCell<Compilation> = RefCell::new(Compilation::new(&BUILTIN));
}

/// Runs `f` on this thread's warm compilation; after a panic the compilation is replaced, so
/// that proptest's shrinking runs start from a sound state.
fn with_warm<T>(f: impl FnOnce(&mut Compilation) -> T) -> T {
    WARM.with_borrow_mut(|c| match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| f(c))) {
        Ok(value) => value,
        Err(panic) => {
            *c = Compilation::new(&BUILTIN);
            std::panic::resume_unwind(panic)
        }
    })
}

/// Like `WARM`, for the regression inputs, which each run on a thread of their own.
static SHARED: LazyLock<Mutex<Compilation>> = LazyLock::new(|| Mutex::new(Compilation::new(&BUILTIN)));

// ------------------------------------------------------------------------- properties

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn parse_never_panics_on_arbitrary_strings(text in any::<String>()) {
        parse_checked(&text);
    }

    #[test]
    fn parse_never_panics_on_arbitrary_bytes(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        parse_checked(&String::from_utf8_lossy(&bytes));
    }

    #[test]
    fn parse_never_panics_on_printable_text(text in "\\PC{0,300}") {
        parse_checked(&text);
        parse_checked(&format!("package p\n{text}"));
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 192, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn token_soup_compiles_without_panicking(soup in token_soup()) {
        parse_checked(&soup);
        let text = format!("package extra\n{soup}");
        with_warm(|c| recompile_checked(c, EXTRA, &text));
    }

    /// A real file, mutated, in a full compilation: no panic, valid spans, syntax errors kept.
    #[test]
    fn mutated_real_files_compile_without_panicking(
        path in select(builtin_paths()),
        mutations in prop::collection::vec(mutation(), 1..4),
    ) {
        let original = original_text(&path);
        let text = mutations.iter().fold(original.to_owned(), |t, m| apply(&t, m));
        let diagnostics = with_warm(|c| {
            let diagnostics = recompile_checked(c, &path, &text);
            c.set_text(&path, original.to_owned());
            diagnostics
        });
        let (_, syntax_errors) = syntax::parse(&path, &text);
        if syntax_errors.iter().any(Diagnostic::is_error) {
            prop_assert!(
                diagnostics.iter().any(|d| d.file == path && d.is_error()),
                "the syntax errors of {} are reported", path
            );
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 32, failure_persistence: None, ..ProptestConfig::default() })]

    /// After a random edit, the warm incremental compilation and a compilation from scratch
    /// report the same diagnostics (no stale span, no lost or duplicated diagnostic).
    #[test]
    fn incremental_agrees_with_from_scratch_after_mutations(
        path in select(builtin_paths()),
        mutations in prop::collection::vec(mutation(), 1..4),
    ) {
        let original = original_text(&path);
        let text = mutations.iter().fold(original.to_owned(), |t, m| apply(&t, m));
        let fresh = compile_checked(&packs_with(&path, &text));
        let warm = with_warm(|c| {
            c.set_text(&path, text.clone());
            let diagnostics = c.diagnostics();
            c.set_text(&path, original.to_owned());
            diagnostics
        });
        prop_assert_eq!(warm, fresh, "incremental and from-scratch diagnostics agree");
    }
}

/// Formats `text`: refused if it has syntax errors, else formatted to text with the same
/// syntax tree that formats to itself.
fn format_checked(text: &str) -> Result<(), TestCaseError> {
    let (ast, diagnostics) = syntax::parse("input.rule", text);
    let result = format_source(text);
    if diagnostics.iter().any(Diagnostic::is_error) {
        prop_assert!(matches!(result, Err(FormatError::Syntax(_))), "a syntax error is refused: {:?}", result);
        return Ok(());
    }
    let formatted = match result {
        Ok(formatted) => formatted,
        Err(e) => return Err(TestCaseError::fail(format!("{e}: {e:?}"))),
    };
    let (new_ast, _) = syntax::parse("input.rule", &formatted);
    prop_assert!(same_syntax(&ast, &new_ast), "the output means the same:\n{}", formatted);
    let again = format_source(&formatted).map_err(|e| TestCaseError::fail(format!("formatted again: {e}")))?;
    prop_assert_eq!(again, formatted, "formatting is idempotent");
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 192, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn formatting_mutated_real_files_keeps_their_meaning(
        path in select(builtin_paths()),
        mutations in prop::collection::vec(mutation(), 1..4),
    ) {
        let text = mutations.iter().fold(original_text(&path).to_owned(), |t, m| apply(&t, m));
        format_checked(&text)?;
    }

    #[test]
    fn formatting_token_soup_keeps_its_meaning(soup in token_soup()) {
        format_checked(&format!("package extra\n{soup}"))?;
    }
}

// ------------------------------------------------------------------------- regressions

/// Parses `input` alone, then compiles it as an extra file next to the built-in packs, on a
/// thread with the default stack of a spawned thread (2 MiB), so that a deep recursion fails the
/// same way wherever the test runs. The thread is named after the input: a stack overflow
/// aborts the process and names only the thread.
fn run_regression(name: &str, input: String) {
    std::thread::Builder::new()
        .name(name.to_owned())
        .stack_size(2 << 20)
        .spawn(move || {
            parse_checked(&input);
            let mut compilation = SHARED.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            recompile_checked(&mut compilation, EXTRA, &input);
        })
        .expect("spawn")
        .join()
        .unwrap_or_else(|e| panic!("{name} panicked: {}", panic_message(&e)));
}

fn panic_message(e: &(dyn std::any::Any + Send)) -> String {
    e.downcast_ref::<String>()
        .cloned()
        .or_else(|| e.downcast_ref::<&str>().map(|s| (*s).to_owned()))
        .unwrap_or_default()
}

#[test]
fn hand_written_inputs() {
    let inputs = [
        "",
        "\n",
        "///",
        "/// doc\n",
        "package p\n///",
        "package p\n/// dangling\n\n// plain\n",
        "\"",
        "package p\nconst s: string = \"abc",
        "package p\nconst s: string = \"abc\\",
        "package p\nconst s: string = \"\\u{110000}\"",
        "rule {",
        "package p\nrule {",
        "package p\nrule X {",
        "package p\nrule X {\n  message \"{",
        "package p\nrule X {\n  message \"{sg.id\"\n}",
        "package p\nrule X {\n  title \"t\"\n  severity low\n  for sg: SecurityGroup\n  when sg.\n}",
        "package p\nrule X {\n  title \"t\"\n  severity low\n  for sg: SecurityGroup\n  when sg.ingress.any(r => )\n}",
        "package p\n}}}}]]]))))\n",
        "package p\nuse",
        "package p\nuse std.nope\nuse std.net\nuse std.net",
        "package p\npackage q\n",
        "\u{feff}package p\n",
        "package p\r\nconst a: int = 1\r\n",
        "package p\nconst a: int = 99999999999999999999999",
        "package p\nconst a: int = -9223372036854775808",
        "package p\nconst a: duration = 1h1h1h1h1h1h1h1h1h1h1h1h1h1h1h1h1h1h1h1h1h99999999999999999999d",
        "package p\nconst r: regex = /(/",
        "package p\nconst i: ip = ip(\"999.1.1.1\")",
        "package p\nconst t: time = time(\"x\")",
        "package p\nfn f() -> int = f()\nfn g() -> int = h()\nfn h() -> int = g()",
        "package p\ntype A = B\ntype B = A\n",
        "package p\nasset A { a: A }\nrecord R { r: R? }\n",
        "package p\nconst é: int = 1\nconst 中: int = 2\n",
        "package p\n\0\0\0",
        "package std.evil\nnative fn f() -> int\n",
        "package p\ntest \"t\" {\n  given {\n  expect X\n}",
        "package p\nalarm A {\n  title \"t\"\n  severity low\n  on e: ApiCall\n  threshold count >= 99999999999999999999\n}",
        "package p\nframework a.b \"t\" {\n  control \"1\" \"x\"\n  control \"1\" \"y\"\n}\n",
        "package p\nedge e: Internet -> Internet when true\n",
    ];
    for (n, input) in inputs.into_iter().enumerate() {
        run_regression(
            &format!("hand-written input {n}: {:?}", input.chars().take(40).collect::<String>()),
            input.to_owned(),
        );
    }
}

/// Deep nesting must end in a diagnostic or a clean compile, never in a stack overflow (which
/// aborts the process: it cannot be caught).
#[test]
fn deep_nesting_does_not_overflow_the_stack() {
    let n = 2000;
    let mut deep = vec![
        format!("package p\nconst x: int = {}", "(".repeat(n)),
        format!("package p\nconst x: [int] = {}", "[".repeat(n)),
        format!("package p\nconst x: int = {}", "{".repeat(n)),
        format!("package p\nconst x: int = {}", "if true then 1 else (".repeat(n)),
        format!("package p\nconst x: int = 1{}", ")".repeat(n)),
        "(".repeat(n),
        "{".repeat(n),
        "\"{".repeat(n),
    ];
    // Balanced nesting deeper than the parser's limit is reported, never a stack overflow.
    let m = n;
    deep.extend([
        format!("package p\nconst x: int = {}1{}", "(".repeat(m), ")".repeat(m)),
        format!("package p\nconst x: int = {}1{}", "if true then 1 else (".repeat(m), ")".repeat(m)),
        format!("package p\nconst x: [int] = {}1{}", "[".repeat(m), "]".repeat(m)),
        format!(
            "package p\nrule R {{\n  title \"t\"\n  severity low\n  for s: SecurityGroup\n  when true\n  evidence {}1{}\n}}",
            "{a: ".repeat(m),
            "}".repeat(m)
        ),
        format!("package p\nconst x: bool = {}true{}", "[1].any(x => ".repeat(m), ")".repeat(m)),
        format!("package p\nconst x: int? = {}1{}", "[1][".repeat(m), "]".repeat(m)),
        format!("package p\nconst x: {}int{} = 1", "[".repeat(m), "]".repeat(m)),
    ]);
    // Operator and access chains longer than the parser's limit are reported, never a stack
    // overflow in the checker's recursion.
    let m = n;
    deep.extend([
        format!("package p\nconst x: int = 1{}", " + 1".repeat(m)),
        format!("package p\nconst x: int = 1{}", " ?? 1".repeat(m)),
        format!("package p\nconst x: bool = true{}", " and true".repeat(m)),
        format!("package p\nconst x: bool = {}true", "not ".repeat(m)),
        format!("package p\nconst x: int = {}1", "-".repeat(m)),
        format!("package p\nconst x: int = 1{}", ".a".repeat(m)),
        format!("package p\nconst x: [int] = [1]{}", ".distinct()".repeat(m)),
    ]);
    // Lambdas and `if`s nest without brackets: they count as nesting too.
    deep.extend([
        format!("package p\nconst x: bool = [1].any({}true)", "x => ".repeat(m)),
        format!("package p\nconst x: int = {}1", "if true then 1 else ".repeat(m)),
        format!("package p\nconst x: int = {}1", "if true then ".repeat(m)),
        format!("package p\nconst x: int = {}1", "if if ".repeat(m)),
    ]);
    for (n, text) in deep.into_iter().enumerate() {
        let name = format!("deep input {n}: {:?}…", text.chars().skip(10).take(40).collect::<String>());
        run_regression(&name, text);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, failure_persistence: None, ..ProptestConfig::default() })]

    /// The mutation helpers themselves keep to char boundaries on multi-byte text (slicing
    /// off a boundary would panic here, not in the compiler).
    #[test]
    fn mutations_respect_char_boundaries(mutations in prop::collection::vec(mutation(), 1..6)) {
        let text = mutations.iter().fold("中é中 é中\u{1F600}ab".to_owned(), |t, m| apply(&t, m));
        prop_assert!(text.is_char_boundary(text.len()));
    }
}
