//! Shape detection for answers saved outside the layout (`tccli cvm DescribeInstances >
//! instances.json`): the call is the one whose `shape` keys are all at the answer's top level
//! (envelope removed; for XML the root element's name), and the command line says what the
//! path would have said (`--account`, `--region`, `--provider`). Anything less than one certain
//! call is never guessed: no call is skipped, several or a per-resource call is an error.

use std::collections::BTreeSet;
use std::path::Path;

use serde_json::Value;

use crate::calls::{self, Call, Scope};
use crate::raw::{Answer, CallFile, GLOBAL, Provider, Syntax, answer};
use crate::{ImportError, Options};

/// The call a file's answer is, when its shape says so unambiguously.
pub(crate) fn detect(file: &Path, options: &Options) -> Result<Option<CallFile>, ImportError> {
    let Some((syntax, keys)) = top_level(file) else { return Ok(None) };
    let candidates: Vec<&Call> = calls::all()
        .filter(|call| options.provider.is_none_or(|provider| provider == call.provider))
        .filter(|call| fits(call, &keys))
        .collect();
    match candidates.as_slice() {
        [] => Ok(None),
        [call] => place(file, call, syntax, options).map(Some),
        several => Err(ambiguous(file, several, options)),
    }
}

/// The syntax and top-level keys of a data answer; `None` for anything else (unreadable, not
/// JSON or XML, an error answer, not an object).
fn top_level(file: &Path) -> Option<(Syntax, BTreeSet<String>)> {
    let text = String::from_utf8(std::fs::read(file).ok()?).ok()?;
    let syntax = syntax(file, &text)?;
    match answer::parse(&text, syntax).ok()? {
        Answer::Data(Value::Object(object)) => Some((syntax, object.into_iter().map(|(key, _)| key).collect())),
        _ => None,
    }
}

/// By the extension, else by the first character.
fn syntax(file: &Path, text: &str) -> Option<Syntax> {
    match file.extension().and_then(|extension| extension.to_str()) {
        Some("json") => Some(Syntax::Json),
        Some("xml") => Some(Syntax::Xml),
        _ => match text.trim_start_matches('\u{feff}').trim_start().chars().next()? {
            '{' => Some(Syntax::Json),
            '<' => Some(Syntax::Xml),
            _ => None,
        },
    }
}

/// Every key of the call's shape is there; an empty shape never fits (the call's answer cannot
/// be told apart).
fn fits(call: &Call, keys: &BTreeSet<String>) -> bool {
    !call.shape.is_empty() && call.shape.iter().all(|key| keys.contains(*key))
}

/// The layout place of one certain call, from the command line.
fn place(file: &Path, call: &Call, syntax: Syntax, options: &Options) -> Result<CallFile, ImportError> {
    let what = format!("{}: the answer of {} {}", file.display(), call.provider.as_str(), call.name());
    if let Some(per) = call.per.filter(|per| per.batch == 0) {
        let param = per.param;
        let folder = match call.scope {
            Scope::Global => GLOBAL,
            Scope::Regional => "<region>",
        };
        return Err(ImportError::Ambiguous(format!(
            "{what}, a call made once per resource, does not say which resource it describes: save it in the RAW layout as {}/<account>/{folder}/{}@{param}=<value>.{}",
            call.provider.as_str(),
            call.name(),
            extension(syntax)
        )));
    }
    let Some(account) = options.account.clone() else {
        return Err(ImportError::Account(format!(
            "{what} is saved outside the RAW layout, so its account is unknown: pass --account ID"
        )));
    };
    let region = match (call.scope, options.region.as_deref()) {
        (Scope::Global, _) => GLOBAL.to_owned(),
        (Scope::Regional, Some(region)) if region != GLOBAL => region.to_owned(),
        (Scope::Regional, _) => {
            return Err(ImportError::Input(format!(
                "{what} is saved outside the RAW layout and the call is regional: pass --region REGION (e.g. {})",
                example_region(call.provider)
            )));
        }
    };
    Ok(CallFile {
        provider: call.provider,
        account,
        region,
        service: call.service.to_owned(),
        action: call.action.to_owned(),
        params: Vec::new(),
        page: 1,
        syntax,
    })
}

