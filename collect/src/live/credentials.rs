//! Where the collector's access key comes from, in the order the vendors' CLIs look: a named
//! profile when one is asked for, else the environment, else the CLI's default profile.
//! tccli keeps `~/.tccli/<profile>.credential` (JSON: `secretId`, `secretKey`, `token`,
//! `role-arn`, `role-session-name`); aliyun keeps `~/.aliyun/config.json` (`current`,
//! `profiles[]` with `mode` AK, StsToken or RamRoleArn). A role named in a profile is assumed
//! like `--assume-role`.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::raw::Provider;
use crate::sign::{Key, Secret};

/// A key to sign with, and the role to assume with it, if any.
#[derive(Clone, Debug)]
pub struct Credentials {
    pub key: Key,
    /// Where the key was found, for messages (never the key itself).
    pub source: String,
    /// A role the profile says to assume before collecting.
    pub role: Option<String>,
}

/// The environment variables each cloud's tools read.
pub struct EnvNames {
    pub id: &'static str,
    pub secret: &'static str,
    pub token: &'static [&'static str],
    pub profile: &'static [&'static str],
}

/// The variables of `provider`.
pub fn env_names(provider: Provider) -> EnvNames {
    match provider {
        Provider::Tencent => EnvNames {
            id: "TENCENTCLOUD_SECRET_ID",
            secret: "TENCENTCLOUD_SECRET_KEY",
            token: &["TENCENTCLOUD_SESSION_TOKEN", "TENCENTCLOUD_TOKEN"],
            profile: &["TCCLI_PROFILE"],
        },
        Provider::Alibaba => EnvNames {
            id: "ALIBABA_CLOUD_ACCESS_KEY_ID",
            secret: "ALIBABA_CLOUD_ACCESS_KEY_SECRET",
            token: &["ALIBABA_CLOUD_SECURITY_TOKEN"],
            profile: &["ALIBABA_CLOUD_PROFILE", "ALIBABACLOUD_PROFILE", "ALICLOUD_PROFILE"],
        },
    }
}

