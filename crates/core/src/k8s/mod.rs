//! Kubernetes knowledge the checks consult: versioned API lifecycles and Pod Security data,
//! and the API server's own parsers for quantities, cron schedules and names.

pub mod api_versions;
pub mod cron;
pub mod names;
pub mod pss;
pub mod quantity;
pub mod version;
