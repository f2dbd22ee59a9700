//! Kubernetes objects and typed views over the spanned tree.

mod catalog;
mod object;
mod qos;
mod quantity;
mod selector;
mod workload;

pub use catalog::Catalog;
pub use object::{DocObjects, GroupVersion, Object, doc_objects};
pub use qos::{Qos, QosClass, pod_qos};
pub use quantity::{Quantity, QuantityError};
pub use selector::{LabelSelector, Operator, Requirement, label_value};
pub use workload::{Container, ContainerKind, REPLICATED_KINDS, WORKLOAD_KINDS, Workload};
