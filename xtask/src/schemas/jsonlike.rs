//! Swagger 2.0 (1.7–1.13) and JSON Schema definitions (1.14–1.37): named
//! definitions with `$ref`s, `properties`, `items`, `additionalProperties`.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use anyhow::{Context, Result, bail};
use serde_json::{Map, Value};

use super::enums::{self, EnumSource, curated_enum};
use super::ir::{Arena, Gvk, NodeId, Shape, VersionIr, api_version, short_name};
use super::notes::field;
use super::served::{is_resource_path, is_top_level_kind, split_path};

pub struct Options<'a> {
    pub name: &'a str,
    pub minor: u32,
    pub approximate: bool,
    pub source: &'a str,
}

/// Definitions that stand for something other than their declared shape.
fn special_definition(name: &str) -> Option<Shape> {
    let short = short_name(name);
    if name.ends_with("intstr.IntOrString") {
        return Some(Shape::IntOrString);
    }
    if name.ends_with("resource.Quantity") {
        return Some(Shape::Quantity);
    }
    // Free-form content: embedded objects, managed-fields sets, patches and
    // the JSON-valued parts of CRD schemas.
    if name.ends_with("runtime.RawExtension")
        || name.ends_with("meta.v1.FieldsV1")
        || name.ends_with("meta.v1.Fields")
        || name.ends_with("meta.v1.Patch")
        || (name.contains("apiextensions")
            && matches!(
                short,
                "JSON" | "JSONSchemaPropsOrArray" | "JSONSchemaPropsOrBool" | "JSONSchemaPropsOrStringArray"
            ))
    {
        return Some(Shape::Any);
    }
    if name.ends_with("meta.v1.Time") || name.ends_with("meta.v1.MicroTime") {
        return Some(Shape::String {
            enums: Vec::new(),
            format: Some("date-time".into()),
        });
    }
    None
}

/// Enum values found in a source: (definition, property) → values.
pub type SourceEnums = BTreeMap<(String, String), Vec<String>>;

pub struct Converter<'a> {
    defs: &'a Map<String, Value>,
    arena: Arena,
    memo: HashMap<String, NodeId>,
    minor: u32,
    version: &'a str,
    /// Source enums seen (definition, property) → values, to check the
    /// curated list against (1.23 is the only version that has them).
    pub source_enums: SourceEnums,
    /// Curated enums applied: (definition, property).
    pub applied_enums: BTreeSet<(String, String)>,
}

impl<'a> Converter<'a> {
    pub fn new(defs: &'a Map<String, Value>, minor: u32, version: &'a str) -> Self {
        Converter {
            defs,
            arena: Arena::default(),
            memo: HashMap::new(),
            minor,
            version,
            source_enums: BTreeMap::new(),
            applied_enums: BTreeSet::new(),
        }
    }

    pub fn into_arena(self) -> Arena {
        self.arena
    }

    pub fn definition(&mut self, name: &str) -> Result<NodeId> {
        if let Some(&n) = self.memo.get(name) {
            return Ok(n);
        }
        let Some(def) = self.defs.get(name) else {
            bail!("{}: definition {name:?} is referenced but not defined", self.version);
        };
        if let Some(special) = special_definition(name) {
            let n = self.arena.push(special);
            self.memo.insert(name.to_string(), n);
            return Ok(n);
        }
        // An alias (`{"$ref": ...}` at the top, 1.8–1.13 old package names).
        if let Some(r) = def.get("$ref").and_then(Value::as_str) {
            let target = ref_target(r);
            if target == name {
                bail!("{}: definition {name:?} refers to itself", self.version);
            }
            let n = self.definition(target)?;
            self.memo.insert(name.to_string(), n);
            return Ok(n);
        }
        let node = self.arena.push(Shape::Pending);
        self.memo.insert(name.to_string(), node);
        let shape = self
            .shape(def, Some(name))
            .with_context(|| format!("{}: in definition {name}", self.version))?;
        self.arena.set(node, shape);
        Ok(node)
    }

