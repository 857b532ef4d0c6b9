//! kubelint-core: offline Kubernetes manifest linting as a library.
//!
//! The pipeline: [`load`] turns paths into [`source::SourceFile`]s, [`yaml`] parses each into
//! span-carrying documents, [`object`] recognises Kubernetes objects and their pod specs,
//! [`engine`] runs the enabled [`check`]s over them in parallel and returns sorted
//! [`finding::Finding`]s. Nothing here prints or exits; the CLI renders and picks exit codes.

pub mod baseline;
pub mod check;
pub mod checks;
pub mod config;
pub mod decode;
pub mod docs;
pub mod engine;
pub mod finding;
pub mod helm;
pub mod k8s;
pub mod load;
pub mod object;
pub mod redact;
pub mod small_set;
pub mod source;
pub mod suppress;
pub mod yaml;
