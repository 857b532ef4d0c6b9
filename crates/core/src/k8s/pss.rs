//! The version-dependent data of the Pod Security Standards, as `k8s.io/pod-security-admission`
//! (`policy/check_*.go`) applies it for a given policy version (`enforce-version`).
//!
//! Checked against the upstream fixtures in `shared/conformance/pod-security/` (see the tests);
//! what the fixtures cannot show is marked where it is declared.

use super::version::KubeVersion;

const fn v(minor: u32) -> KubeVersion {
    KubeVersion::new(1, minor)
}

/// Every sysctl baseline has ever allowed, in the order upstream added them, with the policy
/// version that added each. Upstream's sets only ever grow (each is a `Union` of the previous),
/// so the set at a version is a prefix of this list.
const SYSCTLS: &[(KubeVersion, &str)] = &[
    (v(0), "kernel.shm_rmid_forced"),
    (v(0), "net.ipv4.ip_local_port_range"),
    (v(0), "net.ipv4.tcp_syncookies"),
    (v(0), "net.ipv4.ping_group_range"),
    (v(0), "net.ipv4.ip_unprivileged_port_start"),
    (v(27), "net.ipv4.ip_local_reserved_ports"),
    (v(29), "net.ipv4.tcp_keepalive_time"),
    (v(29), "net.ipv4.tcp_fin_timeout"),
    (v(29), "net.ipv4.tcp_keepalive_intvl"),
    (v(29), "net.ipv4.tcp_keepalive_probes"),
    (v(32), "net.ipv4.tcp_rmem"),
    (v(32), "net.ipv4.tcp_wmem"),
    (v(37), "net.ipv4.tcp_slow_start_after_idle"),
    (v(37), "net.ipv4.tcp_notsent_lowat"),
];

const SYSCTL_NAMES: [&str; SYSCTLS.len()] = {
    let mut names = [""; SYSCTLS.len()];
    let mut i = 0;
    while i < SYSCTLS.len() {
        names[i] = SYSCTLS[i].1;
        i += 1;
    }
    names
};

/// The sysctls baseline (and so restricted) allows in `spec.securityContext.sysctls` at policy
/// version `v`. Versions newer than [`KubeVersion::NEWEST`] get the newest set, as upstream
/// clamps to its newest known policy.
#[must_use]
pub fn safe_sysctls(v: KubeVersion) -> &'static [&'static str] {
    let count = SYSCTLS.iter().take_while(|(since, _)| *since <= v).count();
    &SYSCTL_NAMES[..count]
}

/// Allowed `seLinuxOptions.type` values; `""` stands for unset.
const SELINUX_TYPES: [&str; 5] = [
    "",
    "container_t",
    "container_init_t",
    "container_kvm_t",
    "container_engine_t",
];

/// From this policy version baseline also allows `container_engine_t` (upstream
/// `selinux_allowed_types_1_31`). No fixture exercises `container_engine_t` at any version, so
/// this number comes from upstream's check and the published standard, not the fixtures.
pub const SELINUX_CONTAINER_ENGINE_T_SINCE: KubeVersion = v(31);

/// The SELinux types baseline allows at policy version `v`. `user` and `role` must be empty at
/// every version, so they have no table.
#[must_use]
pub fn allowed_selinux_types(v: KubeVersion) -> &'static [&'static str] {
    if v >= SELINUX_CONTAINER_ENGINE_T_SINCE {
        &SELINUX_TYPES
    } else {
        &SELINUX_TYPES[..4]
    }
}

/// Capabilities baseline lets a container add (`capabilities_allowed_1_0`), the same at every
/// version. Matching is exact: upstream neither upper-cases nor strips `CAP_`.
pub const BASELINE_CAPABILITIES: &[&str] = &[
    "AUDIT_WRITE",
    "CHOWN",
    "DAC_OVERRIDE",
    "FOWNER",
    "FSETID",
    "KILL",
    "MKNOD",
    "NET_BIND_SERVICE",
    "SETFCAP",
    "SETGID",
    "SETPCAP",
    "SETUID",
    "SYS_CHROOT",
];

/// The only capability restricted lets a container add; it must also drop this one.
pub const RESTRICTED_ADD_CAPABILITY: &str = "NET_BIND_SERVICE";
/// What restricted requires in `capabilities.drop`.
pub const RESTRICTED_DROP_CAPABILITY: &str = "ALL";

const RESTRICTED_VOLUMES: &[&str] = &[
    "configMap",
    "csi",
    "downwardAPI",
    "emptyDir",
    "ephemeral",
    "image",
    "persistentVolumeClaim",
    "projected",
    "secret",
];

