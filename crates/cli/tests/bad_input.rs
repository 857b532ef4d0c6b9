//! End-to-end hostile input: every odd file a repository can hold, run through the real binary
//! next to a good manifest. Each must give a message naming the file (and line), the contract's
//! exit code, finish in bounded time and memory, and leave the other files linted.

use std::ffi::OsStr;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

/// A Deployment with one known error (`privileged`), so "the other files are still linted" is
/// visible in every run.
const GOOD: &str = "apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
spec:
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
        - name: web
          image: nginx:1.27.1
          securityContext:
            privileged: true
";

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
    /// Peak resident memory of the child, sampled from /proc while it ran (KiB).
    peak_kib: u64,
    elapsed: Duration,
}

impl Run {
    fn json(&self) -> Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{}", self.stdout))
    }

    /// (file, line, check) of every finding.
    fn findings(&self) -> Vec<(String, u64, String)> {
        self.json()["findings"]
            .as_array()
            .expect("findings array")
            .iter()
            .map(|f| {
                (
                    f["file"].as_str().unwrap_or_default().to_string(),
                    f["line"].as_u64().unwrap_or_default(),
                    f["check"].as_str().unwrap_or_default().to_string(),
                )
            })
            .collect()
    }

    fn has(&self, file_suffix: &str, line: Option<u64>, check: &str) -> bool {
        self.findings().iter().any(|(f, l, c)| {
            f.ends_with(file_suffix) && c == check && line.is_none_or(|line| *l == line)
        })
    }

    fn good_linted(&self) -> bool {
        self.has("good.yaml", Some(17), "privileged")
    }
}

fn peak_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn kubelint_in<I, S>(cwd: &Path, args: I, limit: Duration) -> Run
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    let start = Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_kubelint"))
        .args(args)
        .arg("--format=json")
        .arg("--color=never")
        .current_dir(cwd)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn kubelint");
    let pid = child.id();
    let mut out_pipe = child.stdout.take().unwrap();
    let mut err_pipe = child.stderr.take().unwrap();
    let out_reader = std::thread::spawn(move || {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut out_pipe, &mut s).ok();
        s
    });
    let err_reader = std::thread::spawn(move || {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut err_pipe, &mut s).ok();
        s
    });
    let mut peak = 0;
    let status = loop {
        if let Some(kib) = peak_kib(pid) {
            peak = peak.max(kib);
        }
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!("kubelint did not finish within {limit:?} (killed)");
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    Run {
        code: status.code().expect("exited, not killed by a signal"),
        stdout: out_reader.join().unwrap(),
        stderr: err_reader.join().unwrap(),
        peak_kib: peak,
        elapsed: start.elapsed(),
    }
}

const LIMIT: Duration = Duration::from_secs(60);

/// A temp folder holding `good.yaml` plus whatever the case adds.
fn repo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("good.yaml"), GOOD).unwrap();
    dir
}

/// Lints the whole folder (walked) and returns the run.
fn lint_folder(dir: &Path) -> Run {
    kubelint_in(dir, ["."], LIMIT)
}

fn assert_mentions(run: &Run, what: &str) {
    assert!(
        run.stdout.contains(what) || run.stderr.contains(what),
        "expected `{what}` in the output\nstdout: {}\nstderr: {}",
        run.stdout,
        run.stderr
    );
}

/// A file that does not parse is a `yaml-syntax` finding (exit 1) at `line`, and `good.yaml`
/// is still linted.
fn assert_syntax_finding(run: &Run, file: &str, line: u64) {
    assert_eq!(run.code, 1, "stderr: {}", run.stderr);
    assert!(
        run.has(file, Some(line), "yaml-syntax"),
        "no yaml-syntax finding for {file}:{line}: {:?}",
        run.findings()
    );
    assert!(run.good_linted(), "{:?}", run.findings());
}

