//! [`CompiledCrd`]: a CRD of the run compiled once, as its file is read, and
//! encoded for (and decoded from) the cache of unchanged files.

use std::sync::{Arc, Mutex};

use super::index::compile_crd;
use super::{CrdSchema, KindDef, Origin, SchemaCache, codec};
use crate::model::Object;

/// A CRD of the run compiled as soon as its file is read, so that its
/// schemas' trees can be dropped (see [`crate::lint::load_compact`]).
#[derive(Debug, Clone)]
pub struct CompiledCrd(Arc<KindDef>);

/// A kind's version as [`CompiledCrd::encode_once`] tells kinds apart: its
/// name, served and storage flags, deprecation, and the address of its
/// compiled schema.
type EncodedVersion = (String, bool, bool, Option<Option<String>>, Option<usize>);

/// The encodings [`CompiledCrd::encode_once`] made, with the schemas they
/// encode: held, so that no other schema takes the address of one of them
/// while the encoding is kept.
#[derive(Default)]
pub struct Encoded(Mutex<crate::hash::Map<Vec<EncodedVersion>, PinnedEncoding>>);

/// An encoding, with the schemas it encodes.
type PinnedEncoding = (Vec<Arc<CrdSchema>>, Arc<[u8]>);

/// Kinds decoded by [`CompiledCrd::decode`], by chunk, group and kind.
pub type DecodedCrds = Mutex<crate::hash::Map<(Vec<u8>, String, String), CompiledCrd>>;

impl CompiledCrd {
    /// Compiles a CustomResourceDefinition object of the run (`None` when
    /// it is not an apiextensions v1 or v1beta1 CRD, or names no group
    /// and kind: it then defines nothing).
    pub fn of(object: &Object, file: &str, cache: &SchemaCache) -> Option<CompiledCrd> {
        let v1 = crd_is_v1(object)?;
        compile_crd(
            object.root,
            v1,
            &Origin::Run(file.to_string()),
            Some(cache),
            &|_, _, _| false,
        )
        .map(|d| CompiledCrd(Arc::new(d)))
    }

    /// Whether `CompiledCrd::of` reads this object (it is then compiled,
    /// defined or not, and its schemas are no longer needed).
    pub fn reads(object: &Object) -> bool {
        crd_is_v1(object).is_some()
    }

    pub(super) fn def(&self) -> &KindDef {
        &self.0
    }

    /// The group and kind it defines.
    pub fn defines(&self) -> (&str, &str) {
        (&self.0.group, &self.0.kind)
    }

    /// The compiled kind in the embedded catalog's chunk format, for the
    /// cache of unchanged files.
    pub fn encode(&self) -> Vec<u8> {
        codec::encode_kind(&self.0)
    }

    /// [`CompiledCrd::encode`], once per distinct kind of a run: a kind
    /// with the same versions and the same compiled schemas (compiling
    /// shares identical ones) as one encoded before reuses its bytes.
    pub fn encode_once(&self, encoded: &Encoded) -> Arc<[u8]> {
        let key: Vec<EncodedVersion> = self
            .0
            .versions
            .iter()
            .map(|v| {
                (
                    v.name.clone(),
                    v.served,
                    v.storage,
                    v.deprecated.clone(),
                    v.schema.as_ref().map(|s| Arc::as_ptr(s) as usize),
                )
            })
            .collect();
        if let Some((_, bytes)) = encoded.0.lock().unwrap_or_else(|e| e.into_inner()).get(&key) {
            return Arc::clone(bytes);
        }
        let bytes: Arc<[u8]> = self.encode().into();
        let pins = self.0.versions.iter().filter_map(|v| v.schema.clone()).collect();
        encoded
            .0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(key, (pins, Arc::clone(&bytes)));
        bytes
    }

    /// A kind [`CompiledCrd::encode`] wrote, compiled from a CRD in `file`.
    /// Its schemas are shared with a kind decoded before from the same
    /// chunk (`seen`: chunk, group and kind → kind), as compiling shares
    /// identical schemas ([`SchemaCache`]): a repository that holds the same
    /// CRD in many places keeps one copy.
    pub fn decode(chunk: &[u8], group: &str, kind: &str, file: &str, seen: &DecodedCrds) -> Option<CompiledCrd> {
        let origin = Origin::Run(file.to_string());
        let key = (chunk.to_vec(), group.to_string(), kind.to_string());
        let earlier = seen.lock().unwrap_or_else(|e| e.into_inner()).get(&key).cloned();
        let def = match earlier {
            Some(c) => KindDef {
                origin,
                ..KindDef::clone(&c.0)
            },
            None => {
                let def = codec::decode_kind(chunk, group, kind, origin).ok()?;
                let shared = CompiledCrd(Arc::new(def.clone()));
                seen.lock().unwrap_or_else(|e| e.into_inner()).insert(key, shared);
                def
            }
        };
        Some(CompiledCrd(Arc::new(def)))
    }
}

/// For a CustomResourceDefinition whose schemas kvet reads: whether it is
/// apiextensions v1 (`Some(true)`) or v1beta1 (`Some(false)`).
pub(super) fn crd_is_v1(object: &Object) -> Option<bool> {
    match (object.kind, object.api_version) {
        ("CustomResourceDefinition", "apiextensions.k8s.io/v1") => Some(true),
        ("CustomResourceDefinition", "apiextensions.k8s.io/v1beta1") => Some(false),
        _ => None,
    }
}
