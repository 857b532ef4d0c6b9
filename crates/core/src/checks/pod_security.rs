//! Code-backed pod-security checks: the Pod Security Standards controls as
//! `k8s.io/pod-security-admission` evaluates them at the target policy version, plus the related
//! hostPath and identity hardening checks.

use std::borrow::Cow;

use crate::check::path::join_path;
use crate::check::rule::Literal;
use crate::checks::{CodeCtx, CodeEntry, Hit, Needs};
use crate::finding::Severity;
use crate::k8s::pss;
use crate::k8s::version::KubeVersion;
use crate::object::pod::{Container, ContainerField, PodSpec};
use crate::source::Span;
use crate::yaml::NodeRef;

pub(crate) const REGISTRY: &[CodeEntry] = &[
    ("host-port", host_port, Needs::Pod),
    ("host-path-sensitive", host_path_sensitive, Needs::Pod),
    (
        "container-runtime-socket",
        container_runtime_socket,
        Needs::Pod,
    ),
    ("host-path-writable", host_path_writable, Needs::Pod),
    ("capabilities-added", capabilities_added, Needs::Pod),
    ("capabilities-drop-all", capabilities_drop_all, Needs::Pod),
    ("privilege-escalation", privilege_escalation, Needs::Pod),
    ("run-as-non-root", run_as_non_root, Needs::Pod),
    ("run-as-user-zero", run_as_user_zero, Needs::Pod),
    ("seccomp-unconfined", seccomp_unconfined, Needs::Pod),
    ("seccomp-required", seccomp_required, Needs::Pod),
    ("apparmor-unconfined", apparmor_unconfined, Needs::Pod),
    ("selinux-options", selinux_options, Needs::Pod),
    ("proc-mount", proc_mount, Needs::Pod),
    ("sysctls-unsafe", sysctls_unsafe, Needs::Pod),
    ("windows-host-process", windows_host_process, Needs::Pod),
    ("probe-host-set", probe_host_set, Needs::Pod),
    ("volume-type-restricted", volume_type_restricted, Needs::Pod),
    ("root-group", root_group, Needs::Pod),
    ("high-uid-gid", high_uid_gid, Needs::Pod),
];

/// Every volume source Kubernetes knows. Unknown keys are dropped when the API server decodes
/// the pod, so only these can make a volume restricted.
const VOLUME_SOURCES: &[&str] = &[
    "hostPath",
    "emptyDir",
    "gcePersistentDisk",
    "awsElasticBlockStore",
    "gitRepo",
    "secret",
    "nfs",
    "iscsi",
    "glusterfs",
    "persistentVolumeClaim",
    "rbd",
    "flexVolume",
    "cinder",
    "cephfs",
    "flocker",
    "downwardAPI",
    "fc",
    "azureFile",
    "configMap",
    "vsphereVolume",
    "quobyte",
    "azureDisk",
    "photonPersistentDisk",
    "projected",
    "portworxVolume",
    "scaleIO",
    "storageos",
    "csi",
    "ephemeral",
    "image",
];

const SECCOMP_POD_ANNOTATION: &str = "seccomp.security.alpha.kubernetes.io/pod";
const SECCOMP_CONTAINER_ANNOTATION: &str = "container.seccomp.security.alpha.kubernetes.io/";
const APPARMOR_ANNOTATION: &str = "container.apparmor.security.beta.kubernetes.io/";

/// Everything a pod-spec check needs in one place. Field paths are spelled out only for
/// findings: twenty checks look at every pod.
struct Pod<'p, 'd> {
    spec: &'p PodSpec<'d>,
    /// The object's own path prefix (`items[2]` in a List), which the spec's path follows.
    object_path: &'p str,
    version: KubeVersion,
}

impl<'p, 'd> Pod<'p, 'd> {
    fn of(ctx: &CodeCtx<'p, 'd>) -> Option<Self> {
        // The object, not `ctx`, is borrowed: checks report through `ctx` while they hold this.
        let object: &'p crate::object::Object = ctx.object;
        Some(Self {
            spec: ctx.pod?,
            object_path: &object.base_path,
            version: ctx.version,
        })
    }

    fn path(&self) -> String {
        join_path(self.object_path, self.spec.path)
    }

    fn at(&self, rel: &str) -> String {
        join_path(&self.path(), rel)
    }

    fn cpath(&self, c: &Container<'_>, rel: &str) -> String {
        c.field_path(&self.path(), rel)
    }

