//! Kubernetes' name formats (apimachinery's `IsDNS1123Label`,
//! `IsDNS1123Subdomain`, `IsDNS1035Label`, `IsQualifiedName`,
//! `IsValidLabelValue`), returning why a string does not fit.

fn alnum_lower(b: u8) -> bool {
    b.is_ascii_lowercase() || b.is_ascii_digit()
}

fn alnum(b: u8) -> bool {
    b.is_ascii_alphanumeric()
}

/// Why `s` is not a DNS-1123 label (`my-name`, at most 63 characters).
pub fn dns1123_label(s: &str) -> Option<String> {
    if s.len() > 63 {
        return Some(format!("it is {} characters long, more than 63", s.len()));
    }
    label_chars(s, false)
}

fn label_chars(s: &str, letter_first: bool) -> Option<String> {
    let b = s.as_bytes();
    if b.is_empty() {
        return Some("it is empty".into());
    }
    if let Some(c) = s
        .chars()
        .find(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '-'))
    {
        return Some(if c.is_ascii_uppercase() {
            "it contains upper-case letters".into()
        } else {
            format!("it contains `{c}`; only lower-case letters, digits and `-` are allowed")
        });
    }
    if letter_first && !b[0].is_ascii_lowercase() {
        return Some("it must start with a letter".into());
    }
    if !alnum_lower(b[0]) || !alnum_lower(b[b.len() - 1]) {
        return Some("it must start and end with a letter or digit".into());
    }
    None
}

/// Why `s` is not a DNS-1035 label (like DNS-1123, starting with a letter).
pub fn dns1035_label(s: &str) -> Option<String> {
    if s.len() > 63 {
        return Some(format!("it is {} characters long, more than 63", s.len()));
    }
    label_chars(s, true)
}

/// Why `s` is not a DNS-1123 subdomain (`my-app.example`, at most 253).
pub fn dns1123_subdomain(s: &str) -> Option<String> {
    if s.len() > 253 {
        return Some(format!("it is {} characters long, more than 253", s.len()));
    }
    if s.is_empty() {
        return Some("it is empty".into());
    }
    if let Some(c) = s
        .chars()
        .find(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '-' || *c == '.'))
    {
        return Some(if c.is_ascii_uppercase() {
            "it contains upper-case letters".into()
        } else {
            format!("it contains `{c}`; only lower-case letters, digits, `-` and `.` are allowed")
        });
    }
    for part in s.split('.') {
        let b = part.as_bytes();
        if b.is_empty() || !alnum_lower(b[0]) || !alnum_lower(b[b.len() - 1]) {
            return Some(if s.contains('.') {
                "each dot-separated part must start and end with a letter or digit".into()
            } else {
                "it must start and end with a letter or digit".into()
            });
        }
    }
    None
}

/// Why `s` is not the name part of a label key, or a label value (when
/// `value`): at most 63 characters of letters, digits, `-`, `_` and `.`,
/// starting and ending with a letter or digit (a value may be empty).
fn label_name(s: &str, value: bool) -> Option<String> {
    if s.is_empty() {
        return if value {
            None
        } else {
            Some("the name part is empty".into())
        };
    }
    if s.chars().count() > 63 {
        return Some(format!("it is {} characters long, more than 63", s.chars().count()));
    }
    if let Some(c) = s
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')))
    {
        let shown = if c == ' ' {
            "a space".to_string()
        } else {
            format!("`{c}`")
        };
        return Some(format!(
            "it contains {shown}; only letters, digits, `-`, `_` and `.` are allowed"
        ));
    }
    let b = s.as_bytes();
    if !alnum(b[0]) || !alnum(b[b.len() - 1]) {
        return Some("it must start and end with a letter or digit".into());
    }
    None
}

/// Why `key` is not a valid label key (`[prefix/]name`).
pub fn label_key(key: &str) -> Option<String> {
    let (prefix, name) = match key.split_once('/') {
        Some((p, n)) => (Some(p), n),
        None => (None, key),
    };
    if name.contains('/') {
        return Some("a key contains at most one `/`".into());
    }
    if let Some(p) = prefix {
        if p.is_empty() {
            return Some("the prefix before `/` is empty".into());
        }
        if let Some(why) = dns1123_subdomain(p) {
            return Some(format!("the prefix `{p}` is not a DNS subdomain: {why}"));
        }
    }
    label_name(name, false).map(|why| match prefix {
        Some(_) => format!("the name part `{name}`: {why}"),
        None => why,
    })
}

/// Why `value` is not a valid label value.
pub fn label_value(value: &str) -> Option<String> {
    label_name(value, true)
}

/// Why `s` is not a path segment name (RBAC object names).
pub fn path_segment(s: &str) -> Option<String> {
    if s == "." || s == ".." {
        return Some(format!("`{s}` is not allowed"));
    }
    if let Some(c) = s.chars().find(|c| matches!(c, '/' | '%')) {
        return Some(format!("it contains `{c}`"));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dns_formats() {
        assert!(dns1123_label("web-1").is_none());
        assert!(dns1123_label("1web").is_none());
        assert!(dns1123_label("web.1").is_some());
        assert!(dns1123_label("Web").is_some_and(|w| w.contains("upper-case")));
        assert!(dns1123_label("-web").is_some());
        assert!(dns1123_label(&"a".repeat(64)).is_some());
        assert!(dns1123_label(&"a".repeat(63)).is_none());
        assert!(dns1035_label("1web").is_some_and(|w| w.contains("start with a letter")));
        assert!(dns1035_label("web-1").is_none());
        assert!(dns1123_subdomain("my.app-1.example").is_none());
        assert!(dns1123_subdomain("my..app").is_some());
        assert!(dns1123_subdomain("my_app").is_some_and(|w| w.contains("`_`")));
        assert!(dns1123_subdomain(&"a".repeat(253)).is_none());
        assert!(dns1123_subdomain(&"a".repeat(254)).is_some());
        assert!(path_segment("system:controller:foo").is_none());
        assert!(path_segment("a/b").is_some());
    }

    #[test]
    fn label_keys_and_values() {
        for k in ["app", "app.kubernetes.io/name", "Tier_1.x", "example.com/A-b"] {
            assert!(label_key(k).is_none(), "{k}");
        }
        assert!(label_key("app name").is_some_and(|w| w.contains("a space")));
        assert!(label_key("Example.com/app").is_some_and(|w| w.contains("prefix")));
        assert!(label_key("a/b/c").is_some());
        assert!(label_key("/app").is_some());
        assert!(label_key("example.com/").is_some());
        assert!(label_key("-app").is_some());
        assert!(label_key(&"a".repeat(64)).is_some());
        assert!(label_value("").is_none());
        assert!(label_value("v1.2.3_rc-1").is_none());
        assert!(label_value("1.0+build").is_some());
        assert!(label_value("v1.").is_some());
        assert!(label_value(&"a".repeat(64)).is_some());
    }
}
