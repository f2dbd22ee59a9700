//! Resource requests, limits and QoS.

mod cpu_limit_throttling;
mod ephemeral_storage_missing;
mod limit_below_request;
mod limits_below_minimum;
mod memory_limit_missing;
mod memory_limit_not_equal_request;
mod qos_not_guaranteed;
mod quantity_invalid;
mod requests_missing;
mod requests_too_low;

pub use cpu_limit_throttling::CpuLimitThrottling;
pub use ephemeral_storage_missing::EphemeralStorageMissing;
pub use limit_below_request::LimitBelowRequest;
pub use limits_below_minimum::LimitsBelowMinimum;
pub use memory_limit_missing::MemoryLimitMissing;
pub use memory_limit_not_equal_request::MemoryLimitNotEqualRequest;
pub use qos_not_guaranteed::QosNotGuaranteed;
pub use quantity_invalid::QuantityInvalid;
pub use requests_missing::RequestsMissing;
pub use requests_too_low::RequestsTooLow;

use crate::model::{Catalog, Container, Object, Quantity};
use crate::source::SourceFile;
use crate::yaml::Node;

/// Container defaults that the LimitRanges of a run apply at admission.
/// Only LimitRanges present in the input are known; none is assumed.
pub(crate) struct LimitRanges<'c> {
    /// (LimitRange, resources given a default request, given a default limit)
    ranges: Vec<(&'c Object<'c>, Vec<&'c str>, Vec<&'c str>)>,
    sources: &'c [SourceFile],
}

fn keys<'c>(item: &'c Node, field: &str) -> impl Iterator<Item = &'c str> + 'c {
    item.get(field)
        .map(Node::entries)
        .unwrap_or(&[])
        .iter()
        .map(|e| &*e.key)
}

impl<'c> LimitRanges<'c> {
    /// Reads every LimitRange of the catalog. For `type: Container` items,
    /// Kubernetes defaults the limit to `default`, else `max`, and the
    /// request to `defaultRequest`, else that default limit, else `min`.
    pub fn of(catalog: &'c Catalog<'c>, sources: &'c [SourceFile]) -> Self {
        let ranges = catalog
            .of_kind("LimitRange")
            .map(|lr| {
                let mut requests = Vec::new();
                let mut limits = Vec::new();
                for item in lr.get(&["spec", "limits"]).map(Node::items).unwrap_or(&[]) {
                    if item.get("type").and_then(Node::as_str) != Some("Container") {
                        continue;
                    }
                    limits.extend(keys(item, "default").chain(keys(item, "max")));
                    requests.extend(
                        keys(item, "defaultRequest")
                            .chain(keys(item, "default"))
                            .chain(keys(item, "max"))
                            .chain(keys(item, "min")),
                    );
                }
                (lr, requests, limits)
            })
            .collect();
        LimitRanges { ranges, sources }
    }

    /// A LimitRange that could give containers of `object` a default for
    /// `resource` in `section` (`requests` or `limits`): one around it, as
    /// every cross-object relation (see `nearby`): the same namespace, or,
    /// when either leaves its namespace to be chosen when applied, the same
    /// folder (or, when neither names one, a folder containing the other's).
    pub fn default_for(&self, object: &Object, section: &str, resource: &str) -> Option<&'c Object<'c>> {
        self.ranges
            .iter()
            .find(|(lr, requests, limits)| {
                let list = if section == "limits" { limits } else { requests };
                list.contains(&resource) && self.applies(lr, object)
            })
            .map(|(lr, _, _)| *lr)
    }

    fn applies(&self, lr: &Object, object: &Object) -> bool {
        crate::rules::selectors::matching::nearby(self.sources, object, lr)
    }
}

/// A container's `resources.<section>.<resource>` value: its node and its
/// parsed quantity (`None` when unset or not a valid quantity; the
/// `quantity-invalid` rule reports the latter).
pub(crate) fn resource<'a>(c: &Container<'a>, section: &str, name: &str) -> Option<(&'a Node, Quantity)> {
    let node = c.get(&["resources", section, name])?;
    Quantity::from_node(node).ok().map(|q| (node, q))
}

/// Human names for resources in messages.
pub(crate) fn resource_noun(name: &str) -> &str {
    match name {
        "cpu" => "CPU",
        other => other,
    }
}

/// The checks of this category.
pub fn checks() -> Vec<Box<dyn crate::rules::Rule>> {
    vec![
        Box::new(RequestsMissing),
        Box::new(RequestsTooLow),
        Box::new(QosNotGuaranteed),
        Box::new(MemoryLimitNotEqualRequest),
        Box::new(LimitsBelowMinimum),
        Box::new(QuantityInvalid),
        Box::new(MemoryLimitMissing),
        Box::new(CpuLimitThrottling),
        Box::new(LimitBelowRequest),
        Box::new(EphemeralStorageMissing),
    ]
}
