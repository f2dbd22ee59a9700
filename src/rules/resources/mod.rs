//! Resource requests, limits and QoS.

mod limits_below_minimum;
mod memory_limit_not_equal_request;
mod qos_not_guaranteed;
mod quantity_invalid;
mod requests_missing;
mod requests_too_low;

pub use limits_below_minimum::LimitsBelowMinimum;
pub use memory_limit_not_equal_request::MemoryLimitNotEqualRequest;
pub use qos_not_guaranteed::QosNotGuaranteed;
pub use quantity_invalid::QuantityInvalid;
pub use requests_missing::RequestsMissing;
pub use requests_too_low::RequestsTooLow;

use crate::model::{Container, Quantity};
use crate::yaml::Node;

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
    ]
}