/// A harmless file: no finding of its own, the run is decided by `good.yaml` alone.
fn assert_harmless(run: &Run, file: &str) {
    assert_eq!(run.code, 1, "stderr: {}", run.stderr);
    let findings = run.findings();
    assert!(
        findings.iter().all(|(f, _, _)| !f.ends_with(file)),
        "{findings:?}"
    );
    assert!(run.good_linted(), "{findings:?}");
}

#[test]
fn binary_file_named_yaml_is_a_syntax_finding() {
    let dir = repo();
    let mut bytes = b"\x7fELF\x02\x01\x01\x00\x00".to_vec();
    bytes.extend((0..=255u8).cycle().take(64 << 10));
    std::fs::write(dir.path().join("a.out.yaml"), bytes).unwrap();
    let run = lint_folder(dir.path());
    assert_syntax_finding(&run, "a.out.yaml", 1);
    assert_mentions(&run, "binary");
}

#[test]
fn invalid_utf8_is_a_syntax_finding_at_its_line() {
    let dir = repo();
    std::fs::write(
        dir.path().join("latin1.yaml"),
        b"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: caf\xe9\n",
    )
    .unwrap();
    let run = lint_folder(dir.path());
    assert_syntax_finding(&run, "latin1.yaml", 4);
    assert_mentions(&run, "not valid UTF-8");
}

#[test]
fn utf16_with_bom_is_linted_like_utf8() {
    let dir = repo();
    for (name, le) in [("le.yaml", true), ("be.yaml", false)] {
        let mut bytes = if le {
            vec![0xFF, 0xFE]
        } else {
            vec![0xFE, 0xFF]
        };
        for unit in GOOD
            .replace(
                "name: web\n  namespace",
                &format!("name: {name}\n  namespace"),
            )
            .encode_utf16()
        {
            bytes.extend(if le {
                unit.to_le_bytes()
            } else {
                unit.to_be_bytes()
            });
        }
        std::fs::write(dir.path().join(name), bytes).unwrap();
    }
    let run = lint_folder(dir.path());
    assert!(
        run.has("le.yaml", Some(17), "privileged"),
        "{:?}",
        run.findings()
    );
    assert!(
        run.has("be.yaml", Some(17), "privileged"),
        "{:?}",
        run.findings()
    );
    assert!(run.good_linted());
}

