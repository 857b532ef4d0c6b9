//! Kubernetes knowledge that is not about one check: versions and versioned data.

pub mod version;
