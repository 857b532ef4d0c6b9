//! Shared helpers for the end-to-end test suites.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// The workspace root (where `fixtures/` lives); tests run the binary from here.
#[must_use]
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ sits in the workspace")
        .to_path_buf()
}

/// The `kubelint` binary, built once per test process. Cargo sets `CARGO_BIN_EXE_*` only for a
/// package's own binaries, so this builds the CLI package into the same target folder.
///
/// # Panics
/// When the build fails.
#[must_use]
pub fn kubelint_bin() -> PathBuf {
    static BIN: OnceLock<PathBuf> = OnceLock::new();
    BIN.get_or_init(|| {
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        let target = std::env::var_os("CARGO_TARGET_DIR")
            .map_or_else(|| workspace_root().join("target"), PathBuf::from);
        let status = std::process::Command::new(cargo)
            .args(["build", "--quiet", "-p", "kubelint"])
            .current_dir(workspace_root())
            .status()
            .expect("cargo runs");
        assert!(status.success(), "building kubelint failed");
        target
            .join("debug")
            .join(format!("kubelint{}", std::env::consts::EXE_SUFFIX))
    })
    .clone()
}

/// The official SARIF 2.1.0 schema from `shared/spec/sarif/`, or `None` (with a note) when that
/// folder is not beside the repository; under CI its absence fails the test.
///
/// # Panics
/// When the schema is missing under CI or is not JSON.
#[must_use]
pub fn sarif_schema() -> Option<serde_json::Value> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../shared/spec/sarif/sarif-schema-2.1.0.json"
    );
    match std::fs::read_to_string(path) {
        Ok(text) => Some(serde_json::from_str(&text).expect("the SARIF schema is JSON")),
        Err(e) => {
            assert!(
                std::env::var_os("CI").is_none(),
                "SARIF schema missing at {path}: {e}"
            );
            eprintln!("SKIP: SARIF schema not found at {path}; schema validation not run");
            None
        }
    }
}