#[test]
fn empty_comment_only_and_separator_only_files_are_harmless() {
    let dir = repo();
    std::fs::write(dir.path().join("empty.yaml"), "").unwrap();
    std::fs::write(
        dir.path().join("comments.yaml"),
        "# nothing here\n# at all\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("dashes.yaml"), "---\n---\n---\n").unwrap();
    let run = lint_folder(dir.path());
    for f in ["empty.yaml", "comments.yaml", "dashes.yaml"] {
        assert_harmless(&run, f);
    }
    assert_eq!(run.json()["summary"]["files"], 4, "{}", run.stdout);
    // Alone and named explicitly, there is nothing to lint: the contract's exit 2.
    for f in ["empty.yaml", "comments.yaml", "dashes.yaml"] {
        let alone = kubelint_in(dir.path(), [f], LIMIT);
        assert_eq!(alone.code, 2, "{f}: {}", alone.stderr);
        assert_mentions(&alone, "no Kubernetes objects");
    }
}

#[test]
fn top_level_scalar_or_sequence_is_not_an_object() {
    let dir = repo();
    std::fs::write(dir.path().join("scalar.yaml"), "just a string\n").unwrap();
    std::fs::write(
        dir.path().join("seq.yaml"),
        "- apiVersion: v1\n  kind: ConfigMap\n",
    )
    .unwrap();
    let run = lint_folder(dir.path());
    assert!(run.good_linted());
    assert_eq!(run.code, 1);
    assert_eq!(run.json()["summary"]["objects"], 1, "{}", run.stdout);
}

#[test]
fn list_with_null_items_has_no_objects_and_no_crash() {
    let dir = repo();
    std::fs::write(
        dir.path().join("list.yaml"),
        "apiVersion: v1\nkind: List\nitems: null\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("list2.yaml"),
        "apiVersion: v1\nkind: List\nitems:\n",
    )
    .unwrap();
    let run = lint_folder(dir.path());
    assert!(run.good_linted());
    assert!(!run.stdout.contains("internal-error"), "{}", run.stdout);
    assert_eq!(run.json()["summary"]["objects"], 1, "{}", run.stdout);
}

#[test]
fn tab_indentation_is_a_syntax_finding_at_its_line() {
    let dir = repo();
    std::fs::write(
        dir.path().join("tabs.yaml"),
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n\tname: tabbed\n",
    )
    .unwrap();
    let run = lint_folder(dir.path());
    assert_syntax_finding(&run, "tabs.yaml", 4);
}

#[test]
fn mixed_line_endings_keep_lines_exact() {
    let dir = repo();
    let mixed = GOOD
        .lines()
        .enumerate()
        .map(|(i, l)| format!("{l}{}", ["\n", "\r\n", "\r\n", "\n"][i % 4]))
        .collect::<String>();
    std::fs::write(dir.path().join("mixed.yaml"), mixed).unwrap();
    let run = lint_folder(dir.path());
    assert!(
        run.has("mixed.yaml", Some(17), "privileged"),
        "{:?}",
        run.findings()
    );
    assert!(run.good_linted());
}

/// Peak memory of linting the good file alone: the fixed cost every run pays.
fn baseline_kib() -> u64 {
    static BASE: std::sync::OnceLock<u64> = std::sync::OnceLock::new();
    *BASE.get_or_init(|| lint_folder(repo().path()).peak_kib)
}

/// Memory must grow linearly with the input: at most 40 bytes per input byte above the fixed
/// cost (a mapping of 100,000 tiny keys is the densest case; debug builds are measured).
fn assert_bounded(run: &Run, input_bytes: usize) {
    let input_kib = (input_bytes / 1024) as u64;
    let base = baseline_kib();
    assert!(
        run.peak_kib < base + 40 * input_kib,
        "peak RSS {} KiB for {input_kib} KiB of input (fixed cost {base} KiB)",
        run.peak_kib
    );
}

#[test]
fn ten_megabyte_single_line() {
    let dir = repo();
    let mut line =
        String::from(r#"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"big"},"data":{"#);
    let mut i = 0;
    while line.len() < 10 << 20 {
        let _ = write!(line, r#""key{i}":"{}","#, "v".repeat(200));
        i += 1;
    }
    line.push_str(r#""last":"x"}}"#);
    std::fs::write(dir.path().join("oneline.json"), &line).unwrap();
    let run = lint_folder(dir.path());
    assert!(run.good_linted(), "{}", run.stderr);
    assert_eq!(run.json()["summary"]["objects"], 2);
    assert_bounded(&run, line.len());
    eprintln!(
        "10 MB single line: {:?}, peak {} KiB",
        run.elapsed, run.peak_kib
    );
}

#[test]
fn one_million_lines() {
    let dir = repo();
    let mut text = String::from(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: long\ndata:\n  script: |\n",
    );
    for i in 0..1_000_000 {
        let _ = writeln!(text, "    echo line {i}");
    }
    text.push_str("  badKey: [unclosed\n");
    std::fs::write(dir.path().join("long.yaml"), &text).unwrap();
    let run = lint_folder(dir.path());
    // The error after a million lines is reported at its exact line.
    assert_syntax_finding(&run, "long.yaml", 1_000_007);
    assert_bounded(&run, text.len());
    eprintln!("1M lines: {:?}, peak {} KiB", run.elapsed, run.peak_kib);
}

/// A stream of many small documents is linted in time linear in their number: each file's
/// per-document work (pruning, suppression lookups) walks documents and objects together.
#[test]
fn fifty_thousand_documents_in_one_file() {
    let dir = repo();
    let mut text = String::new();
    for i in 0..50_000 {
        let _ = write!(
            text,
            "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-{i}\ndata:\n  a: b # kubelint: ignore[configmap-sensitive] not a secret\n"
        );
    }
    std::fs::write(dir.path().join("many.yaml"), &text).unwrap();
    let run = lint_folder(dir.path());
    assert!(run.good_linted());
    assert_eq!(run.json()["summary"]["objects"].as_u64(), Some(50_001));
    assert!(run.elapsed < Duration::from_secs(60), "{:?}", run.elapsed);
    assert_bounded(&run, text.len());
    eprintln!(
        "50,000 documents: {:?}, peak {} KiB",
        run.elapsed, run.peak_kib
    );
}

/// Ignored by default: about 100 MB written and linted. Run with
/// `cargo test --release -p kubelint --test bad_input -- --ignored --nocapture`.
#[test]
#[ignore = "100 MB input; run in release (see docs/performance.md)"]
fn hundred_megabyte_file() {
    let dir = repo();
    let mut text = String::with_capacity(101 << 20);
    let mut i = 0;
    while text.len() < 100 << 20 {
        let _ = write!(
            text,
            "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-{i}\n  namespace: big\ndata:\n  a: \"{}\"\n  script: |\n    echo {i}\n    exit 0\n",
            "x".repeat(100)
        );
        i += 1;
    }
    std::fs::write(dir.path().join("huge.yaml"), &text).unwrap();
    let run = kubelint_in(dir.path(), ["."], Duration::from_secs(600));
    assert!(run.good_linted(), "{}", run.stderr);
    assert_eq!(run.json()["summary"]["objects"].as_u64(), Some(i + 1));
    // A file's documents are all parsed before its checks run, so one 100 MB file has its whole
    // tree in memory at once: about 7.5x the input for 451,000 tiny objects
    // (docs/performance.md). The bound catches a blow-up, not that known cost.
    let input_kib = (text.len() / 1024) as u64;
    assert!(run.peak_kib < 9 * input_kib, "peak {} KiB", run.peak_kib);
    eprintln!(
        "100 MB ({} objects): {:?}, peak {} KiB",
        i + 1,
        run.elapsed,
        run.peak_kib
    );
}

#[test]
fn hundred_thousand_nested_levels_block_and_flow() {
    let dir = repo();
    // `- - - x` nests block sequences on one line: 100,000 levels in 200 KB.
    let block = format!(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: deep\ndata:\n  k:\n    {}x\n",
        "- ".repeat(100_000)
    );
    let flow = format!(
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: flow}}\ndata: {}{}\n",
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    // Nesting by indentation is quadratic in size, so 3,000 levels (4.5 MB) stand for it.
    let mut maps =
        String::from("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: maps\ndata:\n");
    for depth in 0..3_000 {
        let _ = writeln!(maps, "{}k:", " ".repeat(2 + depth));
    }
    std::fs::write(dir.path().join("block.yaml"), &block).unwrap();
    std::fs::write(dir.path().join("flow.yaml"), &flow).unwrap();
    std::fs::write(dir.path().join("maps.yaml"), &maps).unwrap();
    let run = lint_folder(dir.path());
    assert_eq!(run.code, 1);
    assert!(run.good_linted());
    for f in ["block.yaml", "flow.yaml", "maps.yaml"] {
        assert!(run.has(f, None, "yaml-syntax"), "{f}: {:?}", run.findings());
    }
    assert!(!run.stdout.contains("internal-error"));
    assert_mentions(&run, "nesting deeper than");
    assert_bounded(&run, block.len() + flow.len() + maps.len());
}

#[test]
fn alias_bomb_is_not_expanded() {
    let dir = repo();
    let mut bomb = String::from("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: lol\ndata:\n  a0: &a0 [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n");
    for i in 1..10 {
        let p = i - 1;
        let _ = writeln!(
            bomb,
            "  a{i}: &a{i} [*a{p},*a{p},*a{p},*a{p},*a{p},*a{p},*a{p},*a{p},*a{p}]"
        );
    }
    // And the same where checks look: containers, env and volumes built from aliases.
    bomb.push_str("---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: lol\nspec:\n  containers: &c\n    - &k {name: a, image: x, env: &e [{name: A, value: b}, {name: B, value: c}]}\n    - *k\n  initContainers: [*k, *k, *k, *k]\n  volumes: *c\n");
    std::fs::write(dir.path().join("bomb.yaml"), &bomb).unwrap();
    let run = kubelint_in(dir.path(), ["."], Duration::from_secs(30));
    assert!(run.good_linted(), "{}", run.stderr);
    assert!(!run.stdout.contains("internal-error"), "{}", run.stdout);
    assert!(run.peak_kib < 256 * 1024, "peak {} KiB", run.peak_kib);
}

#[test]
fn hundred_thousand_keys_in_one_mapping() {
    let mut text =
        String::from("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: wide\n  labels:\n");
    for i in 0..100_000 {
        let _ = writeln!(text, "    key-{i}: v{i}");
    }
    // One repeat at the very end must still be found.
    text.push_str("    key-7: again\n");
    assert_wide_file_linted(&text, 100_006, "duplicate-key");
}

/// Lints `text` as `wide.yaml` beside the good file: `check` must be found at `line`, within
/// 30 seconds and bounded memory, and the good file still linted.
fn assert_wide_file_linted(text: &str, line: u64, check: &str) {
    let dir = repo();
    std::fs::write(dir.path().join("wide.yaml"), text).unwrap();
    let run = lint_folder(dir.path());
    assert!(run.good_linted(), "{}", run.stderr);
    assert!(
        run.has("wide.yaml", Some(line), check),
        "{:?}",
        run.findings()
    );
    assert!(run.elapsed < Duration::from_secs(30), "{:?}", run.elapsed);
    assert_bounded(&run, text.len());
}

#[test]
fn wide_probes_compare_in_bounded_time() {
    // Two identical probes of 50,000 keys each: comparing them must not cost keys squared.
    let mut keys = String::new();
    for i in 0..50_000 {
        let _ = write!(keys, "k{i}: {i}, ");
    }
    let text = format!(
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: wide-probes\nspec:\n  containers:\n    - name: c\n      image: nginx:1.27\n      livenessProbe: {{{keys}periodSeconds: 10}}\n      readinessProbe: {{{keys}periodSeconds: 10}}\n"
    );
    assert_wide_file_linted(&text, 9, "probes-identical");
}

fn permissions_enforced(dir: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    let probe = dir.join("probe");
    std::fs::write(&probe, "x").unwrap();
    std::fs::set_permissions(&probe, std::fs::Permissions::from_mode(0o000)).unwrap();
    let enforced = std::fs::read(&probe).is_err();
    std::fs::remove_file(&probe).unwrap();
    enforced
}

#[test]
fn unreadable_file_is_an_error_and_the_others_are_linted() {
    use std::os::unix::fs::PermissionsExt;
    let dir = repo();
    let secret = dir.path().join("locked.yaml");
    std::fs::write(
        &secret,
        GOOD.replace("name: web\n  namespace", "name: locked\n  namespace"),
    )
    .unwrap();
    std::fs::set_permissions(&secret, std::fs::Permissions::from_mode(0o000)).unwrap();
    let enforced = permissions_enforced(dir.path());
    let walked = lint_folder(dir.path());
    let named = kubelint_in(dir.path(), ["locked.yaml", "good.yaml"], LIMIT);
    for run in [&walked, &named] {
        assert!(run.good_linted(), "{}", run.stderr);
        if enforced {
            // The run is incomplete: exit 2 whether the file was walked or named.
            assert_eq!(run.code, 2, "{}", run.stderr);
            assert!(
                run.stderr
                    .contains("error: locked.yaml: cannot read the file: permission denied"),
                "{}",
                run.stderr
            );
        } else {
            // Running as root: the mode is not enforced, so the file is simply linted.
            assert_eq!(run.code, 1);
            assert!(
                run.has("locked.yaml", Some(17), "privileged"),
                "{:?}",
                run.findings()
            );
        }
    }
    std::fs::set_permissions(&secret, std::fs::Permissions::from_mode(0o644)).unwrap();
}

#[test]
fn dangling_symlink_and_symlink_loop() {
    let dir = repo();
    std::os::unix::fs::symlink("missing.yaml", dir.path().join("dangling.yaml")).unwrap();
    std::os::unix::fs::symlink("loop-b.yaml", dir.path().join("loop-a.yaml")).unwrap();
    std::os::unix::fs::symlink("loop-a.yaml", dir.path().join("loop-b.yaml")).unwrap();
    std::fs::create_dir(dir.path().join("sub")).unwrap();
    std::os::unix::fs::symlink("..", dir.path().join("sub/up")).unwrap();
    // Walked: symbolic links are not followed, so neither hangs nor errs.
    let walked = kubelint_in(dir.path(), ["."], Duration::from_secs(20));
    assert_eq!(walked.code, 1, "{}", walked.stderr);
    assert!(walked.good_linted());
    assert_eq!(walked.json()["summary"]["files"], 1);
    // Named: a path that cannot be read is the contract's exit 2, with the path in the message.
    for name in ["dangling.yaml", "loop-a.yaml"] {
        let run = kubelint_in(dir.path(), [name, "good.yaml"], Duration::from_secs(20));
        assert_eq!(run.code, 2, "{name}: {}", run.stderr);
        assert!(run.stderr.contains(name), "{}", run.stderr);
    }
}

#[test]
fn folder_named_like_a_manifest_is_walked() {
    let dir = repo();
    let folder = dir.path().join("x.yaml");
    std::fs::create_dir(&folder).unwrap();
    std::fs::write(folder.join("inner.yaml"), GOOD).unwrap();
    let walked = lint_folder(dir.path());
    assert!(
        walked.has("x.yaml/inner.yaml", Some(17), "privileged"),
        "{:?}",
        walked.findings()
    );
    let named = kubelint_in(dir.path(), ["x.yaml"], LIMIT);
    assert!(
        named.has("x.yaml/inner.yaml", Some(17), "privileged"),
        "{:?}",
        named.findings()
    );
}

#[test]
fn fifo_in_a_walked_folder_is_never_opened() {
    let dir = repo();
    let fifo = dir.path().join("pipe.yaml");
    let made = Command::new("mkfifo").arg(&fifo).status();
    if !made.is_ok_and(|s| s.success()) {
        eprintln!("mkfifo unavailable; skipping");
        return;
    }
    // Nobody ever writes to the pipe: opening it for reading would block forever.
    let run = kubelint_in(dir.path(), ["."], Duration::from_secs(20));
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.good_linted());
    assert_eq!(run.json()["summary"]["files"], 1);
}

#[test]
fn named_fifo_is_read_like_process_substitution() {
    let dir = repo();
    let fifo = dir.path().join("rendered.yaml");
    if !Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .is_ok_and(|s| s.success())
    {
        return;
    }
    let writer_path = fifo.clone();
    let writer = std::thread::spawn(move || std::fs::write(writer_path, GOOD));
    let run = kubelint_in(dir.path(), ["rendered.yaml"], Duration::from_secs(20));
    writer.join().unwrap().unwrap();
    assert!(
        run.has("rendered.yaml", Some(17), "privileged"),
        "{}",
        run.stderr
    );
}

#[test]
fn path_that_is_not_utf8() {
    use std::os::unix::ffi::OsStrExt;
    let dir = repo();
    let name = OsStr::from_bytes(b"caf\xe9.yaml");
    let path: PathBuf = dir.path().join(name);
    if std::fs::write(&path, GOOD).is_err() {
        eprintln!("file system refuses non-UTF-8 names; skipping");
        return;
    }
    let run = lint_folder(dir.path());
    assert!(run.good_linted());
    assert!(
        run.has("caf\u{FFFD}.yaml", Some(17), "privileged"),
        "{:?}",
        run.findings()
    );
    let named = kubelint_in(dir.path(), [name], LIMIT);
    assert!(
        named.has("caf\u{FFFD}.yaml", Some(17), "privileged"),
        "{}",
        named.stderr
    );
}