    /// The pod-level security context, treating `{}` and `null` as absent.
    fn sc(&self) -> Option<NodeRef<'d>> {
        set(self.spec.security_context())
    }

    /// The pod's annotations (a template's own for workloads).
    fn annotations(&self) -> impl Iterator<Item = (NodeRef<'d>, NodeRef<'d>)> + 'd {
        self.spec
            .metadata
            .and_then(|m| m.get("annotations"))
            .filter(|a| a.is_map())
            .into_iter()
            .flat_map(NodeRef::entries)
    }

    /// `spec.hostUsers: false`: the pod runs in its own user namespace.
    fn user_namespace(&self) -> bool {
        self.spec.spec.get("hostUsers").and_then(NodeRef::as_bool) == Some(false)
    }

    /// Pods with `spec.os.name: windows` skip restricted's Linux-only controls.
    fn windows_exempt(&self) -> bool {
        self.version >= pss::WINDOWS_EXEMPTION_SINCE && self.spec.is_windows()
    }

    fn volumes(&self) -> impl Iterator<Item = (usize, NodeRef<'d>)> + 'd {
        self.spec
            .spec
            .get("volumes")
            .into_iter()
            .flat_map(NodeRef::items)
            .enumerate()
            .filter(|(_, v)| v.is_map())
    }
}

/// `node` unless it is null or an empty mapping/list (Kubernetes reads those as unset).
#[inline]
fn set(node: Option<NodeRef<'_>>) -> Option<NodeRef<'_>> {
    node.filter(|n| !n.is_empty_value())
}

/// A container's security context, treating `{}` as absent.
fn csc<'d>(c: &Container<'d>) -> Option<NodeRef<'d>> {
    set(c.security_context())
}

/// Inlined, so that the mark of `name`, written in the code at every call, is worked out when
/// compiling (see [`NodeRef::get`]).
#[inline(always)]
fn field<'d>(sc: Option<NodeRef<'d>>, name: &str) -> Option<NodeRef<'d>> {
    set(sc.and_then(|s| s.get(name)))
}

fn number_list(lit: Option<&Literal>) -> Vec<f64> {
    match lit {
        Some(Literal::List(items)) => items.iter().filter_map(as_f64).collect(),
        Some(Literal::Number(n)) => vec![*n],
        _ => Vec::new(),
    }
}

fn as_f64(lit: &Literal) -> Option<f64> {
    match lit {
        Literal::Number(n) => Some(*n),
        _ => None,
    }
}

fn hit(span: Span, message: String, path: String, c: Option<&Container<'_>>) -> Hit {
    let h = Hit::new(span, message).path(path);
    match c {
        Some(c) => h.container(c.name),
        None => h,
    }
}

fn host_port(ctx: &mut CodeCtx<'_, '_>) {
    let Some(pod) = Pod::of(ctx) else { return };
    let allowed = number_list(ctx.check.params.get("allowedHostPorts"));
    for c in ctx.containers() {
        for (i, port) in c.list(ContainerField::Ports).enumerate() {
            let Some(value) = port.get("hostPort") else {
                continue;
            };
            let Some(n) = value.as_i64() else { continue };
            #[expect(clippy::cast_precision_loss, reason = "port numbers are small")]
            let listed = allowed.iter().any(|a| (*a - n as f64).abs() < f64::EPSILON);
            if n != 0 && !listed {
                let message = format!("container `{}` binds host port {n}", c.name);
                let path = || pod.cpath(c, &format!("ports[{i}].hostPort"));
                ctx.report(hit(value.span(), message, path(), Some(c)));
            }
        }
    }
}

/// Every `hostPath` volume: (index, volume name, the `hostPath` key, the `hostPath` value).
fn host_path_volumes<'d>(pod: &Pod<'_, 'd>) -> Vec<(usize, &'d str, NodeRef<'d>, NodeRef<'d>)> {
    pod.volumes()
        .filter_map(|(i, v)| {
            let (key, value) = v.get_entry("hostPath")?;
            if value.is_null() {
                return None;
            }
            let name = v.get("name").and_then(NodeRef::as_str).unwrap_or("");
            Some((i, name, key, value))
        })
        .collect()
}

/// `path` with duplicate and trailing slashes and `.`/`..` steps resolved.
fn clean_path(path: &str) -> Cow<'_, str> {
    // Paths are nearly always written clean, and each pod with a hostPath volume compares it
    // with every sensitive directory: those are borrowed, not rebuilt.
    let is_clean = path == "/"
        || (path.starts_with('/')
            && !path.ends_with('/')
            && path[1..]
                .split('/')
                .all(|part| !matches!(part, "" | "." | "..")));
    if is_clean {
        return Cow::Borrowed(path);
    }
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            p => parts.push(p),
        }
    }
    Cow::Owned(format!("/{}", parts.join("/")))
}

/// `path` is `dir` or below it, for any `dir`.
#[cfg(test)]
fn at_or_under(path: &str, dir: &str) -> bool {
    at_or_under_clean(path, &clean_path(dir))
}

/// `path` is `dir` (written clean, see [`clean_path`]) or below it; `/` only matches
/// itself, or every path would.
fn at_or_under_clean(path: &str, dir: &str) -> bool {
    if dir == "/" {
        return path == "/";
    }
    path == dir || path.strip_prefix(dir).is_some_and(|r| r.starts_with('/'))
}