fn ambiguous(file: &Path, several: &[&Call], options: &Options) -> ImportError {
    let names: Vec<String> = several.iter().map(|call| format!("{} {}", call.provider.as_str(), call.name())).collect();
    let hint = match options.provider {
        None => "pass --provider tencent|alibaba, or save it in the RAW layout",
        Some(_) => "save it in the RAW layout",
    };
    ImportError::Ambiguous(format!(
        "{}: the answer has the shape of several calls ({}): {hint} as <provider>/<account>/<region>/<service>.<Action>.json",
        file.display(),
        names.join(", ")
    ))
}

fn extension(syntax: Syntax) -> &'static str {
    match syntax {
        Syntax::Json => "json",
        Syntax::Xml => "xml",
    }
}

fn example_region(provider: Provider) -> &'static str {
    match provider {
        Provider::Tencent => "ap-guangzhou",
        Provider::Alibaba => "cn-hangzhou",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calls::{Paging, Per};

    /// Detection needs each shape to be no part of another's, or an answer of the larger one
    /// fits both: every offending pair is listed, so the tables' authors fix them at once.
    #[test]
    fn no_shape_is_part_of_another() {
        let shaped: Vec<&Call> = calls::all().filter(|call| !call.shape.is_empty()).collect();
        let mut offending = Vec::new();
        for (index, call) in shaped.iter().enumerate() {
            for other in &shaped[index + 1..] {
                let within = |a: &Call, b: &Call| a.shape.iter().all(|key| b.shape.contains(key));
                if within(call, other) || within(other, call) {
                    offending.push(format!(
                        "{} {} {:?} / {} {} {:?}",
                        call.provider.as_str(),
                        call.name(),
                        call.shape,
                        other.provider.as_str(),
                        other.name(),
                        other.shape
                    ));
                }
            }
        }
        assert!(offending.is_empty(), "shapes that are part of another:\n{}", offending.join("\n"));
    }

    fn call(scope: Scope, per: Option<Per>) -> Call {
        Call {
            provider: Provider::Tencent,
            service: "cam",
            action: "ListAttachedUserAllPolicies",
            scope,
            per,
            feeds: &["User"],
            reads: "",
            paging: Paging::None,
            shape: &["PolicyList"],
        }
    }

    fn options(account: Option<&str>, region: Option<&str>) -> Options {
        Options { account: account.map(str::to_owned), region: region.map(str::to_owned), ..Options::default() }
    }

    #[test]
    fn per_resource_calls_are_never_placed() {
        let per = call(Scope::Global, Some(Per::each("TargetUin", "cam.ListUsers", &["Data"], &["Uin"])));
        let err = place(Path::new("p.json"), &per, Syntax::Json, &options(Some("1"), None)).unwrap_err();
        assert!(matches!(err, ImportError::Ambiguous(_)), "{err:?}");
        assert!(
            err.to_string().contains("tencent/<account>/global/cam.ListAttachedUserAllPolicies@TargetUin=<value>.json")
        );
    }

    #[test]
    fn global_calls_need_no_region_and_regional_ones_a_real_one() {
        let global = place(Path::new("g.xml"), &call(Scope::Global, None), Syntax::Xml, &options(Some("1"), None));
        assert_eq!(global.unwrap().region, GLOBAL);
        let regional = call(Scope::Regional, None);
        let err = place(Path::new("r.json"), &regional, Syntax::Json, &options(Some("1"), Some(GLOBAL))).unwrap_err();
        assert!(err.to_string().contains("pass --region REGION"), "{err}");
        let err =
            place(Path::new("r.json"), &regional, Syntax::Json, &options(None, Some("ap-guangzhou"))).unwrap_err();
        assert!(matches!(err, ImportError::Account(_)) && err.to_string().contains("--account"), "{err}");
    }

    #[test]
    fn syntax_by_extension_then_content() {
        assert_eq!(syntax(Path::new("a.json"), "<x/>"), Some(Syntax::Json));
        assert_eq!(syntax(Path::new("a.out"), "\u{feff} <ListAllMyBucketsResult/>"), Some(Syntax::Xml));
        assert_eq!(syntax(Path::new("a"), "\n{}"), Some(Syntax::Json));
        assert_eq!(syntax(Path::new("README.md"), "# notes"), None);
    }
}
