//! `saphyr-parser` events → spanned documents, with per-document recovery:
//! after a syntax error the reader resumes at the next `---`, so the other
//! documents of the file are still linted.

use super::events::{Budget, Chars, Failure, Input, RENDER_FIRST, line_end, parse_from};
use super::relax::relax_indentation;
use super::{Document, Limits, Span, Stream};
use crate::source::CharToByte;

/// Parses a YAML stream: first by the fast path for the block-style subset
/// most manifests are written in (`yaml::fast`), and with
/// `saphyr-parser` when the fast path declines the text (or is turned off,
/// see `fast_path_enabled`). Whenever the fast path takes a text, it gives
/// exactly the full parser's documents, spans and findings: checked on every
/// fixture, every corpus file, mutated and generated streams
/// (`tests/yaml_fast_path.rs`) and by the `yaml_fast_path` fuzz target.
pub fn parse_yaml(text: &str, limits: Limits) -> Stream {
    if fast_path_enabled()
        && let Some(stream) = parse_yaml_fast(text, limits)
    {
        return stream;
    }
    parse_yaml_full(text, limits)
}

/// Whether [`parse_yaml`] tries the fast path first: yes, unless
/// `KVET_YAML_FAST_PATH=0` (README, "The YAML front-end"), which makes every
/// text go through `saphyr-parser` alone.
pub fn fast_path_enabled() -> bool {
    static ON: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *ON.get_or_init(|| std::env::var_os("KVET_YAML_FAST_PATH").is_none_or(|v| v != "0"))
}

/// The fast path alone: `None` when it declines the text (anything outside
/// its subset, or anything the full parser would report).
pub fn parse_yaml_fast(text: &str, limits: Limits) -> Option<Stream> {
    let base = if text.starts_with('\u{feff}') { 3 } else { 0 };
    let mut direct = super::direct::Direct::new(text, base as u32, limits.max_depth);
    if !super::fast::run(&text[base..], &mut direct) {
        return None;
    }
    let mut stream = direct.stream;
    // Findings the tree builder makes (a bad merge key) get the same help.
    hint_template(text, &mut stream);
    Some(stream)
}

/// The full parser (`saphyr-parser`), with per-document recovery.
pub fn parse_yaml_full(text: &str, limits: Limits) -> Stream {
    let mut stream = Stream::default();
    let mut base = if text.starts_with('\u{feff}') { 3 } else { 0 };
    // One character map for the whole file: a restart after a broken
    // document does not scan the rest of the file again.
    let whole = CharToByte::new(text);
    let mut budget = Budget::default();
    while base < text.len() {
        let input = Input {
            parsed: &text[base..],
            base: base as u32,
            shift: None,
        };
        let Some(fail) = parse_from(
            text,
            input,
            Chars::whole(&whole, base as u32),
            limits,
            &mut budget,
            &mut stream,
        ) else {
            break;
        };
        let next = next_document_start(text, fail.diag.span.start as usize);
        if !(fail.indentation && retry_relaxed(text, &fail, next, limits, &mut budget, &mut stream)) {
            stream.diagnostics.push(fail.diag);
            push_failed_doc(&mut stream, fail.doc_start, fail.at);
        }
        match next {
            Some(n) => base = n,
            None => break,
        }
    }
    hint_template(text, &mut stream);
    stream
}

/// Whether a line uses a template action where YAML reads structure: a
/// line that is an action (`{{- if .x }}`), or an unquoted value or item
/// that starts with one (`name: {{ .x }}`, `- {{ .x }}`). Actions inside
/// quoted or prose values (alert texts) leave the YAML intact.
fn templated_line(line: &str) -> bool {
    let t = line.trim_start();
    t.starts_with("{{") || t.starts_with("- {{") || line.contains(": {{")
}

/// In a file written as a template, the first YAML error is the template
/// syntax itself, whatever the parser called it (a "complex key" for
/// `name: {{ .x }}`, an indentation error after `{{- if }}`): its help is
/// to render the template first. A tab indentation on that line keeps its
/// own, more precise help.
fn hint_template(text: &str, stream: &mut Stream) {
    // Most files have no YAML error: their text is not searched at all.
    let Some(first) = stream
        .diagnostics
        .iter_mut()
        .filter(|d| d.rule == "yaml-syntax")
        .min_by_key(|d| d.span.start)
    else {
        return;
    };
    if !text.contains("{{") || !text.lines().any(templated_line) {
        return;
    }
    let at = (first.span.start as usize).min(text.len());
    let line_start = text.get(..at).and_then(|t| t.rfind('\n')).map_or(0, |i| i + 1);
    let line = text.get(line_start..line_end(text, line_start)).unwrap_or("");
    if line.trim_start_matches(' ').starts_with('\t') {
        return;
    }
    first.help = Some(RENDER_FIRST.into());
}

