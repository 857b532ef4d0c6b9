//! Versioned Kubernetes facts the checks consult: API lifecycles and Pod Security data by minor version.

pub mod api_versions;
pub mod pss;
pub mod version;