    /// A schema in property position.
    fn schema(&mut self, s: &Value, owner: &str, prop: &str) -> Result<NodeId> {
        if let Some(r) = s.get("$ref").and_then(Value::as_str) {
            return self.definition(ref_target(r));
        }
        // OpenAPI v3 wraps references: {"allOf": [{"$ref": ...}], "default": ...}.
        if let Some([one]) = s.get("allOf").and_then(Value::as_array).map(Vec::as_slice)
            && let Some(r) = one.get("$ref").and_then(Value::as_str)
        {
            return self.definition(ref_target(r));
        }
        let mut shape = self.shape(s, None)?;
        if let Shape::String { enums, .. } = &mut shape {
            let source: Vec<String> = s
                .get("enum")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect();
            if !source.is_empty() && prop != "apiVersion" && prop != "kind" {
                self.source_enums.insert((owner.to_string(), prop.to_string()), source);
            }
            if let Some((values, from)) = curated_enum(owner, prop, self.minor) {
                if from == EnumSource::Description {
                    let description = s.get("description").and_then(Value::as_str).unwrap_or_default();
                    let missing = enums::unnamed(description, values);
                    if !missing.is_empty() {
                        bail!(
                            "{}: enum {owner}.{prop}: the description no longer names {missing:?}; \
                             update enums::DESCRIBED",
                            self.version
                        );
                    }
                }
                *enums = values.iter().map(|v| v.to_string()).collect();
                self.applied_enums.insert((owner.to_string(), prop.to_string()));
            }
        }
        Ok(self.arena.push(shape))
    }

    fn shape(&mut self, s: &Value, def_name: Option<&str>) -> Result<Shape> {
        if s.get("x-kubernetes-int-or-string").and_then(Value::as_bool) == Some(true) {
            return Ok(Shape::IntOrString);
        }
        if s.get("x-kubernetes-preserve-unknown-fields").and_then(Value::as_bool) == Some(true) {
            return Ok(Shape::Any);
        }
        if let Some(alts) = s.get("oneOf").and_then(Value::as_array) {
            let types: BTreeSet<&str> = alts.iter().filter_map(primary_type).collect();
            let is = |a: &[&str]| types == a.iter().copied().collect::<BTreeSet<_>>();
            return Ok(if is(&["integer", "string"]) {
                Shape::IntOrString
            } else if is(&["number", "string"]) {
                Shape::Quantity
            } else {
                Shape::Any
            });
        }
        let ty = primary_type(s);
        let has_props = s.get("properties").is_some_and(Value::is_object);
        match ty {
            Some("object") | None if has_props => self.object(s, def_name),
            Some("object") | None => match s.get("additionalProperties") {
                Some(ap @ Value::Object(_)) => {
                    let value = self.schema(ap, def_name.unwrap_or_default(), "*")?;
                    Ok(Shape::Map(value))
                }
                Some(Value::Bool(true)) => {
                    let any = self.arena.any();
                    Ok(Shape::Map(any))
                }
                // A definition without fields is an empty struct (a marker
                // type such as `CustomResourceSubresourceStatus`): nothing may
                // be set in it. Free-form definitions are special-cased above.
                Some(Value::Bool(false)) | None if def_name.is_some() => Ok(Shape::Object {
                    name: short_name(def_name.unwrap_or_default()).to_string(),
                    fields: Vec::new(),
                }),
                _ if ty == Some("object") => {
                    let any = self.arena.any();
                    Ok(Shape::Map(any))
                }
                _ => Ok(Shape::Any),
            },
            Some("array") => {
                let elem = match s.get("items") {
                    Some(items @ Value::Object(_)) => self.schema(items, def_name.unwrap_or_default(), "[]")?,
                    _ => self.arena.any(),
                };
                Ok(Shape::Array(elem))
            }
            Some("string") => {
                let format = s.get("format").and_then(Value::as_str);
                if format == Some("int-or-string") {
                    return Ok(Shape::IntOrString);
                }
                Ok(Shape::String {
                    enums: Vec::new(),
                    format: format.map(str::to_string),
                })
            }
            Some("integer") => Ok(Shape::Integer),
            Some("number") => Ok(Shape::Number),
            Some("boolean") => Ok(Shape::Boolean),
            Some(other) => bail!("unknown type {other:?}"),
        }
    }

    fn object(&mut self, s: &Value, def_name: Option<&str>) -> Result<Shape> {
        let owner = def_name.unwrap_or_default();
        let required: BTreeSet<&str> = s
            .get("required")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .collect();
        let mut fields = Vec::new();
        if let Some(props) = s.get("properties").and_then(Value::as_object) {
            for (pname, prop) in props {
                let ty = self
                    .schema(prop, owner, pname)
                    .with_context(|| format!("property {pname}"))?;
                fields.push(field(pname, prop, ty, required.contains(pname.as_str())));
            }
        }
        fields.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(Shape::Object {
            name: short_name(owner).to_string(),
            fields,
        })
    }
}