/// Parses the failed document again with go-yaml's indentation leniency
/// (see [`super::relax`]); on success its documents join the stream.
fn retry_relaxed(
    text: &str,
    fail: &Failure,
    next: Option<usize>,
    limits: Limits,
    budget: &mut Budget,
    stream: &mut Stream,
) -> bool {
    let start = text[..fail.doc_start as usize].rfind('\n').map_or(0, |i| i + 1);
    let start = start.max(if text.starts_with('\u{feff}') { 3 } else { 0 });
    let end = next.unwrap_or(text.len());
    let Some((relaxed, shift)) = relax_indentation(&text[start..end]) else {
        return false;
    };
    let mut tmp = Stream::default();
    let input = Input {
        parsed: &relaxed,
        base: start as u32,
        shift: Some(&shift),
    };
    let chars = Chars::Own(CharToByte::new(input.parsed));
    if parse_from(text, input, chars, limits, budget, &mut tmp).is_some() {
        return false;
    }
    for mut d in tmp.documents {
        d.index = stream.documents.len();
        stream.documents.push(d);
    }
    stream.diagnostics.extend(tmp.diagnostics);
    true
}

/// The byte offset of the first line after `from` that starts a new document
/// (`---`) or follows an end marker (`...`).
fn next_document_start(text: &str, from: usize) -> Option<usize> {
    let mut pos = text[from..].find('\n').map(|i| from + i + 1)?;
    while pos < text.len() {
        let rest = &text[pos..];
        let line_end = rest.find('\n').map_or(text.len(), |i| pos + i + 1);
        let is_marker = |m: &str| {
            rest.strip_prefix(m)
                .is_some_and(|r| r.is_empty() || r.starts_with([' ', '\t', '\r', '\n']))
        };
        if is_marker("---") {
            return Some(pos);
        }
        if is_marker("...") {
            return Some(line_end);
        }
        pos = line_end;
    }
    None
}

