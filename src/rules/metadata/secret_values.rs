//! Credentials recognised by their value: the well-known formats of
//! private keys, cloud and service tokens, JWTs and passwords written into
//! URLs. Used by `env-secret-plaintext`; a match is described by its kind
//! and a masked form, never by the secret itself.

use std::sync::LazyLock;

use regex::Regex;

/// One credential found in a value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    /// What it is, for messages: "a private key (PEM)".
    pub kind: &'static str,
    /// The value with the secret part masked.
    pub masked: String,
}

struct Format {
    kind: &'static str,
    re: Regex,
    /// How many leading characters of the match are the format's public
    /// prefix (shown; the rest is masked).
    shown: usize,
}

fn re(pattern: &str) -> Regex {
    Regex::new(pattern).unwrap_or_else(|e| panic!("secret pattern {pattern}: {e}"))
}

static FORMATS: LazyLock<Vec<Format>> = LazyLock::new(|| {
    vec![
        Format {
            kind: "a private key (PEM)",
            re: re(r"-----BEGIN (?:RSA |EC |DSA |OPENSSH |ENCRYPTED |PGP )?PRIVATE KEY(?: BLOCK)?-----"),
            shown: usize::MAX,
        },
        Format {
            kind: "an AWS access key ID",
            re: re(r"\b(?:AKIA|ASIA)[A-Z0-9]{16}\b"),
            shown: 4,
        },
        Format {
            kind: "a GitHub token",
            re: re(r"\bgh[pousr]_[A-Za-z0-9]{36}\b"),
            shown: 4,
        },
        Format {
            kind: "a GitHub token",
            re: re(r"\bgithub_pat_[A-Za-z0-9_]{82}\b"),
            shown: 11,
        },
        Format {
            kind: "a Slack token",
            re: re(r"\bxox[abpr]-[A-Za-z0-9]{8,}-[A-Za-z0-9-]{8,}"),
            shown: 5,
        },
        Format {
            kind: "a Google API key",
            re: re(r"\bAIza[0-9A-Za-z_-]{35}(?:[^0-9A-Za-z_-]|$)"),
            shown: 4,
        },
        Format {
            kind: "a Stripe live secret key",
            re: re(r"\b[sr]k_live_[0-9A-Za-z]{24,}\b"),
            shown: 8,
        },
        Format {
            kind: "a JSON Web Token",
            re: re(r"\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{16,}"),
            shown: 3,
        },
    ]
});

/// `scheme://user:password@host`: the password is group 2.
static URL_PASSWORD: LazyLock<Regex> =
    LazyLock::new(|| re(r"\b([a-zA-Z][a-zA-Z0-9+.-]*://[^:/@\s]+:)([^@/\s]+)(@[^\s/?#]+)"));

/// Text a tool or a reader is meant to replace, not a credential:
/// `changeme`, `${VAR}`, `$(VAR)`, `{{ .x }}`, `<your secret>`, `xxxx`,
/// `INSERT_TOKEN_HERE`, and the documentation's own example keys.
pub fn placeholder(value: &str) -> bool {
    let v = value.trim().trim_matches(|c| c == '"' || c == '\'');
    let lower = v.to_ascii_lowercase();
    if v.is_empty()
        || v.contains("${")
        || v.contains("$(")
        || v.contains("{{")
        || v.starts_with('$')
        || v.starts_with('%')
        || (v.starts_with('<') && v.ends_with('>'))
        || lower.contains("example")
        || lower.contains("changeme")
        || lower.contains("change_me")
        || lower.contains("change-me")
        || lower.contains("changeit")
        || lower.contains("replace")
        || lower.contains("placeholder")
        || lower.starts_with("your")
        || lower.starts_with("insert")
    {
        return true;
    }
    // One character repeated (`xxxx`, `****`, `0000`).
    let mut chars = v.chars();
    if let Some(first) = chars.next()
        && v.len() >= 3
        && chars.all(|c| c == first || c == '-' || c == '_')
    {
        return true;
    }
    // An upper-case identifier standing for the value
    // (`INSERT_DISCOVERY_TOKEN`, `API_KEY_VAL`, `SECRET`).
    v.len() >= 4 && v.bytes().all(|b| b.is_ascii_uppercase() || b == b'_')
}

/// Words a URL's password slot holds in examples.
fn example_password(p: &str) -> bool {
    matches!(
        p.to_ascii_lowercase().as_str(),
        "password" | "passwd" | "pass" | "pwd" | "secret" | "user" | "username" | "test" | "redacted" | "hidden"
    ) || placeholder(p)
}