/// The cleaned `hostPath.path` of every hostPath volume with a path, with the value node.
fn host_paths<'d>(pod: &Pod<'_, 'd>) -> Vec<(usize, &'d str, Cow<'d, str>, NodeRef<'d>)> {
    host_path_volumes(pod)
        .into_iter()
        .filter_map(|(i, name, _, value)| {
            let node = value.get("path")?;
            let text = node.as_str()?;
            Some((i, name, clean_path(text), node))
        })
        .collect()
}

fn host_path_sensitive(ctx: &mut CodeCtx<'_, '_>) {
    let Some(pod) = Pod::of(ctx) else { return };
    let host_paths = host_paths(&pod);
    if host_paths.is_empty() {
        return;
    }
    // Each directory cleaned once, not once for every volume it is compared with.
    let sensitive: Vec<(&str, Cow<'_, str>)> = ctx
        .param_strings("sensitivePaths")
        .into_iter()
        .map(|dir| (dir, clean_path(dir)))
        .collect();
    for (i, name, path, node) in host_paths {
        if let Some((dir, clean)) = sensitive
            .iter()
            .find(|(_, clean)| at_or_under_clean(&path, clean))
        {
            let message = if *clean == path {
                format!("volume `{name}` mounts the node's `{path}`")
            } else {
                format!("volume `{name}` mounts `{path}`, inside the node's `{dir}`")
            };
            let at = pod.at(&format!("volumes[{i}].hostPath.path"));
            ctx.report(hit(node.span(), message, at, None));
        }
    }
}

/// `/var/run` is a symlink to `/run`, so each socket directory is named both ways. Written
/// clean (see [`clean_path`]).
const RUNTIME_SOCKET_DIRS: &[&str] = &[
    "/run/containerd",
    "/var/run/containerd",
    "/var/run/docker",
    "/run/docker",
];
const RUNTIME_SOCKETS: &[&str] = &["docker.sock", "containerd.sock", "crio.sock"];

fn container_runtime_socket(ctx: &mut CodeCtx<'_, '_>) {
    let Some(pod) = Pod::of(ctx) else { return };
    for (i, name, path, node) in host_paths(&pod) {
        let file = path.rsplit('/').next().unwrap_or("");
        let socket = RUNTIME_SOCKETS.contains(&file);
        if socket
            || RUNTIME_SOCKET_DIRS
                .iter()
                .any(|d| at_or_under_clean(&path, d))
        {
            let message = format!(
                "volume `{name}` mounts the container runtime's {} `{path}`, which gives control of every container on the node",
                if socket { "socket" } else { "directory" }
            );
            let at = pod.at(&format!("volumes[{i}].hostPath.path"));
            ctx.report(hit(node.span(), message, at, None));
        }
    }
}

fn host_path_writable(ctx: &mut CodeCtx<'_, '_>) {
    let Some(pod) = Pod::of(ctx) else { return };
    let names: Vec<&str> = host_path_volumes(&pod)
        .into_iter()
        .map(|(_, n, _, _)| n)
        .collect();
    for c in ctx.containers() {
        let mounts = c.list(ContainerField::VolumeMounts);
        for (i, mount) in mounts.enumerate() {
            let Some((k, v)) = mount.get_entry("name") else {
                continue;
            };
            let Some(name) = v.as_str() else { continue };
            if !names.contains(&name) {
                continue;
            }
            let read_only = mount.get("readOnly");
            if read_only.and_then(NodeRef::as_bool) == Some(true) {
                continue;
            }
            let span = match read_only {
                Some(ro) if !ro.is_null() => ro.span(),
                _ => Span::new(k.span().start, v.span().end),
            };
            let message = format!(
                "container `{}` mounts hostPath volume `{name}` writable",
                c.name
            );
            let path = || pod.cpath(c, &format!("volumeMounts[{i}]"));
            ctx.report(hit(span, message, path(), Some(c)));
        }
    }
}

/// The `capabilities.add` items of a container, with their index.
fn added_capabilities<'d>(c: &Container<'d>) -> Vec<(usize, NodeRef<'d>)> {
    let caps = field(csc(c), "capabilities");
    field(caps, "add")
        .into_iter()
        .flat_map(NodeRef::items)
        .enumerate()
        .collect()
}

fn capability_text(node: NodeRef<'_>) -> String {
    node.as_display().unwrap_or_default()
}

fn capabilities_added(ctx: &mut CodeCtx<'_, '_>) {
    let Some(pod) = Pod::of(ctx) else { return };
    for c in ctx.containers() {
        for (i, cap) in added_capabilities(c) {
            let name = capability_text(cap);
            if pss::BASELINE_CAPABILITIES.contains(&name.as_str()) {
                continue;
            }
            let worst = matches!(name.as_str(), "ALL" | "SYS_ADMIN" | "NET_ADMIN" | "NET_RAW");
            let message = if worst {
                format!(
                    "container `{}` adds capability `{name}`, one of the most dangerous",
                    c.name
                )
            } else {
                format!(
                    "container `{}` adds capability `{name}`, outside the baseline set",
                    c.name
                )
            };
            let path = || pod.cpath(c, &format!("securityContext.capabilities.add[{i}]"));
            ctx.report(hit(cap.span(), message, path(), Some(c)));
        }
    }
}

