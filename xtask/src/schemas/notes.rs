//! Deprecation notes taken from field descriptions: the description itself is
//! dropped (size), only a short sentence survives when the field is marked
//! deprecated.

/// Longest note kept, in characters.
const MAX_NOTE: usize = 160;

/// Phrases that mark the described field itself as deprecated (lowercase).
const FIELD_PHRASES: &[&str] = &[
    "this field is deprecated",
    "this field is now deprecated",
    "the field is deprecated",
    "field is deprecated and",
    "field has been deprecated",
    "this field has been deprecated",
    "is a deprecated alias",
    "is a depreciated alias",
    "and now is deprecated",
    "should be considered as deprecated",
    "is the deprecated field",
    "this field will be deprecated",
    "this value is deprecated",
];

/// Returns a short note when `description` marks the field deprecated.
pub fn deprecation_note(field: &str, description: &str) -> Option<String> {
    // 1.23 appends "Possible enum values: - `"X"` means ..." where single
    // values may be deprecated; that is not about the field.
    let description = description.split("Possible enum values").next().unwrap_or(description);
    let text = strip_links(&normalize(description));
    let mut sentences = split_sentences(&text);
    // A "Deprecated:" inside a sentence (after a missing full stop) starts one.
    for s in sentences.iter_mut() {
        if let Some(i) = s.find("Deprecated:").or_else(|| s.find("DEPRECATED:"))
            && i > 0
        {
            *s = s[i..].to_string();
        }
    }
    // Best: a sentence that opens with the word "Deprecated" ("Deprecated: use X").
    let opening = sentences.iter().position(|s| opens_with_deprecated(s));
    let phrase = || {
        sentences.iter().position(|s| {
            let l = s.to_lowercase();
            FIELD_PHRASES.iter().any(|p| l.contains(p))
        })
    };
    let idx = opening.or_else(phrase);
    let idx = match idx {
        Some(i) => i,
        // `deprecatedTopology`, `deprecatedCount` (not the boolean `deprecated`).
        None if field
            .strip_prefix("deprecated")
            .is_some_and(|r| r.starts_with(|c: char| c.is_ascii_uppercase())) =>
        {
            return Some(shorten(
                sentences
                    .iter()
                    .find(|s| s.to_lowercase().contains("deprecat"))
                    .map_or("Deprecated field.", |s| s.as_str()),
            ));
        }
        None => return None,
    };
    let mut note = sentences[idx].clone();
    // "Deprecated: X is deprecated." says little; the next sentence usually
    // names the replacement.
    if note.len() < 60
        && let Some(next) = sentences.get(idx + 1)
    {
        note.push(' ');
        note.push_str(next);
    }
    Some(shorten(&note))
}

fn opens_with_deprecated(s: &str) -> bool {
    let lower = s.to_lowercase();
    let Some(rest) = lower.strip_prefix("deprecated") else {
        return false;
    };
    // "Deprecated: ...", "Deprecated. ...", "DEPRECATED - ...", "deprecated. ...";
    // not a field name ("deprecated indicates ...", "DeprecatedServiceAccount is").
    match rest.chars().next() {
        None => true,
        Some(c) if c.is_alphanumeric() => false,
        Some(' ') => s.starts_with('D'),
        Some(_) => true,
    }
}

/// Drops "More info: <url>" references.
fn strip_links(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find("More info: ") {
        out.push_str(&rest[..i]);
        let after = &rest[i + "More info: ".len()..];
        rest = after.find(' ').map_or("", |j| &after[j + 1..]);
    }
    out.push_str(rest);
    out.trim().to_string()
}

fn normalize(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for w in s.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(w);
    }
    out
}

/// Splits on ". " (and "; " after "Deprecated"), not after "e.g" / "i.e" / "etc".
fn split_sentences(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut start = 0;
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'.' && (i + 1 == bytes.len() || bytes[i + 1] == b' ') {
            let before = &text[start..i];
            let abbrev = ["e.g", "i.e", "etc", "vs", "ex"].iter().any(|a| before.ends_with(a));
            if !abbrev {
                let s = text[start..=i].trim();
                if !s.is_empty() {
                    out.push(s.to_string());
                }
                start = i + 1;
            }
        }
        i += 1;
    }
    let rest = text[start..].trim();
    if !rest.is_empty() {
        out.push(rest.to_string());
    }
    out
}

fn shorten(s: &str) -> String {
    if s.chars().count() <= MAX_NOTE {
        return s.to_string();
    }
    let mut cut: String = s.chars().take(MAX_NOTE).collect();
    if let Some(sp) = cut.rfind(' ') {
        cut.truncate(sp);
    }
    cut.push('…');
    cut
}

/// A field of a source model: its type, whether the model requires it, and
/// the deprecation note its description carries (same in every format).
pub fn field(name: &str, property: &serde_json::Value, ty: super::ir::NodeId, required: bool) -> super::ir::Field {
    let deprecated = property
        .get("description")
        .and_then(serde_json::Value::as_str)
        .and_then(|d| deprecation_note(name, d));
    super::ir::Field {
        name: name.to_string(),
        ty,
        required,
        deprecated,
    }
}

#[cfg(test)]
mod tests {
    use super::deprecation_note;

    #[test]
    fn notes() {
        assert_eq!(
            deprecation_note(
                "serviceAccount",
                "DeprecatedServiceAccount is a deprecated alias for ServiceAccountName. Deprecated: Use serviceAccountName instead."
            )
            .as_deref(),
            Some("Deprecated: Use serviceAccountName instead.")
        );
        assert_eq!(
            deprecation_note(
                "selfLink",
                "Deprecated: selfLink is a legacy read-only field that is no longer populated by the system."
            )
            .as_deref(),
            Some("Deprecated: selfLink is a legacy read-only field that is no longer populated by the system.")
        );
        assert_eq!(
            deprecation_note(
                "ingressClassName",
                "Replaces the deprecated kubernetes.io/ingress.class annotation."
            ),
            None
        );
        assert_eq!(
            deprecation_note("port", "The port. Number must be in the range 1 to 65535."),
            None
        );
        assert!(
            deprecation_note(
                "deprecatedCount",
                "deprecatedCount is the deprecated field assuring backward compatibility."
            )
            .is_some()
        );
        assert_eq!(
            deprecation_note(
                "deprecated",
                "deprecated indicates this version of the API is deprecated."
            ),
            None
        );
        assert_eq!(
            deprecation_note(
                "phase",
                "NodePhase is the phase. More info: https://x.io/a The field is never populated, and now is deprecated."
            )
            .as_deref(),
            Some("The field is never populated, and now is deprecated.")
        );
        assert_eq!(
            deprecation_note(
                "resize",
                "Set to \"Proposed\" Deprecated: Resize status is moved to two pod conditions."
            )
            .as_deref(),
            Some("Deprecated: Resize status is moved to two pod conditions.")
        );
        assert_eq!(
            deprecation_note(
                "phase",
                "The phase. Possible enum values: - `\"Unknown\"` Deprecated: It isn't being set since 2015."
            ),
            None
        );
    }
}
