//! `env-secret-plaintext`: an environment variable whose name says it holds
//! a credential, or whose value has a credential's format, with the
//! credential written into the manifest; and a ConfigMap value holding a
//! credential of a known format.

use super::secret_values;
use crate::model::{Object, Workload};
use crate::rules::{Ctx, Rule};
use crate::yaml::{Node, ScalarStyle};

pub struct EnvSecretPlaintext;

/// Last words of a name that mean a credential.
const SECRET_WORDS: &[&str] = &[
    "PASSWORD",
    "PASSWD",
    "PASS",
    "PWD",
    "PASSPHRASE",
    "SECRET",
    "TOKEN",
    "APIKEY",
    "CREDENTIAL",
    "CREDENTIALS",
    "PRIVATEKEY",
    "SECRETKEY",
    "ACCESSKEY",
    "AUTHTOKEN",
];

/// Words that, before `KEY`, make it a credential (`API_KEY`, `PRIVATE_KEY`).
const KEY_QUALIFIERS: &[&str] = &[
    "API",
    "PRIVATE",
    "SECRET",
    "ACCESS",
    "ENCRYPTION",
    "SIGNING",
    "AUTH",
    "MASTER",
];

/// Splits `dbPassword`, `DB_PASSWORD`, `db-password` into upper-case words.
fn words(name: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let chars: Vec<char> = name.chars().collect();
    for (i, &ch) in chars.iter().enumerate() {
        if !ch.is_ascii_alphanumeric() {
            if !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            continue;
        }
        let boundary = ch.is_ascii_uppercase()
            && i > 0
            && (chars[i - 1].is_ascii_lowercase()
                || (chars[i - 1].is_ascii_uppercase() && chars.get(i + 1).is_some_and(|n| n.is_ascii_lowercase())));
        if boundary && !cur.is_empty() {
            out.push(std::mem::take(&mut cur));
        }
        cur.push(ch.to_ascii_uppercase());
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// Whether a variable name ends in a credential word.
pub(crate) fn names_a_credential(name: &str) -> bool {
    let w = words(name);
    let Some(last) = w.last() else { return false };
    if last == "PWD" && w.len() == 1 {
        // `PWD` alone is the working directory.
        return false;
    }
    if last == "TOKEN" && w.len() >= 2 && w[w.len() - 2] == "CLUSTER" {
        // etcd's `INITIAL_CLUSTER_TOKEN` names a cluster; it grants nothing.
        return false;
    }
    if SECRET_WORDS.contains(&last.as_str()) {
        return true;
    }
    last == "KEY" && w.len() >= 2 && KEY_QUALIFIERS.contains(&w[w.len() - 2].as_str())
}

/// Values that are not a credential: paths, references, flags.
fn harmless(value: &str) -> bool {
    let v = value.trim();
    v.is_empty()
        || v.starts_with('/')
        || v.starts_with("./")
        || v.starts_with("~/")
        || v.starts_with("file:")
        || v.contains("$(")
        || v.contains("${")
        || v.contains("{{")
        || matches!(
            v.to_ascii_lowercase().as_str(),
            "true" | "false" | "yes" | "no" | "on" | "off" | "enabled" | "disabled" | "none" | "null"
        )
}

impl Rule for EnvSecretPlaintext {
    fn id(&self) -> &str {
        "env-secret-plaintext"
    }

    fn check(&self, object: &Object, ctx: &mut Ctx) {
        if object.kind == "ConfigMap" && object.api_version == "v1" {
            config_map(object, ctx);
            return;
        }
        let Some(w) = Workload::of(object) else { return };
        for c in w.all_containers() {
            for item in c.get(&["env"]).map(Node::items).unwrap_or(&[]) {
                let Some(name) = item.get("name").and_then(Node::as_str) else {
                    continue;
                };
                let Some(value) = item.get("value") else { continue };
                let Some(text) = value.scalar_text() else { continue };
                // A value of a credential's format, whatever its name.
                if let Some(found) = secret_values::find(&text) {
                    // A block scalar is reported at its `value:` key (its
                    // span starts on the text's first line).
                    let block = matches!(value.style, ScalarStyle::Literal | ScalarStyle::Folded);
                    let span = match item.entry("value") {
                        Some(e) if block => e.key_span,
                        _ => value.span,
                    };
                    ctx.report(
                        object,
                        span,
                        format!(
                            "{} sets `{name}` to {} written in the manifest (`{}`)",
                            c.display(),
                            found.kind,
                            found.masked
                        ),
                    )
                    .help(format!(
                        "revoke it if this manifest was ever shared, store the new one in a Secret and reference it: `valueFrom: {{secretKeyRef: {{name: <secret>, key: <key>}}}}`; a literal ends up in version control, in `kubectl get -o yaml` output and in every tool that reads the {}",
                        object.kind
                    ));
                    continue;
                }
                if harmless(&text) || secret_values::placeholder(&text) || !names_a_credential(name) {
                    continue;
                }
                ctx.report(
                    object,
                    value.span,
                    format!("{} sets `{name}` to a literal value in the manifest", c.display()),
                )
                .help(format!(
                    "store the value in a Secret and reference it: `valueFrom: {{secretKeyRef: {{name: <secret>, key: <key>}}}}`; a literal ends up in version control, in `kubectl get -o yaml` output and in every tool that reads the {}",
                    object.kind
                ));
            }
        }
    }
}

/// A ConfigMap's `data` feeds environment variables (`envFrom`) and files:
/// a value holding a credential of a known format (anywhere in it, e.g. a
/// private key inside a config file) is reported at its key. Key names
/// alone are not judged here: config files have many `password_*` keys.
fn config_map(object: &Object, ctx: &mut Ctx) {
    let Some(data) = object.root.get("data") else { return };
    for e in data.entries() {
        let Some(text) = e.value.scalar_text() else { continue };
        let Some(found) = secret_values::find(&text) else {
            continue;
        };
        ctx.report(
            object,
            e.key_span,
            format!(
                "ConfigMap key `{}` holds {} (`{}`)",
                e.key, found.kind, found.masked
            ),
        )
        .help("a ConfigMap is not treated as confidential (read access to configuration is granted widely; encryption at rest is usually set up for Secrets only): revoke the credential if this manifest was ever shared, and keep the new one in a Secret (mounted, or referenced with `secretKeyRef`)");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::{assert_fires, assert_quiet, spanned};

    const RULE: &str = "env-secret-plaintext";

    fn pod(env: &str) -> String {
        format!(
            "apiVersion: v1\nkind: Pod\nmetadata: {{name: p}}\nspec:\n  containers:\n  - name: app\n    env:\n{env}"
        )
    }

    #[test]
    fn credential_names() {
        for n in [
            "DB_PASSWORD",
            "dbPassword",
            "MYSQL_ROOT_PASSWORD",
            "GITHUB_TOKEN",
            "API_KEY",
            "apiKey",
            "AWS_SECRET_ACCESS_KEY",
            "CLIENT_SECRET",
            "REDIS_PASS",
            "TLS_PRIVATE_KEY",
            "SECRET",
        ] {
            assert!(names_a_credential(n), "{n}");
        }
        for n in [
            "TOKEN_PATH",
            "PASSWORD_FILE",
            "SECRET_NAME",
            "AWS_ACCESS_KEY_ID",
            "PWD",
            "BYPASS",
            "KEY",
            "CACHE_KEY",
            "TOKEN_URL",
            "PASSWORD_MIN_LENGTH",
            "ETCD_INITIAL_CLUSTER_TOKEN",
        ] {
            assert!(!names_a_credential(n), "{n}");
        }
    }

    #[test]
    fn literal_secret() {
        let text = pod("    - {name: DB_PASSWORD, value: hunter2}\n");
        let d = assert_fires(RULE, &text);
        assert_eq!(spanned(&text, &d[0]), "hunter2");
    }

    #[test]
    fn references_paths_and_empty() {
        assert_quiet(
            RULE,
            &pod(
                "    - {name: DB_PASSWORD, valueFrom: {secretKeyRef: {name: db, key: password}}}\n    - {name: TOKEN, value: ''}\n    - {name: API_TOKEN, value: /var/run/secrets/token}\n    - {name: ADMIN_PASSWORD, value: $(PASSWORD_FROM_SECRET)}\n    - {name: TOKEN_PATH, value: abc}\n    - {name: USE_TOKEN, value: 'true'}\n",
            ),
        );
    }

    #[test]
    fn values_of_a_credential_format_whatever_the_name() {
        // Assembled at run time: no credential-shaped literal in the source.
        let url = ["postgres://app:", "Qx7-vT2m9Lw", "@db:5432/app"].concat();
        let text = pod(&format!("    - {{name: DATABASE_URL, value: '{url}'}}\n"));
        let d = assert_fires(RULE, &text);
        assert!(d[0].message.contains("a password in a URL"), "{}", d[0].message);
        assert!(d[0].message.contains("`DATABASE_URL`"), "{}", d[0].message);
        assert!(!d[0].message.contains("Qx7-vT2m9Lw"), "{}", d[0].message);
        let pem = ["-----BEGIN RSA ", "PRIVATE KEY-----"].concat();
        let text = pod(&format!(
            "    - name: KEY_MATERIAL\n      value: |\n        {pem}\n        MIIEabc\n"
        ));
        let d = assert_fires(RULE, &text);
        assert_eq!(spanned(&text, &d[0]), "value");
    }

    #[test]
    fn placeholders_are_not_reported() {
        assert_quiet(
            RULE,
            &pod(
                "    - {name: CLIENT_SECRET, value: <Client Secret>}\n    - {name: ADMIN_PASSWORD, value: changeme}\n    - {name: TOKEN, value: INSERT_TOKEN_HERE}\n    - {name: DATABASE_URL, value: 'postgres://app:${DB_PASSWORD}@db/app'}\n",
            ),
        );
    }

    #[test]
    fn config_map_values_by_format_only() {
        let url = ["amqp://worker:", "Zt4pW9xQe2", "@rabbit:5672/"].concat();
        let text = format!(
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: c}}\ndata:\n  db_password: hunter2\n  app.properties: |\n    broker={url}\n"
        );
        let d = assert_fires(RULE, &text);
        assert_eq!(d.len(), 1);
        assert_eq!(spanned(&text, &d[0]), "app.properties");
    }
}