fn capabilities_drop_all(ctx: &mut CodeCtx<'_, '_>) {
    let Some(pod) = Pod::of(ctx) else { return };
    if pod.version < pss::CAPABILITIES_RESTRICTED_SINCE || pod.windows_exempt() {
        return;
    }
    for c in ctx.containers() {
        let caps = field(csc(c), "capabilities");
        let drop = field(caps, "drop");
        let drops_all = drop
            .into_iter()
            .flat_map(NodeRef::items)
            .any(|d| d.as_str() == Some(pss::RESTRICTED_DROP_CAPABILITY));
        if !drops_all {
            let span = drop.or(caps).map_or_else(|| c.anchor(), NodeRef::span);
            let message = format!("container `{}` does not drop `ALL` capabilities", c.name);
            let path = || pod.cpath(c, "securityContext.capabilities.drop");
            ctx.report(hit(span, message, path(), Some(c)));
        }
        for (i, cap) in added_capabilities(c) {
            let name = capability_text(cap);
            if name != pss::RESTRICTED_ADD_CAPABILITY {
                let message = format!(
                    "container `{}` adds capability `{name}`; only `NET_BIND_SERVICE` may be added",
                    c.name
                );
                let path = || pod.cpath(c, &format!("securityContext.capabilities.add[{i}]"));
                ctx.report(hit(cap.span(), message, path(), Some(c)));
            }
        }
    }
}

fn privilege_escalation(ctx: &mut CodeCtx<'_, '_>) {
    let Some(pod) = Pod::of(ctx) else { return };
    if pod.version < pss::ALLOW_PRIVILEGE_ESCALATION_SINCE || pod.windows_exempt() {
        return;
    }
    for c in ctx.containers() {
        let value = field(csc(c), "allowPrivilegeEscalation");
        let path = || pod.cpath(c, "securityContext.allowPrivilegeEscalation");
        match value.map(|v| (v, v.as_bool())) {
            Some((_, Some(false))) => {}
            Some((v, Some(true))) => {
                let message = format!("container `{}` allows privilege escalation", c.name);
                ctx.report(hit(v.span(), message, path(), Some(c)).severity(Severity::Error));
            }
            Some((v, None)) => {
                let message = format!(
                    "container `{}` sets `allowPrivilegeEscalation` to a non-boolean",
                    c.name
                );
                ctx.report(hit(v.span(), message, path(), Some(c)));
            }
            None => {
                let message = format!(
                    "container `{}` does not set `allowPrivilegeEscalation: false`",
                    c.name
                );
                ctx.report(hit(c.anchor(), message, path(), Some(c)));
            }
        }
    }
}

fn run_as_non_root(ctx: &mut CodeCtx<'_, '_>) {
    let Some(pod) = Pod::of(ctx) else { return };
    if pod.version >= pss::RUN_AS_NON_ROOT_USER_NAMESPACE_RELAXATION_SINCE && pod.user_namespace() {
        return;
    }
    let pod_value = field(pod.sc(), "runAsNonRoot");
    let pod_true = pod_value.and_then(NodeRef::as_bool) == Some(true);
    if let Some(v) = pod_value.filter(|_| !pod_true) {
        let message = "the pod sets `runAsNonRoot` to something other than `true`".to_string();
        ctx.report(hit(
            v.span(),
            message,
            pod.at("securityContext.runAsNonRoot"),
            None,
        ));
    }
    for c in ctx.containers() {
        let value = field(csc(c), "runAsNonRoot");
        let path = || pod.cpath(c, "securityContext.runAsNonRoot");
        match value {
            Some(v) if v.as_bool() == Some(true) => {}
            Some(v) => {
                let message = format!("container `{}` sets `runAsNonRoot: false`", c.name);
                ctx.report(hit(v.span(), message, path(), Some(c)));
            }
            None if pod_true || pod_value.is_some() => {}
            None => {
                let message = format!(
                    "container `{}` may run as root: neither it nor the pod sets `runAsNonRoot: true`",
                    c.name
                );
                ctx.report(hit(c.anchor(), message, path(), Some(c)));
            }
        }
    }
}