/// Entries of a JSON object sorted by key, whatever map type serde_json was
/// built with (the workspace may enable `preserve_order`): the output must
/// not depend on it.
fn sorted(map: &Map<String, Value>) -> Vec<(&String, &Value)> {
    let mut v: Vec<_> = map.iter().collect();
    v.sort_by(|a, b| a.0.cmp(b.0));
    v
}

/// `"#/definitions/io.k8s.api.core.v1.Pod"` → `"io.k8s.api.core.v1.Pod"`.
pub fn ref_target(r: &str) -> &str {
    r.rsplit('/').next().unwrap_or(r)
}

/// The non-null type of a schema (`"string"` or `["string", "null"]`).
fn primary_type(s: &Value) -> Option<&str> {
    match s.get("type")? {
        Value::String(t) => Some(t.as_str()),
        Value::Array(ts) => ts.iter().filter_map(Value::as_str).find(|t| *t != "null"),
        _ => None,
    }
}

/// Group-version-kinds a definition declares.
pub fn definition_gvks(def: &Value) -> Vec<Gvk> {
    def.get("x-kubernetes-group-version-kind")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|g| {
            // 1.6 spells the keys with capitals.
            let get = |k: &str, cap: &str| g.get(k).or_else(|| g.get(cap)).and_then(Value::as_str);
            let group = get("group", "Group")?;
            let version = get("version", "Version")?;
            let kind = get("kind", "Kind")?;
            Some((api_version(group, version), kind.to_string()))
        })
        .collect()
}

/// Top-level kinds declared by definitions → definition name (1.14+ rule).
pub fn kinds_from_definitions(
    defs: &Map<String, Value>,
    log: &mut Vec<String>,
    version: &str,
) -> BTreeMap<Gvk, String> {
    let mut out: BTreeMap<Gvk, String> = BTreeMap::new();
    for (name, def) in sorted(defs) {
        for gvk in definition_gvks(def) {
            if !is_top_level_kind(&gvk.1) {
                continue;
            }
            if let Some(prev) = out.get(&gvk)
                && prev != name
            {
                log.push(format!(
                    "{version}: {} {} declared by {prev} and {name}; keeping the first",
                    gvk.0, gvk.1
                ));
                continue;
            }
            out.insert(gvk, name.clone());
        }
    }
    out
}

/// Top-level kinds served at resource paths (Swagger 2.0 / OpenAPI v3) →
/// definition name when one can be found. The kind comes from the
/// operation's `x-kubernetes-group-version-kind`, or else from the
/// group-version-kind of the definition it reads or writes.
pub fn kinds_from_paths(paths: &Map<String, Value>, defs: &Map<String, Value>) -> BTreeMap<Gvk, Option<String>> {
    let mut by_gvk: BTreeMap<Gvk, String> = BTreeMap::new();
    for (name, def) in sorted(defs) {
        for gvk in definition_gvks(def) {
            by_gvk.entry(gvk).or_insert_with(|| name.clone());
        }
    }
    let mut out: BTreeMap<Gvk, Option<String>> = BTreeMap::new();
    for (path, item) in sorted(paths) {
        let Some((gv, rest)) = split_path(path) else { continue };
        if !is_resource_path(rest) {
            continue;
        }
        let Some(ops) = item.as_object() else { continue };
        for (method, op) in sorted(ops) {
            if !matches!(method.as_str(), "get" | "put" | "post" | "patch" | "delete") {
                continue;
            }
            let refs = schema_refs(op);
            let gvk = match op.get("x-kubernetes-group-version-kind") {
                Some(g) => {
                    let (Some(group), Some(version), Some(kind)) = (
                        g.get("group").and_then(Value::as_str),
                        g.get("version").and_then(Value::as_str),
                        g.get("kind").and_then(Value::as_str),
                    ) else {
                        continue;
                    };
                    (api_version(group, version), kind.to_string())
                }
                None => {
                    let candidates: Vec<Gvk> = refs
                        .iter()
                        .filter_map(|r| defs.get(r).map(|d| (short_name(r), d)))
                        .flat_map(|(short, d)| {
                            let mut gs = definition_gvks(d);
                            // The kind named like the definition first (1.6 also lists aliases).
                            gs.sort_by_key(|g| g.1 != short);
                            gs
                        })
                        .filter(|g| g.0 == gv)
                        .collect();
                    match candidates.into_iter().next() {
                        Some(g) => g,
                        None => continue,
                    }
                }
            };
            if !is_top_level_kind(&gvk.1) {
                continue;
            }
            let def = by_gvk
                .get(&gvk)
                .cloned()
                .or_else(|| refs.iter().find(|r| short_name(r) == gvk.1).cloned());
            let slot = out.entry(gvk).or_insert(None);
            if slot.is_none() {
                *slot = def;
            }
        }
    }
    out
}

