//! Offline by design: a lint run spawns no process, opens no socket and writes no file except
//! `--output`. Checked by tracing the real binary with strace (skipped where strace is missing).

use std::process::Command;

const MANIFEST: &str = "apiVersion: v1
kind: Pod
metadata:
  name: web
spec:
  containers:
    - name: web
      image: nginx
      securityContext: {privileged: true}
";

#[test]
fn a_lint_run_spawns_nothing_connects_nowhere_and_writes_only_its_output() {
    if Command::new("strace").arg("-V").output().is_err() {
        eprintln!("strace not installed; skipping (apt-get install strace)");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("pod.yaml"), MANIFEST).unwrap();
    let log = dir.path().join("trace.log");
    let status = Command::new("strace")
        .arg("-f")
        .arg("-qq")
        .args(["-e", "trace=%network,%process,open,openat,openat2,creat,rename,renameat,renameat2,unlink,unlinkat,mkdir,mkdirat,truncate"])
        .arg("-o")
        .arg(&log)
        .arg(env!("CARGO_BIN_EXE_kubelint"))
        .args(["--format", "json", "--output", "report.json", "--jobs", "2", "."])
        .current_dir(dir.path())
        .status()
        .unwrap();
    let trace = std::fs::read_to_string(&log).unwrap_or_default();
    if trace.contains("PTRACE_TRACEME") || trace.is_empty() {
        eprintln!("ptrace not permitted here; skipping");
        return;
    }
    assert_eq!(status.code(), Some(1), "{trace}");
    let mut execs = 0;
    for line in trace.lines() {
        let call = line
            .split_once(' ')
            .map_or(line, |(_, rest)| rest)
            .trim_start();
        let name = call.split('(').next().unwrap_or_default();
        match name {
            "execve" | "execveat" => execs += 1,
            "fork" | "vfork" => panic!("spawned a process: {line}"),
            // Threads (rayon) are clones with CLONE_THREAD; anything else is a process.
            "clone" | "clone3" => {
                assert!(line.contains("CLONE_THREAD"), "spawned a process: {line}")
            }
            "socket" | "connect" | "bind" | "listen" | "sendto" | "sendmsg" | "accept"
            | "accept4" | "socketpair" => panic!("used the network: {line}"),
            "open" | "openat" | "openat2" | "creat" => {
                let writes = name == "creat"
                    || ["O_WRONLY", "O_RDWR", "O_CREAT", "O_TRUNC"]
                        .iter()
                        .any(|flag| line.contains(flag));
                if writes {
                    assert!(line.contains("\"report.json\""), "wrote a file: {line}");
                }
            }
            "rename" | "renameat" | "renameat2" | "unlink" | "unlinkat" | "mkdir" | "mkdirat"
            | "truncate" => panic!("changed the file system: {line}"),
            _ => {}
        }
    }
    assert_eq!(execs, 1, "only kubelint itself is executed:\n{trace}");
    assert!(dir.path().join("report.json").is_file());
}
