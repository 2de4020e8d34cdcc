//! The stable diagnostic codes. Each has an entry in `docs/diagnostics.md` (example and fix)
//! and a fixture under `tests/diagnostics/`; a test keeps the three in step.

use super::Severity;

macro_rules! codes {
    ($($variant:ident = $code:literal, $slug:literal, $sev:ident;)*) => {
        /// A kind of diagnostic. The code string never changes meaning once released.
        #[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, PartialOrd, Ord)]
        pub enum Code { $($variant,)* }

        impl Code {
            pub const ALL: &'static [Code] = &[$(Code::$variant,)*];

            /// The stable code, e.g. `E0203`.
            pub fn as_str(self) -> &'static str {
                match self { $(Code::$variant => $code,)* }
            }

            /// A short kebab-case name, e.g. `unknown-field`.
            pub fn slug(self) -> &'static str {
                match self { $(Code::$variant => $slug,)* }
            }

            pub fn severity(self) -> Severity {
                match self { $(Code::$variant => Severity::$sev,)* }
            }
        }
    };
}

codes! {
    // ---- syntax
    SyntaxError = "E0101", "syntax-error", Error;
    UnterminatedString = "E0102", "unterminated-string", Error;
    UnclosedDelimiter = "E0103", "unclosed-delimiter", Error;
    InvalidEscape = "E0104", "invalid-escape", Error;
    PackageDeclaration = "E0105", "package-declaration", Error;
    DanglingDocComment = "E0106", "dangling-doc-comment", Error;
    // ---- names
    UnknownName = "E0201", "unknown-name", Error;
    UnknownType = "E0202", "unknown-type", Error;
    UnknownField = "E0203", "unknown-field", Error;
    UnknownFunction = "E0204", "unknown-function", Error;
    UnknownMethod = "E0205", "unknown-method", Error;
    UnknownPackage = "E0206", "unknown-package", Error;
    DuplicateItem = "E0207", "duplicate-item", Error;
    DuplicateRuleId = "E0208", "duplicate-rule-id", Error;
    UnknownControl = "E0209", "unknown-control", Error;
    UnknownFramework = "E0210", "unknown-framework", Error;
    DuplicateMember = "E0211", "duplicate-member", Error;
    DuplicateBinding = "E0212", "duplicate-binding", Error;
    UnknownRule = "E0213", "unknown-rule", Error;
    UnknownEdge = "E0214", "unknown-edge", Error;
    // ---- types
    TypeMismatch = "E0301", "type-mismatch", Error;
    IncomparableTypes = "E0302", "incomparable-types", Error;
    OptionalAsValue = "E0303", "optional-as-value", Error;
    ConditionNotBool = "E0304", "condition-not-bool", Error;
    WrongArity = "E0305", "wrong-arity", Error;
    MisplacedLambda = "E0306", "misplaced-lambda", Error;
    InvalidOperands = "E0307", "invalid-operands", Error;
    NotInEnum = "E0308", "not-in-enum", Error;
    NoFields = "E0309", "no-fields", Error;
    InvalidSchemaType = "E0310", "invalid-schema-type", Error;
    CyclicTypeAlias = "E0311", "cyclic-type-alias", Error;
    ArgumentLabel = "E0312", "argument-label", Error;
    // ---- literals
    InvalidDuration = "E0401", "invalid-duration", Error;
    InvalidIp = "E0402", "invalid-ip", Error;
    InvalidCidr = "E0403", "invalid-cidr", Error;
    InvalidRegex = "E0404", "invalid-regex", Error;
    IntegerOverflow = "E0405", "integer-overflow", Error;
    InvalidTime = "E0406", "invalid-time", Error;
    LiteralRequired = "E0407", "literal-required", Error;
    // ---- items and metadata
    MissingClause = "E0501", "missing-clause", Error;
    InvalidSeverity = "E0502", "invalid-severity", Error;
    MisplacedClause = "E0503", "misplaced-clause", Error;
    DuplicateClause = "E0504", "duplicate-clause", Error;
    RecursiveFn = "E0505", "recursive-fn", Error;
    NativeOutsideStd = "E0506", "native-outside-std", Error;
    ThresholdWithoutGroup = "E0507", "threshold-without-group", Error;
    InvalidEdgeEndpoint = "E0508", "invalid-edge-endpoint", Error;
    InvalidTest = "E0509", "invalid-test", Error;
    CyclicConst = "E0510", "cyclic-const", Error;
    // ---- warnings
    UnusedLet = "W0001", "unused-let", Warning;
    ConstantCondition = "W0002", "constant-condition", Warning;
    UnusedImport = "W0003", "unused-import", Warning;
    NeedlessOptional = "W0004", "needless-optional", Warning;
}
