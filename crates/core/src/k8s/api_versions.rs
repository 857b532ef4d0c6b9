//! Which built-in apiVersion/kind pairs are deprecated or removed, and by which minor: the
//! `api_versions.tsv` table embedded at build time, parsed once, looked up by pair.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::OnceLock;

use super::version::KubeVersion;

/// The data lives in a TSV rather than Rust so that it reads as a table and diffs by row.
const TABLE: &str = include_str!("api_versions.tsv");

/// The lifecycle of one built-in (apiVersion, kind) pair.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiChange {
    pub api_version: &'static str,
    pub kind: &'static str,
    /// `None` for alpha versions, which Kubernetes may drop without deprecating them first.
    pub deprecated_in: Option<KubeVersion>,
    /// `None` while the pair is still served by [`KubeVersion::NEWEST`].
    pub removed_in: Option<KubeVersion>,
    /// The apiVersion to migrate to; empty when nothing replaces the kind.
    pub replacement: &'static str,
}

impl ApiChange {
    /// True when a cluster at `v` no longer serves this pair.
    #[must_use]
    pub fn is_removed_at(&self, v: KubeVersion) -> bool {
        self.removed_in.is_some_and(|removed| v >= removed)
    }

    /// True when a cluster at `v` still serves this pair but warns that it is deprecated.
    #[must_use]
    pub fn is_deprecated_at(&self, v: KubeVersion) -> bool {
        self.deprecated_in.is_some_and(|deprecated| v >= deprecated) && !self.is_removed_at(v)
    }
}

/// A row of the embedded table that does not parse, with its 1-based line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TableError {
    pub line: usize,
    pub message: String,
}

impl std::fmt::Display for TableError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "api_versions.tsv:{}: {}", self.line, self.message)
    }
}

/// Every row of the embedded table, in file order.
///
/// # Panics
/// If the embedded table is malformed. It is compiled in, so that is a build defect, and the
/// unit tests parse every row so that it cannot ship.
#[must_use]
pub fn all() -> &'static [ApiChange] {
    static ROWS: OnceLock<Vec<ApiChange>> = OnceLock::new();
    ROWS.get_or_init(|| parse_table(TABLE).unwrap_or_else(|e| panic!("{e}")))
}

/// The lifecycle entry for `api_version` + `kind`, or `None` when the pair has never been
/// deprecated (including every kind this table does not know, such as custom resources).
#[must_use]
pub fn lookup(api_version: &str, kind: &str) -> Option<&'static ApiChange> {
    // Asked twice for every object: hashed, where a binary search over the table compared
    // texts about seven times a lookup. The first row of a pair in file order wins.
    type ByPair =
        HashMap<(&'static str, &'static str), &'static ApiChange, BuildHasherDefault<Fnv>>;
    static BY_PAIR: OnceLock<ByPair> = OnceLock::new();
    let by_pair = BY_PAIR.get_or_init(|| {
        let mut map = ByPair::default();
        for row in all() {
            map.entry((row.kind, row.api_version)).or_insert(row);
        }
        map
    });
    by_pair.get(&(kind, api_version)).copied()
}

/// FNV-1a: a few instructions a byte for these short, trusted keys, where the default hasher
/// costs more than the rest of the lookup.
#[derive(Default)]
struct Fnv(u64);

