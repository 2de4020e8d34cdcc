//! Where a saved file sits in the RAW layout (IMPORT.md) says what it holds:
//! `<provider>/<account>/<region>/<service>.<Action>[@<Param>=<value>][.<page>].json|xml`,
//! `<provider>/<account>/events/**`, `leaks/**`, `hosts/**`. Files elsewhere go to shape
//! detection.

use std::path::{Path, PathBuf};

use super::answer::Syntax;

/// The clouds the importer reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Provider {
    Tencent,
    Alibaba,
}

impl Provider {
    pub const ALL: [Provider; 2] = [Provider::Tencent, Provider::Alibaba];

    /// The name snapshots and the layout use.
    pub fn as_str(self) -> &'static str {
        match self {
            Provider::Tencent => "tencent",
            Provider::Alibaba => "alibaba",
        }
    }

    pub fn parse(name: &str) -> Option<Provider> {
        Provider::ALL.into_iter().find(|provider| provider.as_str() == name)
    }
}

/// The folder name of account-wide answers.
pub const GLOBAL: &str = "global";
/// The account folder name when the account is not known from the path.
pub const UNKNOWN_ACCOUNT: &str = "_";

/// A file holding one call's answer, as its path names it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CallFile {
    pub provider: Provider,
    pub account: String,
    /// A region id, or [`GLOBAL`].
    pub region: String,
    pub service: String,
    pub action: String,
    /// The `@Param=value` parts: the resource the call was made for.
    pub params: Vec<(String, String)>,
    /// 1 for the first page, then as numbered.
    pub page: u32,
    pub syntax: Syntax,
}

impl CallFile {
    /// Where this answer is saved under the RAW folder: the path [`place`] reads back.
    /// Parameter values are percent-encoded where they hold `%`, `@`, `.`, `/` or `\\`, so a
    /// user name such as `ops@example.com` or a value ending in `.2` stays one value.
    pub fn relative_path(&self) -> PathBuf {
        let mut name = format!("{}.{}", self.service, self.action);
        for (param, value) in &self.params {
            name.push_str(&format!("@{param}={}", encode_value(value)));
        }
        if self.page > 1 {
            name.push_str(&format!(".{}", self.page));
        }
        name.push_str(match self.syntax {
            Syntax::Json => ".json",
            Syntax::Xml => ".xml",
        });
        [self.provider.as_str(), &self.account, &self.region, &name].iter().collect()
    }
}

/// The characters of a parameter value that would change how its file name reads.
const NAME_UNSAFE: &percent_encoding::AsciiSet =
    &percent_encoding::CONTROLS.add(b'%').add(b'@').add(b'.').add(b'/').add(b'\\');

fn encode_value(value: &str) -> String {
    percent_encoding::utf8_percent_encode(value, NAME_UNSAFE).to_string()
}

/// A value as named in a file; a `%` not followed by two hex digits is kept as written, so
/// names saved by hand read as before.
fn decode_value(value: &str) -> String {
    percent_encoding::percent_decode_str(value).decode_utf8_lossy().into_owned()
}

/// What a path holds, by its place in the layout.
#[derive(Debug, PartialEq, Eq)]
pub enum Placed {
    Call(CallFile),
    /// An audit-event file of an account (an API answer or a delivered log file).
    Events {
        provider: Provider,
        account: String,
    },
    /// A secret-scanner report.
    Leaks,
    /// Host facts from `rulec collect host`.
    Host,
    /// Not named by the layout: the answer's shape may still say what it is.
    Unplaced,
}

/// Places `path` (as reached from the command line) in the layout. `Err` is a reason to skip.
pub fn place(path: &Path) -> Result<Placed, String> {
    let parts: Vec<&str> = path.iter().filter_map(|part| part.to_str()).collect();
    let file = parts.last().copied().unwrap_or_default();
    if file.starts_with('.') {
        return Err("a hidden file".to_owned());
    }
    if let Some(at) = parts.iter().rposition(|part| *part == "leaks")
        && at + 1 < parts.len()
    {
        return Ok(Placed::Leaks);
    }
    if let Some(at) = parts.iter().rposition(|part| *part == "hosts")
        && at + 1 < parts.len()
    {
        return Ok(Placed::Host);
    }
    // The rightmost provider folder that starts a layout path decides.
    for at in (0..parts.len()).rev() {
        let Some(provider) = Provider::parse(parts[at]) else { continue };
        let rest = &parts[at + 1..];
        if rest.len() >= 3 && rest[1] == "events" {
            return Ok(Placed::Events { provider, account: rest[0].to_owned() });
        }
        if rest.len() == 3 {
            return call_file(provider, rest[0], rest[1], rest[2]).map(Placed::Call);
        }
        // `<provider>/<account>/sts.GetCallerIdentity.json` names the account of its folder.
        if rest.len() == 2 {
            return call_file(provider, rest[0], GLOBAL, rest[1]).map(Placed::Call);
        }
    }
    Ok(Placed::Unplaced)
}

