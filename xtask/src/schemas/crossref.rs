//! Swagger 1.2 (1.0–1.6) loses two things: IntOrString and Quantity are
//! plain `string`, and maps are `any` / `object` without a value type. The
//! complete 1.7 swagger still knows them, so a model property that is
//! int-or-string, quantity or a typed map in 1.7 is taken to be the same in
//! the older versions (matched by the model's short name and the property).

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::ir::short_name;

/// What 1.7 says about a property.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Hint {
    IntOrString,
    Quantity,
    /// A map whose values are of this (scalar) kind.
    Map(ValueKind),
    /// Something else (a struct, an array, a scalar).
    Other,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum ValueKind {
    String,
    DateTime,
    Quantity,
    Integer,
    Boolean,
    StringArray,
    Any,
}

#[derive(Debug, Default)]
pub struct CrossRef {
    by_prop: BTreeMap<(String, String), BTreeSet<Hint>>,
}

impl CrossRef {
    /// Builds the table from the `definitions` of a Swagger 2.0 document.
    pub fn from_swagger2(doc: &Value) -> CrossRef {
        let mut by_prop: BTreeMap<(String, String), BTreeSet<Hint>> = BTreeMap::new();
        let Some(defs) = doc.get("definitions").and_then(Value::as_object) else {
            return CrossRef::default();
        };
        for (name, def) in defs {
            let Some(props) = def.get("properties").and_then(Value::as_object) else {
                continue;
            };
            for (prop, schema) in props {
                by_prop
                    .entry((short_name(name).to_string(), prop.clone()))
                    .or_default()
                    .insert(classify(schema));
            }
        }
        CrossRef { by_prop }
    }

    /// The hint for `model.prop`, when 1.7 is unambiguous about it (or at
    /// least one 1.7 model of that name has it as int-or-string / a map).
    pub fn hint(&self, model: &str, prop: &str) -> Option<Hint> {
        let set = self.by_prop.get(&(short_name(model).to_string(), prop.to_string()))?;
        if set.len() == 1 {
            return set.iter().next().cloned();
        }
        if set.contains(&Hint::IntOrString) {
            return Some(Hint::IntOrString);
        }
        let maps: Vec<&Hint> = set.iter().filter(|h| matches!(h, Hint::Map(_))).collect();
        match maps.as_slice() {
            [one] => Some((*one).clone()),
            [] => None,
            _ => Some(Hint::Map(ValueKind::String)),
        }
    }
}

fn ref_name(schema: &Value) -> Option<&str> {
    schema.get("$ref").and_then(Value::as_str).map(short_name)
}

fn classify(schema: &Value) -> Hint {
    match ref_name(schema) {
        Some("IntOrString") => return Hint::IntOrString,
        Some("Quantity") => return Hint::Quantity,
        Some(_) => return Hint::Other,
        None => {}
    }
    if let Some(ap) = schema.get("additionalProperties") {
        return Hint::Map(value_kind(ap));
    }
    Hint::Other
}

fn value_kind(schema: &Value) -> ValueKind {
    match ref_name(schema) {
        Some("Quantity") => return ValueKind::Quantity,
        Some("Time") | Some("MicroTime") => return ValueKind::DateTime,
        Some(_) => return ValueKind::Any,
        None => {}
    }
    match schema.get("type").and_then(Value::as_str) {
        Some("string") => ValueKind::String,
        Some("integer") => ValueKind::Integer,
        Some("boolean") => ValueKind::Boolean,
        Some("array") if schema.get("items").and_then(|i| i.get("type")).and_then(Value::as_str) == Some("string") => {
            ValueKind::StringArray
        }
        _ => ValueKind::Any,
    }
}