impl Hasher for Fnv {
    fn write(&mut self, bytes: &[u8]) {
        let mut hash = if self.0 == 0 {
            0xcbf2_9ce4_8422_2325
        } else {
            self.0
        };
        for &b in bytes {
            hash = (hash ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
        self.0 = hash;
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

fn parse_table(text: &'static str) -> Result<Vec<ApiChange>, TableError> {
    let mut rows: Vec<ApiChange> = Vec::new();
    for (index, line) in text.lines().enumerate() {
        let line_no = index + 1;
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let err = |message: String| TableError {
            line: line_no,
            message,
        };
        let fields: Vec<&'static str> = line.split('\t').collect();
        let [api_version, kind, deprecated, removed, replacement] = fields[..] else {
            return Err(err(format!(
                "expected 5 tab-separated fields, found {}",
                fields.len()
            )));
        };
        if !api_version.contains('/') && api_version != "v1" {
            return Err(err(format!(
                "apiVersion {api_version:?} has no group/version form"
            )));
        }
        if kind.is_empty() || !kind.starts_with(|c: char| c.is_ascii_uppercase()) {
            return Err(err(format!(
                "kind {kind:?} must start with an upper-case letter"
            )));
        }
        let version = |field: &str, what: &str| -> Result<Option<KubeVersion>, TableError> {
            if field == "-" {
                return Ok(None);
            }
            KubeVersion::parse(field)
                .map(Some)
                .map_err(|e| err(format!("{what}: {e}")))
        };
        let deprecated_in = version(deprecated, "deprecated_in")?;
        let removed_in = version(removed, "removed_in")?;
        if let (Some(d), Some(r)) = (deprecated_in, removed_in) {
            if d >= r {
                return Err(err(format!("deprecated in {d} but removed in {r}")));
            }
        }
        if deprecated_in.is_none() && removed_in.is_none() {
            return Err(err(
                "a row must give deprecated_in, removed_in or both".to_owned()
            ));
        }
        if removed_in.is_some_and(|r| r > KubeVersion::NEWEST) {
            return Err(err(format!(
                "removed_in is newer than {}",
                KubeVersion::NEWEST
            )));
        }
        let replacement = if replacement == "-" { "" } else { replacement };
        if replacement == api_version {
            return Err(err(
                "replacement is the deprecated apiVersion itself".to_owned()
            ));
        }
        if rows
            .iter()
            .any(|row| row.api_version == api_version && row.kind == kind)
        {
            return Err(err(format!("duplicate row for {api_version} {kind}")));
        }
        rows.push(ApiChange {
            api_version,
            kind,
            deprecated_in,
            removed_in,
            replacement,
        });
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::{all, lookup, parse_table, KubeVersion, TABLE};

    fn v(minor: u32) -> KubeVersion {
        KubeVersion::new(1, minor)
    }

    #[test]
    fn every_row_parses() {
        let rows = parse_table(TABLE).unwrap_or_else(|e| panic!("{e}"));
        let data_lines = TABLE
            .lines()
            .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
            .count();
        assert_eq!(rows.len(), data_lines, "a data line was skipped");
        assert_eq!(all().len(), rows.len());
    }

    #[test]
    fn malformed_rows_are_reported_with_their_line() {
        let cases = [
            "apps/v1beta1\tDeployment\t1.9\t1.16",
            "apps/v1beta1\tDeployment\t1.9\t1.x\tapps/v1",
            "apps/v1beta1\tDeployment\t1.16\t1.9\tapps/v1",
            "apps/v1beta1\tdeployment\t1.9\t1.16\tapps/v1",
            "apps/v1beta1\tDeployment\t-\t-\tapps/v1",
            "apps/v1beta1\tDeployment\t1.9\t1.16\tapps/v1beta1",
        ];
        for case in cases {
            let text: &'static str = Box::leak(format!("# header\n{case}\n").into_boxed_str());
            let err = parse_table(text).expect_err(case);
            assert_eq!(err.line, 2, "{case}: {err}");
        }
        let dup: &'static str = "a/v1\tX\t1.1\t1.2\tb/v1\na/v1\tX\t1.1\t1.2\tb/v1\n";
        assert!(parse_table(dup).is_err());
    }

    #[test]
    fn lookup_finds_what_a_walk_of_the_table_finds() {
        let walk = |api: &str, kind: &str| {
            all()
                .iter()
                .find(|row| row.api_version == api && row.kind == kind)
        };
        for row in all() {
            let found = lookup(row.api_version, row.kind).expect("every row is found");
            assert!(std::ptr::eq(
                found,
                walk(row.api_version, row.kind).unwrap()
            ));
        }
        for (api, kind) in [
            ("apps/v1", "Deployment"),
            ("v1", "Pod"),
            ("x/v1", "Y"),
            ("", ""),
        ] {
            assert_eq!(
                lookup(api, kind).is_some(),
                walk(api, kind).is_some(),
                "{api} {kind}"
            );
        }
    }

    #[test]
    fn extensions_deployment_is_gone_from_1_16() {
        let row = lookup("extensions/v1beta1", "Deployment").expect("row");
        assert_eq!(row.removed_in, Some(v(16)));
        assert_eq!(row.replacement, "apps/v1");
        assert!(!row.is_removed_at(v(15)));
        assert!(row.is_deprecated_at(v(15)));
        assert!(row.is_removed_at(v(16)));
        assert!(!row.is_deprecated_at(v(16)));
        assert!(row.is_removed_at(KubeVersion::NEWEST));
    }

    #[test]
    fn batch_v1beta1_cronjob_is_deprecated_from_1_21_and_removed_at_1_25() {
        let row = lookup("batch/v1beta1", "CronJob").expect("row");
        assert!(!row.is_deprecated_at(v(20)));
        for minor in 21..=24 {
            assert!(row.is_deprecated_at(v(minor)), "1.{minor}");
            assert!(!row.is_removed_at(v(minor)), "1.{minor}");
        }
        assert!(row.is_removed_at(v(25)));
        assert!(!row.is_deprecated_at(v(25)));
        assert_eq!(row.replacement, "batch/v1");
    }

    #[test]
    fn current_and_unknown_pairs_have_no_entry() {
        assert_eq!(lookup("apps/v1", "Deployment"), None);
        assert_eq!(lookup("batch/v1", "CronJob"), None);
        assert_eq!(lookup("example.com/v1alpha1", "Widget"), None);
        // Lookup is by the exact pair: the kind must match too.
        assert_eq!(lookup("extensions/v1beta1", "Widget"), None);
    }

    #[test]
    fn removals_named_in_the_brief_and_the_guide() {
        let cases: &[(&str, &str, u32, &str)] = &[
            ("extensions/v1beta1", "DaemonSet", 16, "apps/v1"),
            ("extensions/v1beta1", "ReplicaSet", 16, "apps/v1"),
            (
                "extensions/v1beta1",
                "NetworkPolicy",
                16,
                "networking.k8s.io/v1",
            ),
            (
                "extensions/v1beta1",
                "PodSecurityPolicy",
                16,
                "policy/v1beta1",
            ),
            ("extensions/v1beta1", "Ingress", 22, "networking.k8s.io/v1"),
            ("apps/v1beta1", "StatefulSet", 16, "apps/v1"),
            ("apps/v1beta2", "DaemonSet", 16, "apps/v1"),
            ("policy/v1beta1", "PodSecurityPolicy", 25, ""),
            ("policy/v1beta1", "PodDisruptionBudget", 25, "policy/v1"),
            (
                "autoscaling/v2beta1",
                "HorizontalPodAutoscaler",
                25,
                "autoscaling/v2",
            ),
            (
                "autoscaling/v2beta2",
                "HorizontalPodAutoscaler",
                26,
                "autoscaling/v2",
            ),
            (
                "networking.k8s.io/v1beta1",
                "IngressClass",
                22,
                "networking.k8s.io/v1",
            ),
            (
                "rbac.authorization.k8s.io/v1beta1",
                "ClusterRoleBinding",
                22,
                "rbac.authorization.k8s.io/v1",
            ),
            (
                "admissionregistration.k8s.io/v1beta1",
                "ValidatingWebhookConfiguration",
                22,
                "admissionregistration.k8s.io/v1",
            ),
            (
                "apiextensions.k8s.io/v1beta1",
                "CustomResourceDefinition",
                22,
                "apiextensions.k8s.io/v1",
            ),
            (
                "apiregistration.k8s.io/v1beta1",
                "APIService",
                22,
                "apiregistration.k8s.io/v1",
            ),
            (
                "authentication.k8s.io/v1beta1",
                "TokenReview",
                22,
                "authentication.k8s.io/v1",
            ),
            (
                "authorization.k8s.io/v1beta1",
                "SubjectAccessReview",
                22,
                "authorization.k8s.io/v1",
            ),
            (
                "certificates.k8s.io/v1beta1",
                "CertificateSigningRequest",
                22,
                "certificates.k8s.io/v1",
            ),
            (
                "coordination.k8s.io/v1beta1",
                "Lease",
                22,
                "coordination.k8s.io/v1",
            ),
            (
                "scheduling.k8s.io/v1beta1",
                "PriorityClass",
                22,
                "scheduling.k8s.io/v1",
            ),
            (
                "storage.k8s.io/v1beta1",
                "VolumeAttachment",
                22,
                "storage.k8s.io/v1",
            ),
            (
                "storage.k8s.io/v1beta1",
                "CSIStorageCapacity",
                27,
                "storage.k8s.io/v1",
            ),
            (
                "discovery.k8s.io/v1beta1",
                "EndpointSlice",
                25,
                "discovery.k8s.io/v1",
            ),
            ("events.k8s.io/v1beta1", "Event", 25, "events.k8s.io/v1"),
            ("node.k8s.io/v1beta1", "RuntimeClass", 25, "node.k8s.io/v1"),
            (
                "flowcontrol.apiserver.k8s.io/v1beta1",
                "FlowSchema",
                26,
                "flowcontrol.apiserver.k8s.io/v1",
            ),
            (
                "flowcontrol.apiserver.k8s.io/v1beta2",
                "PriorityLevelConfiguration",
                29,
                "flowcontrol.apiserver.k8s.io/v1",
            ),
            (
                "flowcontrol.apiserver.k8s.io/v1beta3",
                "FlowSchema",
                32,
                "flowcontrol.apiserver.k8s.io/v1",
            ),
        ];
        for &(api_version, kind, removed, replacement) in cases {
            let row = lookup(api_version, kind).unwrap_or_else(|| panic!("{api_version} {kind}"));
            assert_eq!(row.removed_in, Some(v(removed)), "{api_version} {kind}");
            assert_eq!(row.replacement, replacement, "{api_version} {kind}");
        }
    }

    #[test]
    fn alpha_rows_are_never_in_a_deprecation_window() {
        let row = lookup("resource.k8s.io/v1alpha2", "ResourceClaim").expect("row");
        assert_eq!(row.deprecated_in, None);
        assert!(!row.is_deprecated_at(v(30)));
        assert!(row.is_removed_at(v(31)));
    }
}