/// Explicit values of a pod and container security-context field: (span, value, path, container).
fn explicit_ints<'a, 'd>(
    pod: &Pod<'_, 'd>,
    containers: impl Iterator<Item = &'a Container<'d>>,
    name: &str,
) -> Vec<(NodeRef<'d>, i64, String, Option<&'a Container<'d>>)>
where
    'd: 'a,
{
    let mut out = Vec::new();
    if let Some(v) = field(pod.sc(), name) {
        if let Some(n) = v.as_i64() {
            out.push((v, n, pod.at(&format!("securityContext.{name}")), None));
        }
    }
    for c in containers {
        if let Some(v) = field(csc(c), name) {
            if let Some(n) = v.as_i64() {
                out.push((
                    v,
                    n,
                    pod.cpath(c, &format!("securityContext.{name}")),
                    Some(c),
                ));
            }
        }
    }
    out
}

fn who(c: Option<&Container<'_>>) -> String {
    c.map_or_else(
        || "the pod".to_string(),
        |c| format!("container `{}`", c.name),
    )
}

fn run_as_user_zero(ctx: &mut CodeCtx<'_, '_>) {
    let Some(pod) = Pod::of(ctx) else { return };
    if pod.version < pss::RUN_AS_USER_SINCE
        || (pod.version >= pss::RUN_AS_NON_ROOT_USER_NAMESPACE_RELAXATION_SINCE
            && pod.user_namespace())
    {
        return;
    }
    for (v, n, path, c) in explicit_ints(&pod, ctx.containers(), "runAsUser") {
        if n == 0 {
            let message = format!("{} runs as root (`runAsUser: 0`)", who(c));
            ctx.report(hit(v.span(), message, path, c));
        }
    }
}

/// `seccompProfile.type` of a security context, when the profile is set.
fn seccomp_type<'d>(sc: Option<NodeRef<'d>>) -> Option<(NodeRef<'d>, &'d str)> {
    let profile = field(sc, "seccompProfile")?;
    match profile.get("type") {
        Some(t) => Some((t, t.as_str().unwrap_or(""))),
        None => Some((profile, "")),
    }
}

fn seccomp_unconfined(ctx: &mut CodeCtx<'_, '_>) {
    let Some(pod) = Pod::of(ctx) else { return };
    if pod.version < pss::SECCOMP_PROFILE_RESTRICTED_SINCE {
        // Before 1.19 the profile lived in annotations, and only those count.
        let containers: Vec<_> = ctx.containers().collect();
        for (k, v) in pod.annotations() {
            let key = k.text().unwrap_or("");
            let target = if key == SECCOMP_POD_ANNOTATION {
                Some("the pod".to_string())
            } else {
                key.strip_prefix(SECCOMP_CONTAINER_ANNOTATION)
                    .filter(|n| containers.iter().any(|c| c.name == *n))
                    .map(|n| format!("container `{n}`"))
            };
            if let Some(target) = target {
                if v.as_str() == Some("unconfined") {
                    let message =
                        format!("{target} runs without a seccomp profile (annotation `{key}`)");
                    ctx.report(hit(
                        v.span(),
                        message,
                        format!("metadata.annotations.{key}"),
                        None,
                    ));
                }
            }
        }
        return;
    }
    if let Some((t, "Unconfined")) = seccomp_type(pod.sc()) {
        let message = "the pod's seccomp profile is `Unconfined`".to_string();
        ctx.report(hit(
            t.span(),
            message,
            pod.at("securityContext.seccompProfile.type"),
            None,
        ));
    }
    for c in ctx.containers() {
        if let Some((t, "Unconfined")) = seccomp_type(csc(c)) {
            let message = format!("container `{}` runs with seccomp `Unconfined`", c.name);
            let path = || pod.cpath(c, "securityContext.seccompProfile.type");
            ctx.report(hit(t.span(), message, path(), Some(c)));
        }
    }
}

fn seccomp_allowed(t: &str) -> bool {
    matches!(t, "RuntimeDefault" | "Localhost")
}

fn seccomp_required(ctx: &mut CodeCtx<'_, '_>) {
    let Some(pod) = Pod::of(ctx) else { return };
    if pod.version < pss::SECCOMP_PROFILE_RESTRICTED_SINCE || pod.windows_exempt() {
        return;
    }
    let pod_type = seccomp_type(pod.sc());
    if let Some((t, ty)) = pod_type.filter(|(_, ty)| !seccomp_allowed(ty)) {
        let message =
            format!("the pod's seccomp profile is `{ty}`, not `RuntimeDefault` or `Localhost`");
        ctx.report(hit(
            t.span(),
            message,
            pod.at("securityContext.seccompProfile.type"),
            None,
        ));
    }
    for c in ctx.containers() {
        let path = || pod.cpath(c, "securityContext.seccompProfile.type");
        match seccomp_type(csc(c)) {
            Some((_, ty)) if seccomp_allowed(ty) => {}
            Some((t, ty)) => {
                let message = format!(
                    "container `{}` has seccomp profile `{ty}`, not `RuntimeDefault` or `Localhost`",
                    c.name
                );
                ctx.report(hit(t.span(), message, path(), Some(c)));
            }
            None if pod_type.is_some() => {}
            None => {
                let message = format!(
                    "container `{}` has no seccomp profile: set `seccompProfile.type: RuntimeDefault` on it or the pod",
                    c.name
                );
                ctx.report(hit(c.anchor(), message, path(), Some(c)));
            }
        }
    }
}

