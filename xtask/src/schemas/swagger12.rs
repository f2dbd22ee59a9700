//! Swagger 1.2 (`api/swagger-spec/*.json`, Kubernetes 1.0–1.6): one file per
//! group-version with `apis` (paths and operations) and `models`.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;

use anyhow::{Context, Result, bail};
use serde_json::{Map, Value};

use super::crossref::{CrossRef, Hint, ValueKind};
use super::input;
use super::ir::{Arena, Gvk, NodeId, Shape, VersionIr, short_name};
use super::notes::field;
use super::served::{is_resource_path, is_top_level_kind, split_path};

/// Files that only hold discovery or listing documents.
const SKIP_FILES: &[&str] = &["resourceListing.json", "api.json", "apis.json", "version.json"];

pub struct Options<'a> {
    pub name: &'a str,
    pub approximate: bool,
    pub source: &'a str,
    /// When set, only these group-versions are loaded (1.5~ and 1.6β carry
    /// stale swagger-spec files; their Swagger 2.0 paths say what is real).
    pub only_group_versions: Option<BTreeSet<String>>,
}

struct SpecFile {
    name: String,
    api_version: String,
    models: Map<String, Value>,
    apis: Vec<Value>,
}

/// Loads one version from its `api/swagger-spec` directory.
pub fn load(dir: &Path, opts: &Options<'_>, cross: &CrossRef, log: &mut Vec<String>) -> Result<VersionIr> {
    let spec_dir = dir.join("api").join("swagger-spec");
    let mut files = Vec::new();
    for path in input::json_files(&spec_dir)? {
        let fname = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default()
            .to_string();
        if SKIP_FILES.contains(&fname.as_str()) {
            continue;
        }
        let Some(doc) = input::read_json_opt(&path)? else {
            log.push(format!("{}: {fname} is empty, skipped", opts.name));
            continue;
        };
        let api_version = doc
            .get("apiVersion")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        let models = doc
            .get("models")
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default();
        let apis = doc.get("apis").and_then(Value::as_array).cloned().unwrap_or_default();
        if api_version.is_empty() || models.is_empty() {
            continue; // group discovery documents
        }
        if let Some(only) = &opts.only_group_versions
            && !only.contains(&api_version)
        {
            log.push(format!(
                "{}: {fname} ({api_version}) is not served by this version's openapi-spec paths, skipped",
                opts.name
            ));
            continue;
        }
        files.push(SpecFile {
            name: fname,
            api_version,
            models,
            apis,
        });
    }
    if files.is_empty() {
        bail!("{}: no swagger 1.2 files in {}", opts.name, spec_dir.display());
    }

    // Models are resolved in their own file first, then anywhere in the version.
    let mut pool: BTreeMap<String, (usize, String)> = BTreeMap::new();
    for (fi, f) in files.iter().enumerate() {
        for id in f.models.keys() {
            pool.entry(id.clone()).or_insert((fi, id.clone()));
        }
    }

    let mut conv = Converter {
        files: &files,
        pool: &pool,
        cross,
        arena: Arena::default(),
        memo: HashMap::new(),
        version: opts.name,
    };
    let mut kinds: BTreeMap<Gvk, NodeId> = BTreeMap::new();
    for (fi, f) in files.iter().enumerate() {
        let mut served: BTreeSet<(String, String)> = BTreeSet::new(); // (apiVersion, model id)
        if f.apis.is_empty() {
            // A restored model set without paths (1.1 alpha workloads): its
            // top-level objects are the kinds.
            for (id, m) in &f.models {
                let props = m.get("properties").and_then(Value::as_object);
                let top = props.is_some_and(|p| p.contains_key("kind") && p.contains_key("metadata"));
                if top && is_top_level_kind(short_name(id)) {
                    served.insert((f.api_version.clone(), id.clone()));
                }
            }
        }
        for api in &f.apis {
            let Some(path) = api.get("path").and_then(Value::as_str) else {
                continue;
            };
            let Some((gv, rest)) = split_path(path) else {
                continue;
            };
            if !is_resource_path(rest) {
                continue;
            }
            for op in api.get("operations").and_then(Value::as_array).into_iter().flatten() {
                let mut names: Vec<&str> = Vec::new();
                if let Some(t) = op.get("type").and_then(Value::as_str) {
                    names.push(t);
                }
                for p in op.get("parameters").and_then(Value::as_array).into_iter().flatten() {
                    if p.get("paramType").and_then(Value::as_str) == Some("body")
                        && let Some(t) = p.get("type").and_then(Value::as_str)
                    {
                        names.push(t);
                    }
                }
                for n in names {
                    if f.models.contains_key(n) && is_top_level_kind(short_name(n)) {
                        served.insert((gv.clone(), n.to_string()));
                    }
                }
            }
        }
        for (gv, id) in served {
            if gv != f.api_version {
                log.push(format!(
                    "{}: {} serves {gv} paths from a {} file",
                    opts.name, f.name, f.api_version
                ));
            }
            let node = conv.model_in(fi, &id)?;
            let gvk = (gv, short_name(&id).to_string());
            if let Some(prev) = kinds.insert(gvk.clone(), node)
                && prev != node
            {
                log.push(format!(
                    "{}: {} {} defined twice; the later file wins",
                    opts.name, gvk.0, gvk.1
                ));
            }
        }
    }
    Ok(VersionIr {
        name: opts.name.to_string(),
        approximate: opts.approximate,
        source: opts.source.to_string(),
        arena: conv.arena,
        kinds,
    })
}

struct Converter<'a> {
    files: &'a [SpecFile],
    pool: &'a BTreeMap<String, (usize, String)>,
    cross: &'a CrossRef,
    arena: Arena,
    memo: HashMap<(usize, String), NodeId>,
    version: &'a str,
}

