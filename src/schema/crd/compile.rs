//! A CRD's `openAPIV3Schema` compiled into [`CrdSchema`]'s arena of
//! schema nodes.

use super::*;

fn type_bit(name: &str) -> u8 {
    match name {
        "object" => OBJECT,
        "array" => ARRAY,
        "string" => STRING,
        "integer" => INTEGER,
        "number" => NUMBER,
        "boolean" => BOOLEAN,
        "null" => NULL,
        _ => 0,
    }
}

fn count(n: &Node) -> Option<u64> {
    n.as_i64().and_then(|i| u64::try_from(i).ok())
}

fn compile_list(n: &Node, nodes: &mut Vec<SchemaNode>, depth: usize) -> Box<[Id]> {
    n.items()
        .iter()
        .filter(|b| b.is_map())
        .map(|b| compile_node(b, nodes, depth + 1))
        .collect()
}

/// Compiles one schema node (and its children) into the arena.
pub(super) fn compile_node(n: &Node, nodes: &mut Vec<SchemaNode>, depth: usize) -> Id {
    let id = nodes.len() as Id;
    nodes.push(SchemaNode::default());
    if depth > MAX_DEPTH || !n.is_map() {
        nodes[id as usize].flags = PRESERVE | OPEN_KEYS | UNMODELED;
        return id;
    }
    if n.get("$ref").is_some() {
        // Not allowed in CRDs; nothing sensible to check.
        nodes[id as usize].flags = PRESERVE | OPEN_KEYS | UNMODELED;
        return id;
    }
    let mut s = SchemaNode::default();
    let mut c = Checks::default();
    let mut has_checks = false;
    let mut type_unknown = false;
    for e in n.entries() {
        let v = &e.value;
        match &*e.key {
            "type" => match &v.value {
                Value::Str(t) => {
                    let b = type_bit(t);
                    type_unknown |= b == 0;
                    s.types |= b;
                }
                Value::Seq(ts) => {
                    for t in ts {
                        let b = t.as_str().map_or(0, type_bit);
                        type_unknown |= b == 0;
                        s.types |= b;
                    }
                }
                _ => type_unknown = true,
            },
            "properties" => {
                let mut props: Vec<(Box<str>, Id)> = v
                    .entries()
                    .iter()
                    .map(|p| (p.key.as_str().into(), compile_node(&p.value, nodes, depth + 1)))
                    .collect();
                // Stable: of duplicate keys the later one wins, as when decoding JSON.
                props.sort_by(|a, b| a.0.cmp(&b.0));
                let mut dedup: Vec<(Box<str>, Id)> = Vec::with_capacity(props.len());
                for p in props {
                    match dedup.last_mut() {
                        Some(last) if last.0 == p.0 => *last = p,
                        _ => dedup.push(p),
                    }
                }
                s.props = dedup.into_boxed_slice();
            }
            "required" => {
                s.required = v.items().iter().filter_map(Node::as_str).map(Box::from).collect();
            }
            "items" => match &v.value {
                Value::Map(_) => s.items = Some(compile_node(v, nodes, depth + 1)),
                _ => s.flags |= UNMODELED,
            },
            "additionalProperties" => {
                s.additional = match &v.value {
                    Value::Bool(true) => Additional::Any,
                    Value::Bool(false) => Additional::Forbid,
                    Value::Map(_) => Additional::Schema(compile_node(v, nodes, depth + 1)),
                    _ => Additional::Any,
                }
            }
            "x-kubernetes-preserve-unknown-fields" if v.as_bool() == Some(true) => s.flags |= PRESERVE,
            "x-kubernetes-int-or-string" if v.as_bool() == Some(true) => s.flags |= INT_OR_STRING,
            "x-kubernetes-embedded-resource" if v.as_bool() == Some(true) => s.flags |= EMBEDDED,
            "nullable" if v.as_bool() == Some(true) => s.flags |= NULLABLE,
            "default" => s.flags |= HAS_DEFAULT,
            "format" => match v.as_str() {
                Some("int-or-string") => s.flags |= INT_OR_STRING,
                // Numeric formats are not checked by the API server either.
                Some("int32" | "int64" | "float" | "double") | None => {}
                // String formats (`date-time`, `byte`, ...) are not checked here.
                Some(_) => s.flags |= UNMODELED,
            },
            "enum" => {
                if let Value::Seq(values) = &v.value {
                    c.enums = Some(values.clone().into_boxed_slice());
                    has_checks = true;
                }
            }
            "pattern" => {
                if let Some(p) = v.as_str() {
                    c.pattern = Some(Pattern {
                        source: p.into(),
                        regex: OnceLock::new(),
                    });
                    has_checks = true;
                }
            }
            "minimum" | "maximum" => {
                if let Some(f) = v.as_f64() {
                    let exclusive_key = if &*e.key == "minimum" {
                        "exclusiveMinimum"
                    } else {
                        "exclusiveMaximum"
                    };
                    let exclusive = n.get(exclusive_key).and_then(Node::as_bool).unwrap_or(false);
                    if &*e.key == "minimum" {
                        c.minimum = Some((f, exclusive));
                    } else {
                        c.maximum = Some((f, exclusive));
                    }
                    has_checks = true;
                }
            }
            // JSON Schema draft 6 form: the bound itself.
            "exclusiveMinimum" | "exclusiveMaximum" => {
                if let Some(f) = v.as_f64() {
                    if &*e.key == "exclusiveMinimum" {
                        c.minimum = Some((f, true));
                    } else {
                        c.maximum = Some((f, true));
                    }
                    has_checks = true;
                }
            }
            "multipleOf" => {
                if let Some(f) = v.as_f64().filter(|f| *f > 0.0) {
                    c.multiple_of = Some(f);
                    has_checks = true;
                }
            }
            "minLength" | "maxLength" | "minItems" | "maxItems" | "minProperties" | "maxProperties" => {
                if let Some(k) = count(v) {
                    let slot = match &*e.key {
                        "minLength" => &mut c.min_length,
                        "maxLength" => &mut c.max_length,
                        "minItems" => &mut c.min_items,
                        "maxItems" => &mut c.max_items,
                        "minProperties" => &mut c.min_properties,
                        _ => &mut c.max_properties,
                    };
                    *slot = Some(k);
                    has_checks = true;
                }
            }
            "allOf" => {
                c.all_of = compile_list(v, nodes, depth);
                has_checks |= !c.all_of.is_empty();
            }
            "anyOf" => {
                c.any_of = compile_list(v, nodes, depth);
                has_checks |= !c.any_of.is_empty();
            }
            "oneOf" => {
                c.one_of = compile_list(v, nodes, depth);
                has_checks |= !c.one_of.is_empty();
            }
            "not" if v.is_map() => {
                c.not = Some(compile_node(v, nodes, depth + 1));
                has_checks = true;
            }
            "patternProperties" => s.flags |= OPEN_KEYS | UNMODELED,
            "x-kubernetes-list-type" if matches!(v.as_str(), Some("set" | "map")) => s.flags |= UNMODELED,
            "x-kubernetes-validations" | "uniqueItems" | "dependencies" | "x-kubernetes-map-type" => {
                s.flags |= UNMODELED
            }
            _ => {}
        }
    }
    if type_unknown {
        // A type kvet does not know: do not check types at all.
        s.types = 0;
        s.flags |= UNMODELED;
    }
    if has_checks {
        s.checks = Some(Box::new(c));
    }
    nodes[id as usize] = s;
    id
}