/// The first credential of a known format in `text`, if any.
pub fn find(text: &str) -> Option<Found> {
    // Most values hold none of the formats' markers: cheap test first.
    if text.len() < 16 {
        return None;
    }
    for f in FORMATS.iter() {
        for m in f.re.find_iter(text) {
            let hit = m
                .as_str()
                .trim_end_matches(|c: char| !c.is_ascii_alphanumeric() && c != '-');
            if f.shown != usize::MAX && placeholder(hit) {
                continue;
            }
            let masked = if f.shown == usize::MAX {
                hit.to_string()
            } else {
                let shown: String = hit.chars().take(f.shown).collect();
                format!("{shown}****")
            };
            return Some(Found { kind: f.kind, masked });
        }
    }
    if text.contains("://") {
        for c in URL_PASSWORD.captures_iter(text) {
            let (Some(before), Some(pass), Some(after)) = (c.get(1), c.get(2), c.get(3)) else {
                continue;
            };
            if example_password(pass.as_str()) {
                continue;
            }
            return Some(Found {
                kind: "a password in a URL",
                masked: format!("{}****{}", before.as_str(), after.as_str()),
            });
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    // Test values are assembled at run time so that no credential-shaped
    // literal sits in the source (secret scanners read it too).
    fn cat(parts: &[&str]) -> String {
        parts.concat()
    }

    #[test]
    fn formats_are_recognised_and_masked() {
        let cases = [
            (
                cat(&["-----BEGIN RSA ", "PRIVATE KEY-----\nMIIE..."]),
                "a private key (PEM)",
            ),
            (cat(&["-----BEGIN ", "PRIVATE KEY-----"]), "a private key (PEM)"),
            (cat(&["-----BEGIN OPENSSH ", "PRIVATE KEY-----"]), "a private key (PEM)"),
            (cat(&["AKIA", "Q3EGRKQ7ZL5TN2MW"]), "an AWS access key ID"),
            (cat(&["ASIA", "Q3EGRKQ7ZL5TN2MW"]), "an AWS access key ID"),
            (cat(&["ghp_", &"a1B2".repeat(9)]), "a GitHub token"),
            (cat(&["github_pat_", &"a1B2_".repeat(16), "xy"]), "a GitHub token"),
            (cat(&["xoxb-", "123456789012-", "abcdefghijkl"]), "a Slack token"),
            (cat(&["AIza", "Sy", &"a1B2c".repeat(6), "D3e"]), "a Google API key"),
            (cat(&["sk_live_", &"a1B2".repeat(6)]), "a Stripe live secret key"),
            (
                cat(&[
                    "eyJhbGciOiJIUzI1NiJ9",
                    ".eyJzdWIiOiIxMjM0NSJ9",
                    ".",
                    "abcdefghijklmnop_QRSTUV",
                ]),
                "a JSON Web Token",
            ),
            (
                cat(&["postgres://app:", "s3cr3tPa55", "@db:5432/app"]),
                "a password in a URL",
            ),
        ];
        for (value, kind) in &cases {
            let found = find(value).unwrap_or_else(|| panic!("not found: {kind}"));
            assert_eq!(found.kind, *kind);
            if *kind != "a private key (PEM)" {
                // The secret part never shows.
                assert!(found.masked.contains("****"), "{found:?}");
                assert!(!value.contains(&found.masked), "{found:?}");
            }
        }
        let url = find(&cat(&["redis://default:", "s3cr3tPa55", "@cache:6379"])).unwrap_or_else(|| panic!("url"));
        assert_eq!(url.masked, "redis://default:****@cache:6379");
    }

    #[test]
    fn placeholders_and_look_alikes_are_not_credentials() {
        for value in [
            cat(&["AKIA", "IOSFODNN7", "EXAMPLE"]),
            "postgres://user:password@db/app".to_string(),
            "postgres://app:${DB_PASSWORD}@db/app".to_string(),
            "amqp://guest:<password>@rabbit:5672".to_string(),
            "https://example.com/path?a=b".to_string(),
            "mysql://root:changeme@db".to_string(),
            "https://user@host.example/".to_string(),
            "-----BEGIN CERTIFICATE-----".to_string(),
            "-----BEGIN PUBLIC KEY-----".to_string(),
            "a plain sentence about tokens and keys".to_string(),
            "ghp_short".to_string(),
        ] {
            assert_eq!(find(&value), None, "{value}");
        }
        for p in [
            "changeme",
            "<Client Secret>",
            "${TOKEN}",
            "xxxxxx",
            "INSERT_DISCOVERY_TOKEN",
            "SECRET",
        ] {
            assert!(placeholder(p), "{p}");
        }
        for p in ["hunter2", "s3cr3t-pa55", "minio123", "Secret1"] {
            assert!(!placeholder(p), "{p}");
        }
    }
}