/// Finds the credentials for `provider`: `profile` when given, else the environment, else the
/// CLI's current profile. `env` reads a variable (the process environment, or a test's).
pub fn find(
    provider: Provider,
    profile: Option<&str>,
    home: Option<&Path>,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Credentials, String> {
    let names = env_names(provider);
    let non_empty = |name: &str| env(name).filter(|value| !value.is_empty());
    if profile.is_none()
        && let (Some(id), Some(secret)) = (non_empty(names.id), non_empty(names.secret))
    {
        let token = names.token.iter().find_map(|name| non_empty(name)).map(Secret::new);
        return Ok(Credentials {
            key: Key { id, secret: Secret::new(secret), token },
            source: format!("the environment ({}, {})", names.id, names.secret),
            role: None,
        });
    }
    let profile = profile.map(str::to_owned).or_else(|| names.profile.iter().find_map(|name| non_empty(name)));
    let Some(home) = home else {
        return Err(format!("no credentials: {} / {} are not set and there is no home folder", names.id, names.secret));
    };
    match provider {
        Provider::Tencent => tccli(home, profile.as_deref().unwrap_or("default"), &names),
        Provider::Alibaba => aliyun(home, profile.as_deref(), &names),
    }
}

/// `~/.tccli/<profile>.credential`.
fn tccli(home: &Path, profile: &str, names: &EnvNames) -> Result<Credentials, String> {
    let file = home.join(".tccli").join(format!("{profile}.credential"));
    let value = read_json(&file, || {
        format!(
            "no Tencent Cloud credentials: {} / {} are not set and {} does not exist (create it with `tccli configure --profile {profile}`)",
            names.id,
            names.secret,
            file.display()
        )
    })?;
    let field = |name: &str| value.get(name).and_then(Value::as_str).filter(|text| !text.is_empty());
    let (Some(id), Some(secret)) = (field("secretId"), field("secretKey")) else {
        return Err(format!("{}: expected the fields `secretId` and `secretKey`", file.display()));
    };
    Ok(Credentials {
        key: Key {
            id: id.to_owned(),
            secret: Secret::new(secret.to_owned()),
            token: field("token").map(|token| Secret::new(token.to_owned())),
        },
        source: format!("the tccli profile `{profile}` ({})", file.display()),
        role: field("role-arn").map(str::to_owned),
    })
}

/// `~/.aliyun/config.json`: the named profile, else `current`.
fn aliyun(home: &Path, profile: Option<&str>, names: &EnvNames) -> Result<Credentials, String> {
    let file = home.join(".aliyun").join("config.json");
    let config = read_json(&file, || {
        format!(
            "no Alibaba Cloud credentials: {} / {} are not set and {} does not exist (create it with `aliyun configure`)",
            names.id,
            names.secret,
            file.display()
        )
    })?;
    let wanted = match profile {
        Some(name) => name.to_owned(),
        None => config.get("current").and_then(Value::as_str).unwrap_or("default").to_owned(),
    };
    let profiles = config.get("profiles").and_then(Value::as_array).map(Vec::as_slice).unwrap_or_default();
    let Some(found) = profiles.iter().find(|p| p.get("name").and_then(Value::as_str) == Some(wanted.as_str())) else {
        let known: Vec<&str> = profiles.iter().filter_map(|p| p.get("name").and_then(Value::as_str)).collect();
        return Err(format!("{}: no profile `{wanted}` (profiles: {})", file.display(), known.join(", ")));
    };
    let field = |name: &str| found.get(name).and_then(Value::as_str).filter(|text| !text.is_empty());
    let mode = field("mode").unwrap_or("AK");
    let (Some(id), Some(secret)) = (field("access_key_id"), field("access_key_secret")) else {
        return Err(format!(
            "{}: profile `{wanted}` (mode {mode}) has no access_key_id / access_key_secret; rulec reads the modes AK, StsToken and RamRoleArn",
            file.display()
        ));
    };
    let (token, role) = match mode {
        "AK" => (None, None),
        "StsToken" => (field("sts_token"), None),
        "RamRoleArn" => (None, field("ram_role_arn")),
        other => {
            return Err(format!(
                "{}: profile `{wanted}` uses mode {other}; rulec reads the modes AK, StsToken and RamRoleArn (or set {} / {})",
                file.display(),
                names.id,
                names.secret
            ));
        }
    };
    Ok(Credentials {
        key: Key {
            id: id.to_owned(),
            secret: Secret::new(secret.to_owned()),
            token: token.map(|token| Secret::new(token.to_owned())),
        },
        source: format!("the aliyun profile `{wanted}` ({})", file.display()),
        role: role.map(str::to_owned),
    })
}

fn read_json(file: &PathBuf, missing: impl Fn() -> String) -> Result<Value, String> {
    let text = match std::fs::read_to_string(file) {
        Ok(text) => text,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Err(missing()),
        Err(err) => return Err(format!("{}: cannot read: {err}", file.display())),
    };
    // The error's position is kept; its text is serde's, which never quotes the input.
    serde_json::from_str(&text).map_err(|err| format!("{}: not JSON: {err}", file.display()))
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn env(vars: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let vars: HashMap<String, String> = vars.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
        move |name| vars.get(name).cloned()
    }

    #[test]
    fn the_environment_comes_first_unless_a_profile_is_named() {
        let home = tempfile::tempdir().unwrap();
        std::fs::create_dir(home.path().join(".tccli")).unwrap();
        std::fs::write(home.path().join(".tccli/ops.credential"), r#"{"secretId":"AKIDops","secretKey":"s2"}"#)
            .unwrap();
        let vars = env(&[
            ("TENCENTCLOUD_SECRET_ID", "AKIDenv"),
            ("TENCENTCLOUD_SECRET_KEY", "s1"),
            ("TENCENTCLOUD_SESSION_TOKEN", "t1"),
        ]);
        let found = find(Provider::Tencent, None, Some(home.path()), &vars).unwrap();
        assert_eq!(found.key.id, "AKIDenv");
        assert_eq!(found.key.token.as_ref().map(Secret::expose), Some("t1"));
        let found = find(Provider::Tencent, Some("ops"), Some(home.path()), &vars).unwrap();
        assert_eq!((found.key.id.as_str(), found.key.secret.expose()), ("AKIDops", "s2"));
    }

    #[test]
    fn tccli_profiles_by_name_with_their_role() {
        let home = tempfile::tempdir().unwrap();
        std::fs::create_dir(home.path().join(".tccli")).unwrap();
        std::fs::write(
            home.path().join(".tccli/default.credential"),
            r#"{"secretId":"AKIDdef","secretKey":"sk","role-arn":"qcs::cam::uin/100000000001:roleName/audit"}"#,
        )
        .unwrap();
        let found = find(Provider::Tencent, None, Some(home.path()), &env(&[])).unwrap();
        assert_eq!(found.key.id, "AKIDdef");
        assert_eq!(found.role.as_deref(), Some("qcs::cam::uin/100000000001:roleName/audit"));
        let err = find(Provider::Tencent, None, Some(home.path()), &env(&[("TCCLI_PROFILE", "prod")])).unwrap_err();
        assert!(err.contains("prod.credential") && err.contains("tccli configure --profile prod"), "{err}");
    }

    #[test]
    fn aliyun_profiles_by_mode() {
        let home = tempfile::tempdir().unwrap();
        std::fs::create_dir(home.path().join(".aliyun")).unwrap();
        std::fs::write(
            home.path().join(".aliyun/config.json"),
            r#"{"current":"sts","profiles":[
                {"name":"default","mode":"AK","access_key_id":"LTAIdef","access_key_secret":"s"},
                {"name":"sts","mode":"StsToken","access_key_id":"STS.x","access_key_secret":"s","sts_token":"tok"},
                {"name":"role","mode":"RamRoleArn","access_key_id":"LTAIr","access_key_secret":"s","ram_role_arn":"acs:ram::5123:role/audit"},
                {"name":"sso","mode":"CloudSSO"}]}"#,
        )
        .unwrap();
        let found = find(Provider::Alibaba, None, Some(home.path()), &env(&[])).unwrap();
        assert_eq!(found.key.token.as_ref().map(Secret::expose), Some("tok"));
        let found = find(Provider::Alibaba, Some("role"), Some(home.path()), &env(&[])).unwrap();
        assert_eq!(found.role.as_deref(), Some("acs:ram::5123:role/audit"));
        let err = find(Provider::Alibaba, Some("sso"), Some(home.path()), &env(&[])).unwrap_err();
        assert!(err.contains("access_key_id"), "{err}");
        let err = find(Provider::Alibaba, Some("nope"), Some(home.path()), &env(&[])).unwrap_err();
        assert!(err.contains("no profile `nope`") && err.contains("default, sts, role, sso"), "{err}");
    }

    #[test]
    fn secrets_never_reach_messages_or_debug_output() {
        let home = tempfile::tempdir().unwrap();
        std::fs::create_dir(home.path().join(".tccli")).unwrap();
        std::fs::write(home.path().join(".tccli/default.credential"), r#"{"secretId":"AKIDx","secretKey":"hunter2"#)
            .unwrap();
        let err = find(Provider::Tencent, None, Some(home.path()), &env(&[])).unwrap_err();
        assert!(!err.contains("hunter2"), "{err}");
        let vars = env(&[("TENCENTCLOUD_SECRET_ID", "AKIDenv"), ("TENCENTCLOUD_SECRET_KEY", "hunter2")]);
        let found = find(Provider::Tencent, None, None, &vars).unwrap();
        assert!(!format!("{found:?}").contains("hunter2"));
    }
}