impl Converter<'_> {
    /// A model referenced from file `fi`.
    fn model_in(&mut self, fi: usize, id: &str) -> Result<NodeId> {
        let fi = if self.files[fi].models.contains_key(id) {
            fi
        } else if let Some((other, _)) = self.pool.get(id) {
            *other
        } else {
            bail!(
                "{}: model {id:?} referenced from {} is not defined",
                self.version,
                self.files[fi].name
            );
        };
        let key = (fi, id.to_string());
        if let Some(&n) = self.memo.get(&key) {
            return Ok(n);
        }
        if let Some(special) = special_model(id) {
            let n = self.arena.push(special);
            self.memo.insert(key, n);
            return Ok(n);
        }
        let model = &self.files[fi].models[id];
        // A model without properties is a named scalar (`v1.Capability`,
        // `v1.PersistentVolumeAccessMode`, `types.UID` are Go string types).
        if model
            .get("properties")
            .and_then(Value::as_object)
            .is_none_or(|p| p.is_empty())
        {
            let n = if id == "integer" {
                self.arena.push(Shape::Integer)
            } else {
                self.arena.string()
            };
            self.memo.insert(key, n);
            return Ok(n);
        }
        let node = self.arena.push(Shape::Pending);
        self.memo.insert(key, node);
        let required: BTreeSet<&str> = model
            .get("required")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .collect();
        let mut fields = Vec::new();
        if let Some(props) = model.get("properties").and_then(Value::as_object) {
            for (pname, prop) in props {
                let ty = self
                    .property(fi, id, pname, prop)
                    .with_context(|| format!("{}: {id}.{pname}", self.version))?;
                fields.push(field(pname, prop, ty, required.contains(pname.as_str())));
            }
        }
        fields.sort_by(|a, b| a.name.cmp(&b.name));
        self.arena.set(
            node,
            Shape::Object {
                name: short_name(id).to_string(),
                fields,
            },
        );
        Ok(node)
    }

    fn property(&mut self, fi: usize, model: &str, pname: &str, prop: &Value) -> Result<NodeId> {
        if let Some(r) = prop.get("$ref").and_then(Value::as_str) {
            return self.model_in(fi, r);
        }
        let ty = prop.get("type").and_then(Value::as_str).unwrap_or("any");
        let hint = self.cross.hint(model, pname);
        Ok(match ty {
            "string" => match hint {
                Some(Hint::IntOrString) => self.arena.push(Shape::IntOrString),
                Some(Hint::Quantity) => self.arena.push(Shape::Quantity),
                _ => {
                    let format = prop.get("format").and_then(Value::as_str).map(str::to_string);
                    self.arena.push(Shape::String {
                        enums: Vec::new(),
                        format,
                    })
                }
            },
            "integer" => self.arena.push(Shape::Integer),
            "number" => self.arena.push(Shape::Number),
            "boolean" => self.arena.push(Shape::Boolean),
            "array" => {
                let items = prop.get("items").cloned().unwrap_or(Value::Null);
                let elem = if let Some(r) = items.get("$ref").and_then(Value::as_str) {
                    self.model_in(fi, r)?
                } else {
                    match items.get("type").and_then(Value::as_str) {
                        Some("string") => self.arena.string(),
                        Some("integer") => self.arena.push(Shape::Integer),
                        Some("number") => self.arena.push(Shape::Number),
                        Some("boolean") => self.arena.push(Shape::Boolean),
                        Some(t) if self.model_exists(fi, t) => self.model_in(fi, t)?,
                        _ => self.arena.any(),
                    }
                };
                self.arena.push(Shape::Array(elem))
            }
            // Maps lost their value type; 1.7 usually knows it, and in this
            // era the remaining ones are string maps (labels, selectors).
            "any" | "object" => {
                let value = match hint {
                    Some(Hint::Map(vk)) => self.value_kind(&vk),
                    _ => self.arena.string(),
                };
                self.arena.push(Shape::Map(value))
            }
            other if self.model_exists(fi, other) => self.model_in(fi, other)?,
            other => bail!("unknown swagger 1.2 type {other:?}"),
        })
    }

    fn model_exists(&self, fi: usize, id: &str) -> bool {
        self.files[fi].models.contains_key(id) || self.pool.contains_key(id)
    }

    fn value_kind(&mut self, vk: &ValueKind) -> NodeId {
        match vk {
            ValueKind::String => self.arena.string(),
            ValueKind::DateTime => self.arena.push(Shape::String {
                enums: Vec::new(),
                format: Some("date-time".into()),
            }),
            ValueKind::Quantity => self.arena.push(Shape::Quantity),
            ValueKind::Integer => self.arena.push(Shape::Integer),
            ValueKind::Boolean => self.arena.push(Shape::Boolean),
            ValueKind::StringArray => {
                let s = self.arena.string();
                self.arena.push(Shape::Array(s))
            }
            ValueKind::Any => self.arena.any(),
        }
    }
}

/// Models that stand for something other than their (empty or byte) fields.
fn special_model(id: &str) -> Option<Shape> {
    match short_name(id) {
        "IntOrString" => Some(Shape::IntOrString),
        "Quantity" => Some(Shape::Quantity),
        "RawExtension" | "Patch" => Some(Shape::Any),
        "Time" | "MicroTime" => Some(Shape::String {
            enums: Vec::new(),
            format: Some("date-time".into()),
        }),
        _ => None,
    }
}

/// Group-versions named in the paths of a Swagger 2.0 document.
pub fn group_versions_in_paths(doc: &Value) -> BTreeSet<String> {
    doc.get("paths")
        .and_then(Value::as_object)
        .into_iter()
        .flat_map(|p| p.keys())
        .filter_map(|p| split_path(p).map(|(gv, _)| gv))
        .collect()
}
