//! Check documentation from catalog metadata: the text `kubelint explain` prints and the
//! Markdown pages under `docs/checks/`, generated from the same fields so they never disagree.

use std::fmt::Write;

use crate::check::{Check, PssLevel};

fn pss_text(check: &Check) -> Option<String> {
    check.pss.as_ref().map(|p| {
        let level = match p.level {
            PssLevel::Baseline => "baseline",
            PssLevel::Restricted => "restricted",
        };
        match p.since {
            Some(v) => format!(
                "Pod Security Standards {level}: `{}` (since {v})",
                p.control
            ),
            None => format!("Pod Security Standards {level}: `{}`", p.control),
        }
    })
}

/// Plain text for `kubelint explain ID`.
#[must_use]
pub fn explain(check: &Check) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "{}: {}", check.id, check.summary);
    let _ = writeln!(
        s,
        "theme: {}   severity: {}   enabled by default: {}",
        check.theme,
        check.severity,
        if check.enabled { "yes" } else { "no" }
    );
    if let Some(pss) = pss_text(check) {
        let _ = writeln!(s, "{pss}");
    }
    let d = &check.docs;
    let _ = write!(s, "\nWhat it flags\n  {}\n", wrap(&d.flags));
    let _ = write!(s, "\nWhy it matters\n  {}\n", wrap(&d.why));
    let _ = write!(s, "\nHow to fix\n  {}\n", wrap(&fix_text(check)));
    if let Some(notes) = &d.notes {
        let _ = write!(s, "\nCompared with other linters\n  {}\n", wrap(notes));
    }
    if !d.fail_example.is_empty() {
        let _ = write!(s, "\nFailing example\n{}", indent(&d.fail_example));
    }
    if !d.pass_example.is_empty() {
        let _ = write!(s, "\nPassing example\n{}", indent(&d.pass_example));
    }
    s
}

fn fix_text(check: &Check) -> String {
    let remediation = capitalise(&check.remediation);
    if check.docs.fix.is_empty() {
        format!("{remediation}.")
    } else {
        format!("{remediation}. {}", check.docs.fix)
    }
}

fn capitalise(s: &str) -> String {
    let mut chars = s.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

fn wrap(text: &str) -> String {
    let mut out = String::new();
    let mut width = 0;
    for word in text.split_whitespace() {
        if width > 0 && width + word.len() > 96 {
            out.push_str("\n  ");
            width = 0;
        } else if width > 0 {
            out.push(' ');
            width += 1;
        }
        out.push_str(word);
        width += word.len();
    }
    out
}

fn indent(text: &str) -> String {
    text.lines().map(|l| format!("    {l}\n")).collect()
}

/// The Markdown page of one check (`docs/checks/<id>.md`).
#[must_use]
pub fn page(check: &Check) -> String {
    let d = &check.docs;
    let mut s = String::new();
    let _ = writeln!(s, "# `{}`\n\n{}\n", check.id, check.summary);
    let _ = writeln!(s, "| theme | severity | enabled by default |");
    let _ = writeln!(s, "|---|---|---|");
    let _ = writeln!(
        s,
        "| {} | {} | {} |\n",
        check.theme,
        check.severity,
        if check.enabled { "yes" } else { "no" }
    );
    if let Some(pss) = pss_text(check) {
        let _ = writeln!(s, "{pss}\n");
    }
    if let Some(anchors) = &check.anchors {
        let _ = writeln!(s, "Similar checks elsewhere: {anchors}\n");
    }
    let _ = writeln!(s, "## What it flags\n\n{}\n", d.flags);
    let _ = writeln!(s, "## Why it matters\n\n{}\n", d.why);
    let _ = writeln!(s, "## How to fix\n\n{}\n", fix_text(check));
    if let Some(notes) = &d.notes {
        let _ = writeln!(s, "## Compared with other linters\n\n{notes}\n");
    }
    if !check.params.is_empty() {
        let _ = writeln!(s, "## Parameters\n");
        for (name, value) in &check.params {
            let _ = writeln!(s, "- `{name}` (default: `{}`)", value.display());
        }
        s.push('\n');
    }
    if !d.fail_example.is_empty() || !d.pass_example.is_empty() {
        let _ = writeln!(s, "## Examples\n");
        if !d.fail_example.is_empty() {
            let _ = writeln!(s, "Flagged:\n\n```yaml\n{}```\n", d.fail_example);
        }
        if !d.pass_example.is_empty() {
            let _ = writeln!(s, "Not flagged:\n\n```yaml\n{}```\n", d.pass_example);
        }
    }
    s.trim_end().to_string() + "\n"
}

/// The index page (`docs/checks/index.md`) listing every check by theme.
#[must_use]
pub fn index(checks: &[std::sync::Arc<Check>]) -> String {
    let mut s = String::from(
        "# Checks\n\nGenerated from the check catalog (`cargo test` fails when this page is stale; regenerate with `UPDATE_DOCS=1 cargo test -p kubelint-tests --test docs`).\n",
    );
    let mut themes: Vec<&str> = Vec::new();
    for c in checks {
        if !themes.contains(&c.theme.as_str()) {
            themes.push(&c.theme);
        }
    }
    for theme in themes {
        let _ = writeln!(
            s,
            "\n## {theme}\n\n| check | severity | default | summary |\n|---|---|---|---|"
        );
        for c in checks.iter().filter(|c| c.theme == theme) {
            let _ = writeln!(
                s,
                "| [`{id}`]({id}.md) | {} | {} | {} |",
                c.severity,
                if c.enabled { "on" } else { "off" },
                c.summary,
                id = c.id
            );
        }
    }
    s
}