/// Parses `<service>.<Action>[@<Param>=<value>]...[.<page>].json|xml`.
fn call_file(provider: Provider, account: &str, region: &str, file: &str) -> Result<CallFile, String> {
    let (stem, syntax) = if let Some(stem) = file.strip_suffix(".json") {
        (stem, Syntax::Json)
    } else if let Some(stem) = file.strip_suffix(".xml") {
        (stem, Syntax::Xml)
    } else {
        return Err("not a .json or .xml answer".to_owned());
    };
    let (stem, page) = split_page(stem);
    let mut parts = stem.split('@');
    let call = parts.next().unwrap_or_default();
    let Some((service, action)) = call.split_once('.') else {
        return Err(format!("`{file}` does not name a call as <service>.<Action>"));
    };
    if service.is_empty() || action.is_empty() || action.contains('.') {
        return Err(format!("`{file}` does not name a call as <service>.<Action>"));
    }
    let mut params = Vec::new();
    for part in parts {
        let Some((name, value)) = part.split_once('=') else {
            return Err(format!("`@{part}` in `{file}` is not @<Param>=<value>"));
        };
        params.push((name.to_owned(), decode_value(value)));
    }
    Ok(CallFile {
        provider,
        account: account.to_owned(),
        region: region.to_owned(),
        service: service.to_owned(),
        action: action.to_owned(),
        params,
        page,
        syntax,
    })
}

/// The key that orders a folder's files with each call's pages in page order: the folder, the
/// name without its page number, then the page.
pub(crate) fn page_order(path: &Path) -> (PathBuf, String, u32, String) {
    let name = path.file_name().map(|name| name.to_string_lossy().into_owned()).unwrap_or_default();
    let (stem, extension) = name.rsplit_once('.').unwrap_or((&name, ""));
    let (stem, page) = split_page(stem);
    (path.parent().map(Path::to_path_buf).unwrap_or_default(), stem.to_owned(), page, extension.to_owned())
}

/// `name.3` → (`name`, 3); a page number is 2 or more (the first page has none).
fn split_page(stem: &str) -> (&str, u32) {
    if let Some((head, tail)) = stem.rsplit_once('.')
        && let Ok(page) = tail.parse::<u32>()
        && page >= 2
        && !tail.starts_with('0')
        && head.contains('.')
    {
        return (head, page);
    }
    (stem, 1)
}

/// Every file under the inputs, sorted and without repeats, so a walk is the same on every run.
pub fn walk(inputs: &[PathBuf]) -> Result<Vec<PathBuf>, String> {
    let mut files = Vec::new();
    for input in inputs {
        if !input.exists() {
            return Err(format!("{}: no such file or directory", input.display()));
        }
        for entry in walkdir::WalkDir::new(input).sort_by_file_name() {
            let entry = entry.map_err(|err| format!("{}: {err}", err.path().unwrap_or(input).display()))?;
            if entry.file_type().is_file() {
                files.push(entry.into_path());
            }
        }
    }
    files.sort();
    files.dedup();
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn call(path: &str) -> CallFile {
        match place(Path::new(path)).unwrap() {
            Placed::Call(call) => call,
            other => panic!("{path}: {other:?}"),
        }
    }

    #[test]
    fn pages_order_by_number() {
        let names = ["e/a.X.10.json", "e/a.X.2.json", "e/a.X.json", "e/a.W.json"];
        let mut files = names.map(PathBuf::from).to_vec();
        files.sort_by_key(|file| page_order(file));
        assert_eq!(files, ["e/a.W.json", "e/a.X.json", "e/a.X.2.json", "e/a.X.10.json"].map(PathBuf::from));
    }

    #[test]
    fn saved_names_read_back_whatever_the_value() {
        for value in ["sg-1a2b", "ops@example.com", "v1.2", "a/b\\c", "50%", "名字"] {
            let call = CallFile {
                provider: Provider::Alibaba,
                account: "5123".into(),
                region: GLOBAL.into(),
                service: "ram".into(),
                action: "GetUser".into(),
                params: vec![("UserName".into(), value.into())],
                page: 3,
                syntax: Syntax::Json,
            };
            let path = Path::new("raw").join(call.relative_path());
            assert_eq!(place(&path).unwrap(), Placed::Call(call), "{}", path.display());
        }
    }

    #[test]
    fn call_files_name_service_action_resource_and_page() {
        let file = call(
            "raw/tencent/100000000001/ap-guangzhou/vpc.DescribeSecurityGroupPolicies@SecurityGroupId=sg-1a2b.json",
        );
        assert_eq!((file.service.as_str(), file.action.as_str()), ("vpc", "DescribeSecurityGroupPolicies"));
        assert_eq!(file.params, vec![("SecurityGroupId".to_owned(), "sg-1a2b".to_owned())]);
        assert_eq!((file.account.as_str(), file.region.as_str(), file.page), ("100000000001", "ap-guangzhou", 1));
        let page = call("alibaba/5123/cn-hangzhou/ecs.DescribeInstances.2.json");
        assert_eq!((page.action.as_str(), page.page), ("DescribeInstances", 2));
        let xml = call("x/alibaba/5123/cn-hangzhou/oss.GetBucketAcl@Bucket=logs.example.xml");
        assert_eq!((xml.syntax, xml.params[0].1.as_str()), (Syntax::Xml, "logs.example"));
    }

    #[test]
    fn other_places() {
        assert_eq!(
            place(Path::new("raw/alibaba/5123/events/2026/11/20/trail.json.gz")).unwrap(),
            Placed::Events { provider: Provider::Alibaba, account: "5123".into() }
        );
        assert_eq!(place(Path::new("raw/leaks/gitleaks.json")).unwrap(), Placed::Leaks);
        assert_eq!(place(Path::new("raw/hosts/web-1.json")).unwrap(), Placed::Host);
        assert_eq!(place(Path::new("instances.json")).unwrap(), Placed::Unplaced);
        assert!(place(Path::new("raw/tencent/1/global/README.md")).unwrap_err().contains(".json"));
        assert!(place(Path::new("raw/tencent/1/global/instances.json")).unwrap_err().contains("<service>.<Action>"));
        assert!(place(Path::new("raw/tencent/1/global/.DS_Store")).unwrap_err().contains("hidden"));
    }
}