fn push_failed_doc(stream: &mut Stream, start: u32, end: u32) {
    stream.documents.push(Document {
        root: None,
        index: stream.documents.len(),
        span: Span::new(start.min(end), end),
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::{LoadDiagnostic, Node};

    fn parse(s: &str) -> Stream {
        parse_yaml(s, Limits::default())
    }

    fn root(s: &str) -> Node {
        let st = parse(s);
        assert!(st.diagnostics.is_empty(), "{:?}", st.diagnostics);
        st.documents[0].root.clone().unwrap_or_else(|| Node::null(0))
    }

    #[test]
    fn spans_of_keys_and_values() {
        let text = "apiVersion: v1\nkind: Pod\nspec:\n  containers:\n  - name: app\n    image: nginx\n";
        let r = root(text);
        let e = r.path_entry(&["spec", "containers"]).map(|e| e.key_span);
        assert_eq!(e, Some(Span::new(33, 43)));
        let c = &r.path(&["spec", "containers"]).map(|n| n.items()[0].clone());
        let name = c.as_ref().and_then(|c| c.get("name")).map(|n| n.span);
        assert_eq!(name.map(|s| &text[s.start as usize..s.end as usize]), Some("app"));
        let spec = r.get("spec").map(|n| n.span).unwrap_or_default();
        assert_eq!(
            &text[spec.start as usize..spec.end as usize],
            "containers:\n  - name: app\n    image: nginx"
        );
    }

    #[test]
    fn quoted_scalars_end_at_their_quote() {
        let text = "a: \"x \\\" y\" # c\nb:\n- 'it''s'   # h\nc: \"multi\n  line\"  # z\n";
        let r = root(text);
        let span_text = |n: Option<&Node>| {
            n.map(|n| &text[n.span.start as usize..n.span.end as usize])
                .unwrap_or("")
        };
        assert_eq!(span_text(r.get("a")), "\"x \\\" y\"");
        assert_eq!(span_text(r.get("b").map(|b| &b.items()[0])), "'it''s'");
        assert_eq!(span_text(r.get("c")), "\"multi\n  line\"");
    }

    #[test]
    fn multibyte_offsets_are_bytes() {
        let text = "a: \"héllo wörld\"\nb: x\n";
        let r = root(text);
        let b = r.get("b").map(|n| n.span).unwrap_or_default();
        assert_eq!(&text[b.start as usize..b.end as usize], "x");
    }

    #[test]
    fn yaml11_scalars_in_tree() {
        let r = root("mode: 0644\nflag: yes\nq: '0644'\nf: 1e3\n");
        assert_eq!(r.get("mode").and_then(Node::as_i64), Some(420));
        assert_eq!(r.get("flag").and_then(Node::as_bool), Some(true));
        assert_eq!(r.get("q").and_then(Node::as_str), Some("0644"));
        assert_eq!(r.get("f").and_then(Node::as_f64), Some(1000.0));
    }

    #[test]
    fn duplicate_keys_point_at_both() {
        let st = parse("a: 1\nb: 2\na: 3\n");
        assert_eq!(st.diagnostics.len(), 1);
        let d = &st.diagnostics[0];
        assert_eq!(d.rule, "yaml-duplicate-key");
        assert_eq!(d.span, Span::new(10, 11));
        assert_eq!(d.labels[0].0, Span::new(0, 1));
        let r = st.documents[0].root.clone().unwrap_or_else(|| Node::null(0));
        assert_eq!(r.get("a").and_then(Node::as_i64), Some(3));
    }

    #[test]
    fn duplicate_empty_keys_offer_nothing_to_remove() {
        // Found by the fix fuzz target: removing an empty key's "entry" by
        // its spans broke the text; written keys keep their fix.
        let st = parse("? \n: 1\n? \n: 2\nnull: 3\n");
        let dups: Vec<_> = st
            .diagnostics
            .iter()
            .filter(|d| d.rule == "yaml-duplicate-key")
            .collect();
        assert_eq!(dups.len(), 2);
        assert!(dups[0].shadowed.is_none());
        assert!(dups[1].shadowed.is_none(), "the earlier key is empty");
        let st = parse("~: 1\nnull: 2\n");
        assert!(st.diagnostics[0].shadowed.is_some());
    }

    #[test]
    fn an_empty_key_is_not_the_key_written_after_it() {
        // Found by the fix fuzz target: an empty key's event sits at the
        // next token, here the next `?` line, whose entry the duplicate-key
        // fix then removed (a key that is no duplicate).
        let text = "a:\n?    \n? e  x\nb:\n?    \n? e t\n";
        let st = parse(text);
        let dups: Vec<_> = st
            .diagnostics
            .iter()
            .filter(|d| d.rule == "yaml-duplicate-key")
            .collect();
        assert_eq!(dups.len(), 1);
        assert!(dups[0].shadowed.is_none(), "no text of the empty key to remove");
        assert!(
            dups[0].message.contains("an empty key reads as `null`"),
            "{}",
            dups[0].message
        );
        assert!(dups[0].span.is_empty() && dups[0].labels[0].0.is_empty());
        let r = st.documents[0].root.clone().unwrap_or_else(|| Node::null(0));
        assert!(r.get("e  x").is_some() && r.get("e t").is_some());
    }

    #[test]
    fn different_complex_keys_are_not_duplicates() {
        // Each is a syntax error of its own; none is a duplicate of another,
        // and none is kept in the tree (JSON cannot hold it).
        let st = parse("? [a]\n: 1\n? {b: 2}\n: 2\nc: 3\n");
        let rules: Vec<&str> = st.diagnostics.iter().map(|d| d.rule).collect();
        assert_eq!(rules, ["yaml-syntax", "yaml-syntax"]);
        let r = st.documents[0].root.clone().unwrap_or_else(|| Node::null(0));
        assert_eq!(r.as_map().map(<[_]>::len), Some(1));
    }

    #[test]
    fn duplicate_keys_in_large_mappings() {
        let mut s = String::new();
        for i in 0..5000 {
            s.push_str(&format!("k{i}: {i}\n"));
        }
        s.push_str("k42: again\n");
        let st = parse(&s);
        assert_eq!(st.diagnostics.len(), 1);
    }

    #[test]
    fn multi_document_with_markers_and_empty_docs() {
        let st = parse("---\na: 1\n---\n# only a comment\n---\n...\n---\nb: 2\n...\n");
        let roots: Vec<bool> = st.documents.iter().map(|d| d.root.is_some()).collect();
        assert_eq!(roots, vec![true, false, false, true]);
    }

    #[test]
    fn syntax_error_keeps_other_documents() {
        let text = "a: 1\n---\nb: [1, 2\nc: 3\n---\nd: 4\n";
        let st = parse(text);
        assert_eq!(st.diagnostics.iter().filter(|d| d.rule == "yaml-syntax").count(), 1);
        let good: Vec<_> = st.documents.iter().filter_map(|d| d.root.as_ref()).collect();
        assert_eq!(good.len(), 2);
        assert!(good[1].get("d").is_some());
    }

    #[test]
    fn anchors_aliases_and_merge_keys() {
        let r = root("base: &b\n  a: 1\n  b: 2\nother:\n  <<: *b\n  b: 3\ncopy: *b\n");
        let other = r.get("other").cloned().unwrap_or_else(|| Node::null(0));
        assert_eq!(other.get("a").and_then(Node::as_i64), Some(1));
        assert_eq!(other.get("b").and_then(Node::as_i64), Some(3));
        assert_eq!(r.path(&["copy", "b"]).and_then(Node::as_i64), Some(2));
    }

    #[test]
    fn yaml11_keys_become_their_json_text() {
        // As sigs.k8s.io/yaml converts them: `y`, `on` are booleans, `010` octal.
        let r = root("y: 1\n010: 3\n");
        let keys: Vec<&str> = r.entries().iter().map(|e| &*e.key).collect();
        assert_eq!(keys, vec!["true", "8"]);
        let st = parse("y: 1\non: 2\n");
        assert!(
            st.diagnostics[0].message.contains("YAML 1.1 reads `on` as `true`"),
            "{:?}",
            st.diagnostics
        );
    }

    #[test]
    fn alias_bomb_is_rejected_quickly() {
        let text = "a: &a [x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\ng: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]\nh: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]\ni: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]\n";
        let st = parse(text);
        let d = st.diagnostics.iter().find(|d| d.rule == "yaml-limits");
        assert!(d.is_some_and(|d| d.message.contains("alias")), "{:?}", st.diagnostics);
    }

    #[test]
    fn deep_nesting_is_rejected() {
        let text = "[".repeat(10_000);
        let st = parse(&text);
        assert!(
            st.diagnostics.iter().any(|d| d.rule == "yaml-limits"),
            "{:?}",
            st.diagnostics
        );
    }

    #[test]
    fn bom_and_crlf() {
        let text = "\u{feff}a: 1\r\nb: x\r\n";
        let r = root(text);
        let b = r.get("b").map(|n| n.span).unwrap_or_default();
        assert_eq!(&text[b.start as usize..b.end as usize], "x");
    }

    #[test]
    fn go_yaml_indentation_leniency() {
        // Accepted by Kubernetes' reader: continuation lines of a flow
        // sequence and a quoted scalar at the key's own indentation.
        let text = "a: 1\n---\nspec:\n  args: [\n      \"--x\",\n  ]\n  note: 'one\n  two'\n  after: yes\n---\nz: 1\n";
        let st = parse(text);
        assert!(st.diagnostics.is_empty(), "{:?}", st.diagnostics);
        assert_eq!(st.documents.len(), 3);
        let r = st.documents[1].root.clone().unwrap_or_else(|| Node::null(0));
        let after = r.path(&["spec", "after"]).cloned().unwrap_or_else(|| Node::null(0));
        assert_eq!(after.as_bool(), Some(true));
        assert_eq!(&text[after.span.start as usize..after.span.end as usize], "yes");
        assert_eq!(r.path(&["spec", "note"]).and_then(Node::as_str), Some("one two"));
        assert_eq!(st.documents[2].index, 2);
    }

    #[test]
    fn tab_indentation_gets_a_hint() {
        let st = parse("a:\n\tb: 1\n");
        let d = st.diagnostics.iter().find(|d| d.rule == "yaml-syntax");
        assert!(
            d.is_some_and(|d| d.help.as_deref().is_some_and(|h| h.contains("tabs"))),
            "{:?}",
            st.diagnostics
        );
    }

    fn limit_findings(st: &Stream) -> Vec<&LoadDiagnostic> {
        st.diagnostics.iter().filter(|d| d.rule == "yaml-limits").collect()
    }

    #[test]
    fn nested_anchors_are_not_copied() {
        // 250 nested anchors around 40k items: copying each anchored subtree
        // when it is defined made this 10M nodes.
        let depth = 250;
        let mut text = String::from("a: ");
        for i in 0..depth {
            text.push_str(&format!("&a{i} ["));
        }
        text.push_str(&vec!["x"; 40_000].join(","));
        text.push_str(&"]".repeat(depth));
        text.push_str("\nb: 1\n");
        let r = root(&text);
        let mut n = r.get("a").cloned().unwrap_or_else(|| Node::null(0));
        for _ in 1..depth {
            n = n.items().first().cloned().unwrap_or_else(|| Node::null(0));
        }
        assert_eq!(n.items().len(), 40_000);
        assert_eq!(r.get("b").and_then(Node::as_i64), Some(1));
    }

    #[test]
    fn nested_anchors_still_alias_and_merge() {
        let text = "a: &a\n  b: &b [1, &c {x: 2}]\n  m: {<<: [&d {q: 3}]}\nc: *c\nb: *b\naa: *a\nd: *d\n";
        let r = root(text);
        assert_eq!(r.path(&["a", "b"]).map(|b| b.items().len()), Some(2));
        assert_eq!(r.path(&["c", "x"]).and_then(Node::as_i64), Some(2));
        assert_eq!(r.path(&["b"]).map(|b| b.items().len()), Some(2));
        assert_eq!(
            r.path(&["aa", "b"])
                .map(|b| b.items()[1].clone())
                .and_then(|n| n.get("x").and_then(Node::as_i64)),
            Some(2)
        );
        assert_eq!(r.path(&["a", "m", "q"]).and_then(Node::as_i64), Some(3));
        assert_eq!(r.path(&["d", "q"]).and_then(Node::as_i64), Some(3));
        // The copy is reported at the alias, the original where it is written.
        let c = r.get("c").map(|n| n.span).unwrap_or_default();
        assert_eq!(&text[c.start as usize..c.end as usize], "*c");
        let orig = r.path(&["a", "b"]).map(|n| n.span).unwrap_or_default();
        assert_eq!(&text[orig.start as usize..orig.end as usize], "&b [1, &c {x: 2}]");
    }

    #[test]
    fn large_scalar_aliased_many_times_is_rejected() {
        let big = "x".repeat(64 * 1024);
        let text = format!("s: &s \"{big}\"\nl: [{}]\n---\nok: 1\n", vec!["*s"; 99_000].join(","));
        let st = parse(&text);
        let lim = limit_findings(&st);
        assert_eq!(lim.len(), 1, "{:?}", st.diagnostics);
        assert!(lim[0].message.contains("MiB of text"), "{}", lim[0].message);
        // Located at the alias that crossed the limit, and the next document loads.
        assert!(text[lim[0].span.start as usize..].starts_with("*s"));
        assert!(
            st.documents
                .iter()
                .any(|d| d.root.as_ref().is_some_and(|r| r.get("ok").is_some()))
        );
    }

    #[test]
    fn alias_budget_is_per_file() {
        // 1,000 documents each just under the per-document budget.
        let items = vec!["x"; 999].join(",");
        let aliases = vec!["*a"; 99].join(",");
        let doc = format!("a: &a [{items}]\nb: [{aliases}]\n");
        let text = vec![doc; 1000].join("---\n");
        let st = parse(&text);
        let lim = limit_findings(&st);
        assert!(!lim.is_empty());
        assert!(lim.iter().all(|d| d.message.contains("in all")), "{:?}", lim[0]);
        // The first documents load; every later one is rejected with a finding.
        let loaded = st.documents.iter().filter(|d| d.root.is_some()).count();
        assert_eq!(loaded, 10);
        assert_eq!(lim.len(), 990);
        assert_eq!(st.documents.len(), 1000);
    }

    #[test]
    fn a_template_s_first_error_says_render_it_first() {
        // The parser calls `{{ include ... }}` a complex key; the help says
        // what the file is.
        let text = "apiVersion: v1\nkind: Service\nmetadata:\n  name: {{ include \"x\" . }}\n  labels:\n    {{- include \"l\" . | nindent 4 }}\n";
        let st = parse(text);
        let first = st
            .diagnostics
            .iter()
            .filter(|d| d.rule == "yaml-syntax")
            .min_by_key(|d| d.span.start)
            .unwrap_or_else(|| panic!("no syntax error"));
        assert_eq!(first.help.as_deref(), Some(RENDER_FIRST));
        // Template text inside a quoted value is not a template file.
        let alert = "groups:\n- name: a\n  rules:\n  - alert: Down\n    annotations:\n      summary: \"{{ $labels.instance }} is down\"\n    expr: [a\n";
        let st = parse(alert);
        assert!(st.diagnostics.iter().all(|d| d.help.as_deref() != Some(RENDER_FIRST)));
    }
}