/// An `appArmorProfile.type` other than `RuntimeDefault` or `Localhost`.
fn apparmor_bad_type(sc: Option<NodeRef<'_>>) -> Option<NodeRef<'_>> {
    let t = field(sc, "appArmorProfile")?.get("type")?;
    (t.as_str() != Some("RuntimeDefault") && t.as_str() != Some("Localhost")).then_some(t)
}

fn apparmor_unconfined(ctx: &mut CodeCtx<'_, '_>) {
    let Some(pod) = Pod::of(ctx) else { return };
    for (k, v) in pod.annotations() {
        let key = k.text().unwrap_or("");
        let Some(container) = key.strip_prefix(APPARMOR_ANNOTATION) else {
            continue;
        };
        let value = v.as_display().unwrap_or_default();
        if value.is_empty() || value == "runtime/default" || value.starts_with("localhost/") {
            continue;
        }
        let message = format!("container `{container}` has AppArmor profile `{value}`");
        ctx.report(hit(
            v.span(),
            message,
            format!("metadata.annotations.{key}"),
            None,
        ));
    }
    if let Some(t) = apparmor_bad_type(pod.sc()) {
        let message = format!(
            "the pod's AppArmor profile is `{}`",
            t.as_display().unwrap_or_default()
        );
        ctx.report(hit(
            t.span(),
            message,
            pod.at("securityContext.appArmorProfile.type"),
            None,
        ));
    }
    for c in ctx.containers() {
        if let Some(t) = apparmor_bad_type(csc(c)) {
            let message = format!(
                "container `{}` has AppArmor profile `{}`",
                c.name,
                t.as_display().unwrap_or_default()
            );
            let path = || pod.cpath(c, "securityContext.appArmorProfile.type");
            ctx.report(hit(t.span(), message, path(), Some(c)));
        }
    }
}

fn selinux_options(ctx: &mut CodeCtx<'_, '_>) {
    let Some(pod) = Pod::of(ctx) else { return };
    let allowed = pss::allowed_selinux_types(pod.version);
    let mut scopes: Vec<(Option<NodeRef<'_>>, Option<&Container<'_>>)> = vec![(pod.sc(), None)];
    scopes.extend(ctx.containers().map(|c| (csc(c), Some(c))));
    for (sc, c) in scopes {
        let Some(opts) = field(sc, "seLinuxOptions") else {
            continue;
        };
        let path = match &c {
            Some(c) => pod.cpath(c, "securityContext.seLinuxOptions"),
            None => pod.at("securityContext.seLinuxOptions"),
        };
        if let Some(t) = opts.get("type") {
            let ty = t.as_display().unwrap_or_default();
            if !t.is_null() && !allowed.contains(&ty.as_str()) {
                let message = format!("{} uses SELinux type `{ty}`", who(c));
                ctx.report(hit(t.span(), message, format!("{path}.type"), c));
            }
        }
        for key in ["user", "role"] {
            let Some(v) = opts.get(key) else { continue };
            let text = v.as_display().unwrap_or_default();
            if !v.is_null() && !text.is_empty() {
                let message = format!("{} sets SELinux {key} `{text}`", who(c));
                ctx.report(hit(v.span(), message, format!("{path}.{key}"), c));
            }
        }
    }
}

fn proc_mount(ctx: &mut CodeCtx<'_, '_>) {
    let Some(pod) = Pod::of(ctx) else { return };
    // Baseline lets a pod in its own user namespace unmask /proc; restricted (the param off)
    // does not.
    let relax = !matches!(
        ctx.check.params.get("allowUnmaskedInUserNamespace"),
        Some(Literal::Bool(false))
    ) && pod.version >= pss::PROC_MOUNT_USER_NAMESPACE_RELAXATION_SINCE
        && pod.user_namespace();
    if relax {
        return;
    }
    for c in ctx.containers() {
        let Some(v) = field(csc(c), "procMount") else {
            continue;
        };
        let text = v.as_display().unwrap_or_default();
        if text != "Default" {
            let message = format!("container `{}` uses procMount `{text}`", c.name);
            let path = || pod.cpath(c, "securityContext.procMount");
            ctx.report(hit(v.span(), message, path(), Some(c)));
        }
    }
}

fn sysctls_unsafe(ctx: &mut CodeCtx<'_, '_>) {
    let Some(pod) = Pod::of(ctx) else { return };
    let safe = pss::safe_sysctls(pod.version);
    let list = field(pod.sc(), "sysctls");
    for (i, item) in list.into_iter().flat_map(NodeRef::items).enumerate() {
        let Some(name) = item.get("name") else {
            continue;
        };
        let text = name.as_display().unwrap_or_default();
        if !safe.contains(&text.as_str()) {
            let message = format!(
                "sysctl `{text}` is not in the safe set for Kubernetes {}",
                pod.version
            );
            let path = pod.at(&format!("securityContext.sysctls[{i}].name"));
            ctx.report(hit(name.span(), message, path, None));
        }
    }
}

fn host_process(sc: Option<NodeRef<'_>>) -> Option<NodeRef<'_>> {
    let v = field(field(sc, "windowsOptions"), "hostProcess")?;
    (v.as_bool() == Some(true)).then_some(v)
}

fn windows_host_process(ctx: &mut CodeCtx<'_, '_>) {
    let Some(pod) = Pod::of(ctx) else { return };
    if let Some(v) = host_process(pod.sc()) {
        let message = "the pod runs as a Windows HostProcess".to_string();
        ctx.report(hit(
            v.span(),
            message,
            pod.at("securityContext.windowsOptions.hostProcess"),
            None,
        ));
    }
    for c in ctx.containers() {
        if let Some(v) = host_process(csc(c)) {
            let message = format!("container `{}` runs as a Windows HostProcess", c.name);
            let path = || pod.cpath(c, "securityContext.windowsOptions.hostProcess");
            ctx.report(hit(v.span(), message, path(), Some(c)));
        }
    }
}

fn probe_host_set(ctx: &mut CodeCtx<'_, '_>) {
    let Some(pod) = Pod::of(ctx) else { return };
    if pod.version < pss::PROBE_HOST_CONTROL_SINCE {
        return;
    }
    for c in ctx.containers() {
        let lifecycle = c.node.get("lifecycle");
        let handlers = [
            ("livenessProbe", c.get(ContainerField::LivenessProbe)),
            ("readinessProbe", c.get(ContainerField::ReadinessProbe)),
            ("startupProbe", c.get(ContainerField::StartupProbe)),
            (
                "lifecycle.postStart",
                lifecycle.and_then(|l| l.get("postStart")),
            ),
            (
                "lifecycle.preStop",
                lifecycle.and_then(|l| l.get("preStop")),
            ),
        ];
        for (name, handler) in handlers {
            let Some(handler) = handler else { continue };
            for action in ["httpGet", "tcpSocket"] {
                let Some(host) = handler.get(action).and_then(|a| a.get("host")) else {
                    continue;
                };
                let text = host.as_display().unwrap_or_default();
                if host.is_null() || text.is_empty() {
                    continue;
                }
                let message = format!(
                    "container `{}` sends its {name} `{action}` to host `{text}` instead of the pod",
                    c.name
                );
                let path = || pod.cpath(c, &format!("{name}.{action}.host"));
                ctx.report(hit(host.span(), message, path(), Some(c)));
            }
        }
    }
}

fn volume_type_restricted(ctx: &mut CodeCtx<'_, '_>) {
    let Some(pod) = Pod::of(ctx) else { return };
    let allowed = pss::restricted_volume_types(pod.version);
    for (i, volume) in pod.volumes() {
        let name = volume.get("name").and_then(NodeRef::as_str).unwrap_or("");
        for (k, v) in volume.entries() {
            let key = k.text().unwrap_or("");
            if v.is_null() || !VOLUME_SOURCES.contains(&key) || allowed.contains(&key) {
                continue;
            }
            let message =
                format!("volume `{name}` is of type `{key}`, which restricted pods may not use");
            ctx.report(hit(
                k.span(),
                message,
                pod.at(&format!("volumes[{i}].{key}")),
                None,
            ));
        }
    }
}

fn root_group(ctx: &mut CodeCtx<'_, '_>) {
    let Some(pod) = Pod::of(ctx) else { return };
    for (v, n, path, c) in explicit_ints(&pod, ctx.containers(), "runAsGroup") {
        if n == 0 {
            let message = format!("{} runs with the root group (`runAsGroup: 0`)", who(c));
            ctx.report(hit(v.span(), message, path, c));
        }
    }
    let sc = pod.sc();
    if let Some(v) = field(sc, "fsGroup").filter(|v| v.as_i64() == Some(0)) {
        let message = "the pod's volumes are owned by the root group (`fsGroup: 0`)".to_string();
        ctx.report(hit(
            v.span(),
            message,
            pod.at("securityContext.fsGroup"),
            None,
        ));
    }
    let groups = field(sc, "supplementalGroups");
    for (i, g) in groups.into_iter().flat_map(NodeRef::items).enumerate() {
        if g.as_i64() == Some(0) {
            let message = "the pod adds the root group to its supplemental groups".to_string();
            let path = pod.at(&format!("securityContext.supplementalGroups[{i}]"));
            ctx.report(hit(g.span(), message, path, None));
        }
    }
}

fn high_uid_gid(ctx: &mut CodeCtx<'_, '_>) {
    let Some(pod) = Pod::of(ctx) else { return };
    let minimum = ctx
        .check
        .params
        .get("minimum")
        .and_then(as_f64)
        .unwrap_or(10000.0);
    for name in ["runAsUser", "runAsGroup"] {
        for (v, n, path, c) in explicit_ints(&pod, ctx.containers(), name) {
            #[expect(clippy::cast_precision_loss, reason = "ids fit in f64")]
            let low = (n as f64) < minimum;
            if low {
                let message = format!(
                    "{} sets `{name}: {n}`, below {minimum}, where it may collide with a user of the node",
                    who(c)
                );
                ctx.report(hit(v.span(), message, path, c));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::engine::{run, RunSettings};
    use crate::source::SourceFile;

    /// How many findings check `id` gives on `text` at Kubernetes `1.minor`.
    fn count(id: &str, minor: u32, text: &str) -> usize {
        let check = crate::checks::builtin()
            .iter()
            .find(|c| &*c.id == id)
            .expect("known check");
        let mut settings = RunSettings::with_checks([check]);
        settings.kubernetes_version = KubeVersion::new(1, minor);
        run(vec![Arc::new(SourceFile::new("t.yaml", text))], &settings)
            .findings
            .len()
    }

    const WINDOWS: &str = "kind: Pod\napiVersion: v1\nmetadata: {name: w}\nspec:\n  os: {name: windows}\n  containers:\n    - name: app\n      image: app:1\n";

    #[test]
    fn windows_pods_are_exempt_from_linux_controls_from_1_25() {
        for id in [
            "privilege-escalation",
            "capabilities-drop-all",
            "seccomp-required",
        ] {
            assert_eq!(count(id, 24, WINDOWS), 1, "{id} at 1.24");
            assert_eq!(count(id, 25, WINDOWS), 0, "{id} at 1.25");
        }
    }

    #[test]
    fn restricted_controls_start_at_their_policy_versions() {
        let bare = WINDOWS.replace("  os: {name: windows}\n", "");
        assert_eq!(count("privilege-escalation", 7, &bare), 0);
        assert_eq!(count("privilege-escalation", 8, &bare), 1);
        assert_eq!(count("capabilities-drop-all", 21, &bare), 0);
        assert_eq!(count("capabilities-drop-all", 22, &bare), 1);
        assert_eq!(count("seccomp-required", 18, &bare), 0);
        assert_eq!(count("seccomp-required", 19, &bare), 1);
        let root = bare.replace(
            "  containers:",
            "  securityContext: {runAsUser: 0}\n  containers:",
        );
        assert_eq!(count("run-as-user-zero", 22, &root), 0);
        assert_eq!(count("run-as-user-zero", 23, &root), 1);
    }

    #[test]
    fn user_namespaces_relax_run_as_checks_from_1_35() {
        let pod = "kind: Pod\napiVersion: v1\nmetadata: {name: u}\nspec:\n  hostUsers: false\n  securityContext: {runAsUser: 0}\n  containers:\n    - name: app\n      image: app:1\n";
        for id in ["run-as-non-root", "run-as-user-zero"] {
            assert_eq!(count(id, 34, pod), 1, "{id} at 1.34");
            assert_eq!(count(id, 35, pod), 0, "{id} at 1.35");
        }
    }

    #[test]
    fn selinux_container_engine_t_is_allowed_from_1_31() {
        let pod = "kind: Pod\napiVersion: v1\nmetadata: {name: s}\nspec:\n  securityContext:\n    seLinuxOptions: {type: container_engine_t}\n  containers:\n    - name: app\n      image: app:1\n";
        assert_eq!(count("selinux-options", 30, pod), 1);
        assert_eq!(count("selinux-options", 31, pod), 0);
    }

    #[test]
    fn seccomp_annotations_count_only_before_1_19() {
        let pod = "kind: Pod\napiVersion: v1\nmetadata:\n  name: s\n  annotations:\n    container.seccomp.security.alpha.kubernetes.io/app: unconfined\n    container.seccomp.security.alpha.kubernetes.io/gone: unconfined\nspec:\n  containers:\n    - name: app\n      image: app:1\n";
        assert_eq!(count("seccomp-unconfined", 18, pod), 1);
        assert_eq!(count("seccomp-unconfined", 19, pod), 0);
    }

    #[test]
    fn probe_host_counts_from_1_34() {
        let pod = "kind: Pod\napiVersion: v1\nmetadata: {name: p}\nspec:\n  containers:\n    - name: app\n      image: app:1\n      livenessProbe:\n        tcpSocket: {host: 8.8.8.8, port: 80}\n";
        assert_eq!(count("probe-host-set", 33, pod), 0);
        assert_eq!(count("probe-host-set", 34, pod), 1);
    }

    #[test]
    fn paths_are_cleaned_and_compared_by_component() {
        assert_eq!(
            clean_path("/var//run/./docker.sock/"),
            "/var/run/docker.sock"
        );
        assert_eq!(clean_path("/etc/../"), "/");
        for dir in RUNTIME_SOCKET_DIRS {
            assert_eq!(clean_path(dir), *dir);
        }
        assert!(at_or_under("/etc/kubernetes", "/etc"));
        assert!(!at_or_under("/etcd/data", "/etc"));
        assert!(at_or_under("/", "/"));
        assert!(!at_or_under("/data", "/"));
    }
}