/// Definition names an operation reads or writes (body parameter, request
/// body, 200 response), in Swagger 2.0 or OpenAPI v3 form.
fn schema_refs(op: &Value) -> Vec<String> {
    fn push_schema(out: &mut Vec<String>, container: Option<&Value>) {
        let Some(c) = container else { return };
        if let Some(r) = c.get("schema").and_then(|s| s.get("$ref")).and_then(Value::as_str) {
            out.push(ref_target(r).to_string());
        }
        if let Some(content) = c.get("content").and_then(Value::as_object) {
            for media in content.values() {
                if let Some(r) = media.get("schema").and_then(|s| s.get("$ref")).and_then(Value::as_str) {
                    out.push(ref_target(r).to_string());
                }
            }
        }
    }
    let mut out = Vec::new();
    for p in op.get("parameters").and_then(Value::as_array).into_iter().flatten() {
        push_schema(&mut out, Some(p));
    }
    push_schema(&mut out, op.get("requestBody"));
    push_schema(&mut out, op.get("responses").and_then(|r| r.get("200")));
    out.sort();
    out.dedup();
    out
}

/// Swagger 2.0 with paths (1.7–1.13).
pub fn load_swagger2(doc: &Value, opts: &Options<'_>, log: &mut Vec<String>) -> Result<VersionIr> {
    let defs = doc
        .get("definitions")
        .and_then(Value::as_object)
        .with_context(|| format!("{}: swagger has no definitions", opts.name))?;
    let paths = doc
        .get("paths")
        .and_then(Value::as_object)
        .with_context(|| format!("{}: swagger has no paths", opts.name))?;
    let served = kinds_from_paths(paths, defs);
    let by_defs = kinds_from_definitions(defs, &mut Vec::new(), opts.name);
    for gvk in by_defs.keys() {
        if !served.contains_key(gvk) {
            log.push(format!(
                "{}: {} {} has a definition but no resource path; not served",
                opts.name, gvk.0, gvk.1
            ));
        }
    }
    let mut conv = Converter::new(defs, opts.minor, opts.name);
    let mut kinds = BTreeMap::new();
    for (gvk, def) in served {
        let Some(def) = def else {
            bail!("{}: {} {} is served but has no definition", opts.name, gvk.0, gvk.1);
        };
        let node = conv.definition(&def)?;
        kinds.insert(gvk, node);
    }
    Ok(VersionIr {
        name: opts.name.to_string(),
        approximate: opts.approximate,
        source: opts.source.to_string(),
        arena: conv.into_arena(),
        kinds,
    })
}

/// JSON Schema `_definitions.json` (1.14–1.37; also readable for 1.7–1.13).
pub fn load_jsonschema(doc: &Value, opts: &Options<'_>, log: &mut Vec<String>) -> Result<(VersionIr, SourceEnums)> {
    let defs = doc
        .get("$defs")
        .or_else(|| doc.get("definitions"))
        .and_then(Value::as_object)
        .with_context(|| format!("{}: JSON schema has neither $defs nor definitions", opts.name))?;
    let declared = kinds_from_definitions(defs, log, opts.name);
    let mut conv = Converter::new(defs, opts.minor, opts.name);
    let mut kinds = BTreeMap::new();
    for (gvk, def) in declared {
        let node = conv.definition(&def)?;
        kinds.insert(gvk, node);
    }
    let source_enums = std::mem::take(&mut conv.source_enums);
    for (def, prop) in enums::expected(opts.minor) {
        if !conv.applied_enums.contains(&(def.to_string(), prop.to_string())) {
            bail!(
                "{}: curated enum {def}.{prop} matches no string field of a served kind",
                opts.name
            );
        }
    }
    Ok((
        VersionIr {
            name: opts.name.to_string(),
            approximate: opts.approximate,
            source: opts.source.to_string(),
            arena: conv.into_arena(),
            kinds,
        },
        source_enums,
    ))
}