/// Volume sources restricted allows; any other source (including `hostPath`) is refused.
///
/// The same at every policy version, `image` included: upstream added `volume.Image` to the
/// single `restrictedVolumes_1_0` function (kubernetes#130394, released in 1.33) instead of a
/// new versioned check, so even a namespace pinned to `v1.25` accepts image volumes on a current
/// API server. The fixtures have no `image` volume either way; this follows upstream's code. A
/// volume with no source at all is an `emptyDir` after defaulting, and passes.
#[must_use]
pub fn restricted_volume_types(_v: KubeVersion) -> &'static [&'static str] {
    RESTRICTED_VOLUMES
}

// Policy versions at which a control starts or changes. Each `*_SINCE` that has fixtures is
// tested below against the first version whose fixture directory holds them.

/// restricted `allowPrivilegeEscalation` must be `false`.
pub const ALLOW_PRIVILEGE_ESCALATION_SINCE: KubeVersion = v(8);
/// restricted requires a seccomp profile (`seccompProfile_restricted`), and baseline reads the
/// `seccompProfile` field instead of the `seccomp.security.alpha.kubernetes.io` annotations.
pub const SECCOMP_PROFILE_RESTRICTED_SINCE: KubeVersion = v(19);
/// restricted requires `drop: [ALL]` and adds only `NET_BIND_SERVICE`.
pub const CAPABILITIES_RESTRICTED_SINCE: KubeVersion = v(22);
/// restricted forbids `runAsUser: 0`.
pub const RUN_AS_USER_SINCE: KubeVersion = v(23);
/// Pods with `spec.os.name: windows` skip restricted's `allowPrivilegeEscalation`,
/// `capabilities_restricted` and `seccompProfile_restricted`. Upstream's fixtures only show the
/// Windows pod from 1.29 on (its test's `podOSBasedRestrictionEnabledVersion`), so 1.25 comes
/// from the checks' own versions, not the fixtures.
pub const WINDOWS_EXEMPTION_SINCE: KubeVersion = v(25);
/// baseline forbids `host` on httpGet/tcpSocket probes and lifecycle handlers.
pub const PROBE_HOST_CONTROL_SINCE: KubeVersion = v(34);
/// With `spec.hostUsers: false`, baseline allows `procMount: Unmasked`; restricted's
/// `procMount_restricted` still forbids it.
pub const PROC_MOUNT_USER_NAMESPACE_RELAXATION_SINCE: KubeVersion = v(35);
/// restricted's own `procMount` check, which overrides baseline's from this version.
pub const PROC_MOUNT_RESTRICTED_SINCE: KubeVersion = v(35);
/// With `spec.hostUsers: false`, restricted skips `runAsNonRoot` and `runAsUser` entirely.
/// Upstream has no fixture for it (the fixtures' README says so); the number is the
/// `runAsNonRoot`/`runAsUser` 1.35 revisions in upstream's check registry.
pub const RUN_AS_NON_ROOT_USER_NAMESPACE_RELAXATION_SINCE: KubeVersion = v(35);

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;
    use std::path::{Path, PathBuf};

    use super::*;

    /// `shared/` sits beside the repository root (see tests/Cargo.toml).
    fn fixtures_root() -> Option<PathBuf> {
        let root =
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/conformance/pod-security");
        if root.is_dir() {
            Some(root)
        } else {
            eprintln!(
                "skipping: Pod Security fixtures not found at {}; they come from shared/",
                root.display()
            );
            None
        }
    }

    fn all_versions() -> impl Iterator<Item = KubeVersion> {
        (0..=KubeVersion::NEWEST.minor()).map(v)
    }

    /// The names under `spec.securityContext.sysctls`. The fixtures are machine-written with a
    /// fixed layout (`  securityContext:` / `    sysctls:` / `    - name: x`), so reading lines
    /// is exact here and keeps this test independent of the YAML module.
    fn sysctl_names(text: &str) -> Vec<String> {
        let mut names = Vec::new();
        let mut inside = false;
        for line in text.lines() {
            if line == "    sysctls:" {
                inside = true;
                continue;
            }
            if inside {
                if let Some(name) = line.strip_prefix("    - name: ") {
                    names.push(name.trim().to_owned());
                } else if !line.starts_with("      ") {
                    inside = false;
                }
            }
        }
        names
    }

    fn read(path: &Path) -> String {
        std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    }

    fn sysctl_fixtures(dir: &Path) -> Vec<PathBuf> {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return Vec::new();
        };
        let mut paths: Vec<PathBuf> = entries
            .map(|e| e.expect("dir entry").path())
            .filter(|p| {
                p.file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| n.starts_with("sysctls") && n.ends_with(".yaml"))
            })
            .collect();
        paths.sort();
        paths
    }

    #[test]
    fn safe_sysctls_agree_with_every_fixture_version() {
        let Some(root) = fixtures_root() else { return };
        let mut allowed_seen = BTreeSet::new();
        let mut checked = 0;
        for level in ["baseline", "restricted"] {
            for version in all_versions() {
                let dir = root.join(level).join(format!("v{version}"));
                assert!(dir.is_dir(), "missing fixture version {}", dir.display());
                let safe = safe_sysctls(version);
                for path in sysctl_fixtures(&dir.join("pass")) {
                    for name in sysctl_names(&read(&path)) {
                        assert!(
                            safe.contains(&name.as_str()),
                            "{}: {name} is not safe at {version}",
                            path.display()
                        );
                        allowed_seen.insert(name);
                        checked += 1;
                    }
                }
                let fails = sysctl_fixtures(&dir.join("fail"));
                assert!(
                    !fails.is_empty(),
                    "no failing sysctls fixture at {}",
                    dir.display()
                );
                for path in fails {
                    let names = sysctl_names(&read(&path));
                    assert!(!names.is_empty(), "{}: no sysctls read", path.display());
                    assert!(
                        names.iter().any(|n| !safe.contains(&n.as_str())),
                        "{}: fixture must fail but every sysctl in it is safe at {version}",
                        path.display()
                    );
                    checked += 1;
                }
            }
        }
        assert!(checked > 0);
        // Each name is allowed by some pass fixture, so none of the list is invented.
        let listed: BTreeSet<String> = SYSCTL_NAMES.iter().map(|s| (*s).to_owned()).collect();
        assert_eq!(allowed_seen, listed);
    }

    #[test]
    fn sysctls_enter_at_the_version_their_pass_fixture_first_uses_them() {
        let Some(root) = fixtures_root() else { return };
        for &(since, name) in SYSCTLS {
            let first = all_versions().find(|version| {
                let pass = root
                    .join("baseline")
                    .join(format!("v{version}"))
                    .join("pass/sysctls1.yaml");
                pass.is_file() && sysctl_names(&read(&pass)).iter().any(|n| n == name)
            });
            assert_eq!(first, Some(since), "{name}");
        }
    }

    #[test]
    fn safe_sysctls_grow_and_clamp() {
        assert_eq!(safe_sysctls(v(0)).len(), 5);
        assert_eq!(safe_sysctls(v(26)).len(), 5);
        assert_eq!(safe_sysctls(v(27)).len(), 6);
        assert_eq!(safe_sysctls(v(29)).len(), 10);
        assert_eq!(safe_sysctls(v(32)).len(), 12);
        assert_eq!(safe_sysctls(v(36)).len(), 12);
        assert_eq!(safe_sysctls(v(37)).len(), 14);
        assert_eq!(safe_sysctls(v(99)), safe_sysctls(KubeVersion::NEWEST));
        assert!(!safe_sysctls(v(36)).contains(&"net.ipv4.tcp_notsent_lowat"));
    }

    /// First policy version whose `<level>/v1.N/<outcome>/` holds `<file>`.
    fn first_version_with(
        root: &Path,
        level: &str,
        outcome: &str,
        file: &str,
    ) -> Option<KubeVersion> {
        all_versions().find(|version| {
            root.join(level)
                .join(format!("v{version}"))
                .join(outcome)
                .join(file)
                .is_file()
        })
    }

    #[test]
    fn control_start_versions_match_the_fixtures() {
        let Some(root) = fixtures_root() else { return };
        let cases = [
            (
                "restricted",
                "fail",
                "allowprivilegeescalation0.yaml",
                ALLOW_PRIVILEGE_ESCALATION_SINCE,
            ),
            (
                "restricted",
                "fail",
                "seccompprofile_restricted0.yaml",
                SECCOMP_PROFILE_RESTRICTED_SINCE,
            ),
            (
                "restricted",
                "fail",
                "capabilities_restricted0.yaml",
                CAPABILITIES_RESTRICTED_SINCE,
            ),
            ("restricted", "fail", "runasuser0.yaml", RUN_AS_USER_SINCE),
            (
                "baseline",
                "fail",
                "hostprobesandhostlifecycle0.yaml",
                PROBE_HOST_CONTROL_SINCE,
            ),
            (
                "restricted",
                "fail",
                "procmount_restricted0.yaml",
                PROC_MOUNT_RESTRICTED_SINCE,
            ),
            // procmount1 at baseline is `Unmasked` + `hostUsers: false`, passing from 1.35.
            (
                "baseline",
                "pass",
                "procmount1.yaml",
                PROC_MOUNT_USER_NAMESPACE_RELAXATION_SINCE,
            ),
        ];
        for (level, outcome, file, since) in cases {
            assert_eq!(
                first_version_with(&root, level, outcome, file),
                Some(since),
                "{level}/{outcome}/{file}"
            );
        }
        let relaxed = read(&root.join("baseline/v1.35/pass/procmount1.yaml"));
        assert!(relaxed.contains("hostUsers: false") && relaxed.contains("procMount: Unmasked"));
        // Seccomp: annotations before 1.19, the field from then on.
        let old = read(&root.join("baseline/v1.18/fail/seccompprofile_baseline0.yaml"));
        let new = read(&root.join(format!(
            "baseline/v{SECCOMP_PROFILE_RESTRICTED_SINCE}/fail/seccompprofile_baseline0.yaml"
        )));
        assert!(
            old.contains("seccomp.security.alpha.kubernetes.io")
                && !new.contains("seccomp.security.alpha.kubernetes.io")
        );
    }

    #[test]
    fn selinux_types_agree_with_the_fixtures() {
        let Some(root) = fixtures_root() else { return };
        for version in all_versions() {
            let allowed = allowed_selinux_types(version);
            for name in ["selinuxoptions0.yaml", "selinuxoptions1.yaml"] {
                let path = root.join(format!("baseline/v{version}/pass/{name}"));
                for line in read(&path).lines() {
                    if let Some(ty) = line.trim().strip_prefix("type: ") {
                        assert!(allowed.contains(&ty), "{}: {ty}", path.display());
                    }
                }
            }
        }
        assert!(!allowed_selinux_types(v(30)).contains(&"container_engine_t"));
        assert!(allowed_selinux_types(v(31)).contains(&"container_engine_t"));
        assert!(allowed_selinux_types(v(0)).contains(&""));
    }

    #[test]
    fn capabilities_agree_with_the_fixtures() {
        let Some(root) = fixtures_root() else { return };
        let pass = read(&root.join("baseline/v1.37/pass/capabilities_baseline0.yaml"));
        let added: BTreeSet<&str> = pass
            .lines()
            .filter_map(|l| l.trim().strip_prefix("- "))
            .filter(|s| s.chars().all(|c| c.is_ascii_uppercase() || c == '_'))
            .collect();
        let expected: BTreeSet<&str> = BASELINE_CAPABILITIES.iter().copied().collect();
        assert_eq!(added, expected);
        for i in 0..4 {
            let fail =
                read(&root.join(format!("baseline/v1.37/fail/capabilities_baseline{i}.yaml")));
            let bad = fail
                .lines()
                .filter_map(|l| l.trim().strip_prefix("- "))
                .filter(|s| !s.contains(':'))
                .any(|cap| !BASELINE_CAPABILITIES.contains(&cap));
            assert!(
                bad,
                "capabilities_baseline{i} must add something outside the list"
            );
        }
    }

    /// The volume source keys of a fixture's `spec.volumes` (the key at list-item indentation
    /// that is not `name`).
    fn volume_sources(text: &str) -> Vec<String> {
        let mut sources = Vec::new();
        let mut inside = false;
        for line in text.lines() {
            if line == "  volumes:" {
                inside = true;
                continue;
            }
            if !inside {
                continue;
            }
            // A sibling of `volumes:` (or anything shallower) ends the list.
            if !line.starts_with("  -") && !line.starts_with("   ") {
                break;
            }
            let item = line
                .strip_prefix("  - ")
                .or_else(|| line.strip_prefix("    "));
            if let Some(item) = item {
                if item.starts_with(' ') {
                    continue;
                }
                if let Some((key, _)) = item.split_once(':') {
                    if key != "name" {
                        sources.push(key.to_owned());
                    }
                }
            }
        }
        sources
    }

    #[test]
    fn restricted_volumes_agree_with_the_fixtures() {
        let Some(root) = fixtures_root() else { return };
        for version in all_versions() {
            let allowed = restricted_volume_types(version);
            let dir = root.join(format!("restricted/v{version}"));
            let pass = volume_sources(&read(&dir.join("pass/restrictedvolumes0.yaml")));
            assert!(pass.len() >= 6, "{pass:?}");
            for source in &pass {
                assert!(allowed.contains(&source.as_str()), "{version}: {source}");
            }
            for i in 0..20 {
                let path = dir.join(format!("fail/restrictedvolumes{i}.yaml"));
                let sources = volume_sources(&read(&path));
                assert_eq!(sources.len(), 1, "{}: {sources:?}", path.display());
                assert!(
                    !allowed.contains(&sources[0].as_str()),
                    "{}: {}",
                    path.display(),
                    sources[0]
                );
            }
        }
        assert!(restricted_volume_types(v(0)).contains(&"image"));
        assert!(!restricted_volume_types(KubeVersion::NEWEST).contains(&"hostPath"));
    }
}
