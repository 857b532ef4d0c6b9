//! `docs/checks/` is generated from the check catalog: this test fails when a page is missing,
//! stale or left over. Regenerate with `UPDATE_DOCS=1 cargo test -p kubelint-tests --test docs`.

use std::collections::BTreeMap;
use std::path::PathBuf;

use kubelint_core::checks::builtin;
use kubelint_core::docs;

fn docs_dir() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/checks"))
}

fn expected_pages() -> BTreeMap<String, String> {
    let catalog = builtin();
    let mut pages: BTreeMap<String, String> = catalog
        .iter()
        .map(|c| (format!("{}.md", c.id), docs::page(c)))
        .collect();
    pages.insert("index.md".into(), docs::index(catalog));
    pages
}

#[test]
fn check_pages_are_current() {
    let dir = docs_dir();
    let expected = expected_pages();
    if std::env::var_os("UPDATE_DOCS").is_some() {
        std::fs::create_dir_all(&dir).unwrap();
        for entry in std::fs::read_dir(&dir).unwrap().flatten() {
            if !expected.contains_key(&entry.file_name().to_string_lossy().to_string()) {
                std::fs::remove_file(entry.path()).unwrap();
            }
        }
        for (name, text) in &expected {
            std::fs::write(dir.join(name), text).unwrap();
        }
    }
    let mut problems = Vec::new();
    for (name, text) in &expected {
        match std::fs::read_to_string(dir.join(name)) {
            Ok(on_disk) if &on_disk == text => {}
            Ok(_) => problems.push(format!("{name} is stale")),
            Err(_) => problems.push(format!("{name} is missing")),
        }
    }
    for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
        let name = entry.file_name().to_string_lossy().to_string();
        if !expected.contains_key(&name) {
            problems.push(format!("{name} belongs to no check"));
        }
    }
    assert!(
        problems.is_empty(),
        "docs/checks is out of date ({}); run `UPDATE_DOCS=1 cargo test -p kubelint-tests --test docs`",
        problems.join(", ")
    );
}

#[test]
fn every_page_has_the_four_sections_and_examples() {
    for check in builtin() {
        let page = docs::page(check);
        for heading in ["## What it flags", "## Why it matters", "## How to fix"] {
            assert!(page.contains(heading), "{}: no `{heading}`", check.id);
        }
        if &*check.id != "internal-error" {
            assert!(page.contains("## Examples"), "{}: no examples", check.id);
        }
    }
}
