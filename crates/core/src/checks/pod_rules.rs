//! Code-backed checks over labels, selectors, ports, volumes, env, quantities, API versions,
//! image references and probes: the ones that compare two parts of an object or need a parser.

use smallvec::SmallVec;

use crate::check::path::join_path;
use crate::checks::code::parse_image;
use crate::checks::{CodeCtx, CodeEntry, Hit, Needs};
use crate::k8s::quantity::{self, Quantity};
use crate::k8s::{api_versions, names};
use crate::object::pod::{Container, ContainerField};
use crate::small_set::SmallSet;
use crate::yaml::{NodeRef, Scalar};

pub(crate) const REGISTRY: &[CodeEntry] = &[
    ("label-value-invalid", label_value_invalid, Needs::Object),
    ("port-name-invalid", port_name_invalid, Needs::Object),
    ("volume-mount-unknown", volume_mount_unknown, Needs::Pod),
    ("env-duplicate", env_duplicate, Needs::Pod),
    (
        "workload-selector-mismatch",
        workload_selector_mismatch,
        Needs::Object,
    ),
    (
        "resource-quantity-invalid",
        resource_quantity_invalid,
        Needs::Pod,
    ),
    ("request-exceeds-limit", request_exceeds_limit, Needs::Pod),
    ("api-deprecated", api_deprecated, Needs::Object),
    ("api-removed", api_removed, Needs::Object),
    ("image-registry-allowed", image_registry_allowed, Needs::Pod),
    ("image-pull-policy", image_pull_policy, Needs::Pod),
    ("requests-equal-limits", requests_equal_limits, Needs::Pod),
    ("probes-identical", probes_identical, Needs::Pod),
    ("probe-port-unexposed", probe_port_unexposed, Needs::Pod),
];

fn label_value_invalid(ctx: &mut CodeCtx<'_, '_>) {
    // (labels, whether they are a pod template's); paths are spelled out only for findings.
    let own = ctx.root.get("metadata").and_then(|m| m.get("labels"));
    // A Pod's own metadata is the object's, already covered by `own`.
    let template = ctx
        .pod
        .filter(|_| ctx.object.kind() != "Pod")
        .and_then(|pod| pod.metadata?.get("labels"));
    let sets = [(own, false), (template, true)]
        .into_iter()
        .filter_map(|(labels, template)| Some((labels?, template)));
    let labels_path = |ctx: &CodeCtx<'_, '_>, template: bool, key: &str| {
        let base = if template {
            let spec = ctx.pod_path();
            let meta = spec.strip_suffix("spec").unwrap_or(&spec);
            format!("{meta}metadata.labels")
        } else {
            join_path(&ctx.object.base_path, "metadata.labels")
        };
        format!("{base}[\"{key}\"]")
    };
    for (labels, template) in sets {
        let what = if template { "pod template " } else { "" };
        for (key, value) in labels.entries() {
            let k = key.text().unwrap_or_default();
            if let Err(why) = names::validate_label_key(k) {
                ctx.report(
                    Hit::new(
                        key.span(),
                        format!("{what}label key `{k}` is invalid: {why}"),
                    )
                    .path(labels_path(ctx, template, k)),
                );
            }
            if value.is_map() || value.is_seq() {
                continue;
            }
            let v = match value.scalar() {
                None | Some(Scalar::Null) => std::borrow::Cow::Borrowed(""),
                Some(s) => s.display(),
            };
            if let Err(why) = names::validate_label_value(&v) {
                ctx.report(
                    Hit::new(
                        value.span(),
                        format!("{what}label `{k}` has an invalid value: {why}"),
                    )
                    .path(labels_path(ctx, template, k)),
                );
            }
        }
    }
}

fn port_name_invalid(ctx: &mut CodeCtx<'_, '_>) {
    if ctx.pod.is_some() {
        for c in ctx.containers() {
            let mut seen: SmallSet<std::borrow::Cow<'_, str>> = SmallSet::default();
            for (i, port) in c.list(ContainerField::Ports).enumerate() {
                let Some(name_node) = port.get("name") else {
                    continue;
                };
                let Some(name) = name_node.present_text() else {
                    continue;
                };
                let path =
                    |ctx: &CodeCtx<'_, '_>| ctx.container_path(c, &format!("ports[{i}].name"));
                if let Err(why) = names::validate_port_name(&name) {
                    ctx.report(
                        Hit::new(
                            name_node.span(),
                            format!(
                                "container `{}`: port name `{name}` is invalid: {why}",
                                c.name
                            ),
                        )
                        .path(path(ctx))
                        .container(c.name),
                    );
                }
                if !seen.insert(name.clone()) {
                    ctx.report(
                        Hit::new(
                            name_node.span(),
                            format!(
                                "container `{}` declares the port name `{name}` twice",
                                c.name
                            ),
                        )
                        .path(path(ctx))
                        .container(c.name),
                    );
                }
            }
        }
    }
    if ctx.object.kind() == "Service" {
        let ports = ctx.root.get("spec").and_then(|s| s.get("ports"));
        for (i, port) in ports.into_iter().flat_map(NodeRef::items).enumerate() {
            let Some(target) = port.get("targetPort") else {
                continue;
            };
            // An IntOrString: only a string is a port name; a number is a port number.
            let Some(name) = target.as_str() else {
                continue;
            };
            if let Err(why) = names::validate_port_name(name) {
                ctx.report(
                    Hit::new(
                        target.span(),
                        format!("Service port {i}: targetPort name `{name}` is invalid: {why}"),
                    )
                    .path(join_path(
                        &ctx.object.base_path,
                        &format!("spec.ports[{i}].targetPort"),
                    )),
                );
            }
        }
    }
}

fn volume_mount_unknown(ctx: &mut CodeCtx<'_, '_>) {
    let Some(pod) = ctx.pod else { return };
    let volumes: SmallSet<std::borrow::Cow<'_, str>> = pod
        .spec
        .get("volumes")
        .into_iter()
        .flat_map(NodeRef::items)
        .filter_map(|v| v.get("name").and_then(NodeRef::display_text))
        .collect();
    for c in ctx.containers() {
        let mut paths: SmallSet<std::borrow::Cow<'_, str>> = SmallSet::default();
        let mounts = c.get(ContainerField::VolumeMounts);
        for (i, mount) in mounts.into_iter().flat_map(NodeRef::items).enumerate() {
            if let Some(name_node) = mount.get("name") {
                if let Some(name) = name_node.present_text() {
                    if !volumes.contains(&name) {
                        ctx.report(
                            ctx.container_hit(c, name_node.span(), &format!("volumeMounts[{i}].name"), format!(
                                    "container `{}` mounts volume `{name}`, which is not in the pod's volumes",
                                    c.name
                                )),
                        );
                    }
                }
            }
            if let Some(path_node) = mount.get("mountPath") {
                if let Some(p) = path_node.present_text() {
                    if !paths.insert(p.clone()) {
                        ctx.report(ctx.container_hit(
                            c,
                            path_node.span(),
                            &format!("volumeMounts[{i}].mountPath"),
                            format!("container `{}` mounts two volumes at `{p}`", c.name),
                        ));
                    }
                }
            }
        }
    }
}

fn env_duplicate(ctx: &mut CodeCtx<'_, '_>) {
    if ctx.pod.is_none() {
        return;
    }
    for c in ctx.containers() {
        let mut seen: SmallSet<std::borrow::Cow<'_, str>> = SmallSet::default();
        for (i, env) in c.list(ContainerField::Env).enumerate() {
            let Some(name_node) = env.get("name") else {
                continue;
            };
            let Some(name) = name_node.present_text() else {
                continue;
            };
            if !seen.insert(name.clone()) {
                ctx.report(
                    ctx.container_hit(c, name_node.span(), &format!("env[{i}].name"), format!(
                            "container `{}` sets env var `{name}` more than once; only the last value takes effect",
                            c.name
                        )),
                );
            }
        }
    }
}

const SELECTOR_KINDS: &[&str] = &["Deployment", "ReplicaSet", "StatefulSet", "DaemonSet"];

fn workload_selector_mismatch(ctx: &mut CodeCtx<'_, '_>) {
    if !SELECTOR_KINDS.contains(&ctx.object.kind()) {
        return;
    }
    let Some(spec) = ctx.root.get("spec") else {
        return;
    };
    let Some((sel_key, selector)) = spec.get_entry("selector") else {
        return;
    };
    // Spelled out only for a finding; the template's labels are looked up where the selector
    // names them, not gathered for every workload.
    let base = || join_path(&ctx.object.base_path, "spec.selector");
    let template_labels = spec
        .get("template")
        .and_then(|t| t.get("metadata"))
        .and_then(|m| m.get("labels"));
    let label = |key: &str| template_labels.and_then(|l| l.get(key)?.as_display());
    let match_labels = selector.get_entry("matchLabels");
    let exprs = selector.get_entry("matchExpressions");
    let empty_labels = match_labels.is_none_or(|(_, m)| m.is_empty_value());
    let empty_exprs = exprs.is_none_or(|(_, e)| e.is_empty_value());
    if empty_labels && empty_exprs {
        let what = if selector.is_empty_value() || match_labels.is_some() || exprs.is_some() {
            "an empty selector"
        } else {
            "a selector without `matchLabels` or `matchExpressions`"
        };
        ctx.report(
            Hit::new(
                sel_key.span(),
                format!(
                    "{} `{}` has {what}, which the API rejects",
                    ctx.object.kind(),
                    ctx.object.id.name
                ),
            )
            .path(base()),
        );
        return;
    }
    if let Some((_, m)) = match_labels {
        for (k, v) in m.entries() {
            let key = k.text().unwrap_or_default();
            let want = v.as_display().unwrap_or_default();
            let problem = match label(key) {
                None => format!("selector requires label `{key}={want}`, but the pod template has no label `{key}`"),
                Some(have) if have != want => format!(
                    "selector requires label `{key}={want}`, but the pod template has `{key}={have}`"
                ),
                Some(_) => continue,
            };
            let path = format!("{}.matchLabels[\"{key}\"]", base());
            ctx.report(Hit::new(k.span(), problem).path(path));
        }
    }
    if let Some((_, list)) = exprs {
        for (i, e) in list.items().enumerate() {
            let key = e
                .get("key")
                .and_then(NodeRef::as_display)
                .unwrap_or_default();
            let op = e
                .get("operator")
                .and_then(NodeRef::as_display)
                .unwrap_or_default();
            let values: Vec<String> = e
                .get("values")
                .into_iter()
                .flat_map(NodeRef::items)
                .filter_map(NodeRef::as_display)
                .collect();
            let have = label(&key);
            let ok = match op.as_str() {
                "In" => have.as_ref().is_some_and(|h| values.contains(h)),
                "NotIn" => have.as_ref().is_none_or(|h| !values.contains(h)),
                "Exists" => have.is_some(),
                "DoesNotExist" => have.is_none(),
                // An unknown operator is an API error of its own, not a mismatch.
                _ => true,
            };
            if !ok {
                let shown =
                    have.map_or_else(|| format!("no label `{key}`"), |h| format!("`{key}={h}`"));
                let anchor = e.get_entry("key").map_or(e.span(), |(k, _)| k.span());
                ctx.report(
                    Hit::new(
                        anchor,
                        format!(
                            "selector expression `{key} {op}{}` does not match the pod template, which has {shown}",
                            if values.is_empty() {
                                String::new()
                            } else {
                                format!(" [{}]", values.join(", "))
                            }
                        ),
                    )
                    .path(format!("{}.matchExpressions[{i}]", base())),
                );
            }
        }
    }
}

/// Parses a quantity the way the API server reads it from JSON: numbers are quantities too.
fn quantity_of(node: NodeRef<'_>) -> Option<Result<Quantity, String>> {
    match node.scalar()? {
        Scalar::Null => None,
        Scalar::Str(s) => Some(quantity::parse_remembered(s).map_err(|e| e.to_string())),
        Scalar::Int(i) => Some(quantity::parse(&i.to_string()).map_err(|e| e.to_string())),
        Scalar::Float(f) if f.is_finite() => Some(
            quantity::parse(&node.text().unwrap_or_default().replace('_', ""))
                .or_else(|_| quantity::parse(&format!("{f}")).map_err(|e| e.to_string())),
        ),
        Scalar::Float(_) | Scalar::Bool(_) => Some(Err("it is not a number".to_string())),
    }
}

/// Why `node` is not a quantity (see [`quantity_of`]), without working out its value.
fn quantity_problem(node: NodeRef<'_>) -> Option<String> {
    match node.scalar()? {
        Scalar::Str(s) => quantity::check_remembered(s).err().map(|e| e.to_string()),
        _ => quantity_of(node)?.err(),
    }
}

/// A `resources` block: a container's, or the pod's own (`container` is `None`).
struct ResourceBlock<'a, 'd> {
    node: NodeRef<'d>,
    container: Option<&'a Container<'d>>,
}

impl<'d> ResourceBlock<'_, 'd> {
    fn owner(&self) -> Option<&'d str> {
        self.container.map(|c| c.name)
    }

    /// Spelled out only for a finding: every object has these blocks, few have findings.
    fn path(&self, ctx: &CodeCtx<'_, '_>) -> String {
        match &self.container {
            Some(c) => ctx.container_path(c, "resources"),
            None => join_path(&ctx.pod_path(), "resources"),
        }
    }
}

/// The `resources` block of each container and of the pod itself.
/// Inline for a pod's usual few: three resource checks list the blocks of every pod.
fn resource_blocks<'a, 'd>(ctx: &CodeCtx<'a, 'd>) -> SmallVec<[ResourceBlock<'a, 'd>; 4]> {
    let Some(pod) = ctx.pod else {
        return SmallVec::new();
    };
    let mut out = SmallVec::new();
    if let Some(node) = pod.spec.get("resources") {
        out.push(ResourceBlock {
            node,
            container: None,
        });
    }
    for c in ctx.containers() {
        if let Some(node) = c.get(ContainerField::Resources) {
            out.push(ResourceBlock {
                node,
                container: Some(c),
            });
        }
    }
    out
}

/// `resources.limits.cpu`, or `resources.limits["nvidia.com/gpu"]` for qualified names.
fn resource_path(path: &str, section: &str, name: &str) -> String {
    if name.contains(['.', '/']) {
        format!("{path}.{section}[\"{name}\"]")
    } else {
        format!("{path}.{section}.{name}")
    }
}

fn owner(container: Option<&str>) -> String {
    container.map_or_else(|| "the pod".to_string(), |c| format!("container `{c}`"))
}

fn resource_quantity_invalid(ctx: &mut CodeCtx<'_, '_>) {
    for block in resource_blocks(ctx) {
        let (res, container) = (block.node, block.owner());
        for section in ["requests", "limits"] {
            let Some(map) = res.get(section) else {
                continue;
            };
            for (k, v) in map.entries() {
                let name = k.text().unwrap_or_default();
                let problem = if v.is_map() || v.is_seq() {
                    Some(format!(
                        "{section}.{name} is a {}, not a quantity",
                        if v.is_map() { "mapping" } else { "list" }
                    ))
                } else {
                    quantity_problem(v).map(|why| {
                        let raw = v.text().unwrap_or_default();
                        format!("{section}.{name} `{raw}` is not a valid quantity: {why}")
                    })
                };
                if let Some(problem) = problem {
                    let mut hit = Hit::new(v.span(), format!("{}: {problem}", owner(container)))
                        .path(resource_path(&block.path(ctx), section, name));
                    hit.container = container.map(str::to_string);
                    ctx.report(hit);
                }
            }
        }
    }
}

const COMPARED: &[&str] = &["cpu", "memory", "ephemeral-storage"];

/// A parsed value and where it is written.
type Parsed<'d> = (NodeRef<'d>, Quantity);

/// A resource's request and limit, when both are written and valid: the sections are looked
/// up once per block, and quantities parsed only in pairs.
fn request_and_limit<'d>(
    requests: NodeRef<'d>,
    limits: NodeRef<'d>,
    name: &str,
) -> Option<(Parsed<'d>, Parsed<'d>)> {
    let (rn, ln) = (requests.get(name)?, limits.get(name)?);
    let rq = quantity_of(rn)?.ok()?;
    let lq = quantity_of(ln)?.ok()?;
    Some(((rn, rq), (ln, lq)))
}

fn request_exceeds_limit(ctx: &mut CodeCtx<'_, '_>) {
    for block in resource_blocks(ctx) {
        let (res, container) = (block.node, block.owner());
        let (Some(requests), Some(limits)) = (res.get("requests"), res.get("limits")) else {
            continue;
        };
        for name in COMPARED {
            let Some(((rn, rq), (ln, lq))) = request_and_limit(requests, limits, name) else {
                continue;
            };
            if rq > lq {
                let mut hit = Hit::new(
                    rn.span(),
                    format!(
                        "{}: {name} request `{}` exceeds its limit `{}`",
                        owner(container),
                        rn.as_display().unwrap_or_default(),
                        ln.as_display().unwrap_or_default()
                    ),
                )
                .path(resource_path(&block.path(ctx), "requests", name));
                hit.container = container.map(str::to_string);
                ctx.report(hit);
            }
        }
    }
}

fn requests_equal_limits(ctx: &mut CodeCtx<'_, '_>) {
    for block in resource_blocks(ctx) {
        let (res, container) = (block.node, block.owner());
        let (Some(requests), Some(limits)) = (res.get("requests"), res.get("limits")) else {
            continue;
        };
        for name in ["cpu", "memory"] {
            let Some(((rn, rq), (ln, lq))) = request_and_limit(requests, limits, name) else {
                continue;
            };
            if rq != lq {
                let mut hit = Hit::new(
                    rn.span(),
                    format!(
                        "{}: {name} request `{}` differs from its limit `{}`, so the pod is not Guaranteed QoS",
                        owner(container),
                        rn.as_display().unwrap_or_default(),
                        ln.as_display().unwrap_or_default()
                    ),
                )
                .path(resource_path(&block.path(ctx), "requests", name));
                hit.container = container.map(str::to_string);
                ctx.report(hit);
            }
        }
    }
}

fn api_lifecycle(ctx: &mut CodeCtx<'_, '_>, removed: bool) {
    let api = &*ctx.object.id.api_version;
    let kind = ctx.object.kind();
    let Some(change) = api_versions::lookup(api, kind) else {
        return;
    };
    let Some(node) = ctx.root.get("apiVersion") else {
        return;
    };
    let instead = if change.replacement.is_empty() {
        "nothing replaces it".to_string()
    } else {
        format!("use `{}`", change.replacement)
    };
    let message = if removed {
        if !change.is_removed_at(ctx.version) {
            return;
        }
        let at = change.removed_in.map(|v| v.to_string()).unwrap_or_default();
        format!(
            "`{api}` {kind} was removed in Kubernetes {at} (target {}); {instead}",
            ctx.version
        )
    } else {
        if !change.is_deprecated_at(ctx.version) {
            return;
        }
        let at = change
            .deprecated_in
            .map(|v| v.to_string())
            .unwrap_or_default();
        let until = change.removed_in.map_or_else(
            || "not yet scheduled for removal".to_string(),
            |v| format!("removed in {v}"),
        );
        format!("`{api}` {kind} is deprecated since Kubernetes {at} ({until}); {instead}")
    };
    ctx.report(Hit::new(node.span(), message).path(join_path(&ctx.object.base_path, "apiVersion")));
}

fn api_deprecated(ctx: &mut CodeCtx<'_, '_>) {
    api_lifecycle(ctx, false);
}

fn api_removed(ctx: &mut CodeCtx<'_, '_>) {
    api_lifecycle(ctx, true);
}

/// The repository of an image as the container runtime resolves it: bare names live on
/// Docker Hub, and official images under `library/`.
#[must_use]
pub fn normalize_repository(name: &str) -> String {
    let (first, rest) = match name.split_once('/') {
        Some((f, r)) => (f, Some(r)),
        None => (name, None),
    };
    let is_host = rest.is_some() && (first.contains(['.', ':']) || first == "localhost");
    match rest {
        Some(rest) if is_host => {
            let host = if first == "index.docker.io" {
                "docker.io"
            } else {
                first
            };
            format!("{host}/{rest}")
        }
        Some(_) => format!("docker.io/{name}"),
        None => format!("docker.io/library/{name}"),
    }
}

/// `*` matches any run of characters; a pattern without `*` also matches everything under it
/// as a path prefix (`ghcr.io/acme` allows `ghcr.io/acme/app`).
#[must_use]
pub fn registry_glob_matches(pattern: &str, repo: &str) -> bool {
    let pattern = pattern.trim_end_matches('/');
    if !pattern.contains('*') {
        return repo == pattern
            || repo
                .strip_prefix(pattern)
                .is_some_and(|r| r.starts_with('/'));
    }
    glob(pattern.as_bytes(), repo.as_bytes())
}

fn glob(p: &[u8], s: &[u8]) -> bool {
    // Iterative wildcard match with single-star backtracking: linear in practice.
    let (mut pi, mut si) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while si < s.len() {
        if pi < p.len() && p[pi] == b'*' {
            star = Some((pi, si));
            pi += 1;
        } else if pi < p.len() && p[pi] == s[si] {
            pi += 1;
            si += 1;
        } else if let Some((sp, ss)) = star {
            pi = sp + 1;
            si = ss + 1;
            star = Some((sp, ss + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&b| b == b'*')
}

fn image_registry_allowed(ctx: &mut CodeCtx<'_, '_>) {
    if ctx.pod.is_none() {
        return;
    }
    let allowed: Vec<String> = ctx
        .param_strings("allowedRegistries")
        .into_iter()
        .map(str::to_string)
        .collect();
    if allowed.is_empty() {
        return;
    }
    for c in ctx.containers() {
        let Some(node) = c.get(ContainerField::Image) else {
            continue;
        };
        let Some(image) = node.as_str() else { continue };
        let repo = normalize_repository(parse_image(image).name);
        if !allowed.iter().any(|p| registry_glob_matches(p, &repo)) {
            ctx.report(ctx.container_hit(
                c,
                node.span(),
                "image",
                format!(
                    "container `{}` uses `{repo}`, which is outside the allowed registries",
                    c.name
                ),
            ));
        }
    }
}

fn image_pull_policy(ctx: &mut CodeCtx<'_, '_>) {
    if ctx.pod.is_none() {
        return;
    }
    for c in ctx.containers() {
        let Some(image) = c.get(ContainerField::Image).and_then(NodeRef::as_str) else {
            continue;
        };
        let parsed = parse_image(image);
        if parsed.digest.is_some() {
            continue;
        }
        let policy = c.node.get_entry("imagePullPolicy");
        let explicit = policy
            .and_then(|(_, v)| v.as_str())
            .filter(|s| !s.is_empty());
        // Kubernetes defaults to Always only for `latest` and untagged images.
        let effective = explicit.unwrap_or(match parsed.tag {
            None | Some("latest") => "Always",
            Some(_) => "IfNotPresent",
        });
        if effective == "Always" {
            continue;
        }
        let (span, shown) = match policy {
            Some((_, v)) if explicit.is_some() => (v.span(), format!("`{effective}`")),
            _ => (c.anchor(), format!("defaulted to `{effective}`")),
        };
        ctx.report(ctx.container_hit(
            c,
            span,
            "imagePullPolicy",
            format!(
                "container `{}` pulls the mutable image `{image}` with imagePullPolicy {shown}",
                c.name
            ),
        ));
    }
}

/// A scalar as the API server's JSON decoding sees it: integral floats are integers.
#[derive(Clone, Copy, Debug, PartialEq)]
enum JsonScalar<'a> {
    Null,
    Bool(bool),
    Int(i128),
    Float(f64),
    Str(&'a str),
}

fn json_scalar(node: NodeRef<'_>) -> JsonScalar<'_> {
    match node.scalar() {
        None | Some(Scalar::Null) => JsonScalar::Null,
        Some(Scalar::Bool(b)) => JsonScalar::Bool(b),
        Some(Scalar::Int(i)) => JsonScalar::Int(i),
        #[expect(clippy::cast_possible_truncation, reason = "integral and in range")]
        Some(Scalar::Float(f)) if f.fract() == 0.0 && f.abs() < 9.0e15 => {
            JsonScalar::Int(f as i128)
        }
        Some(Scalar::Float(f)) => JsonScalar::Float(f),
        Some(Scalar::Str(s)) => JsonScalar::Str(s),
    }
}

/// What the API server fills in for fields a probe (or one of its handlers) leaves out, so
/// that written-out defaults compare equal to omitted ones.
type Defaults = &'static [(&'static str, JsonScalar<'static>)];

const PROBE_DEFAULTS: Defaults = &[
    ("timeoutSeconds", JsonScalar::Int(1)),
    ("periodSeconds", JsonScalar::Int(10)),
    ("successThreshold", JsonScalar::Int(1)),
    ("failureThreshold", JsonScalar::Int(3)),
    ("initialDelaySeconds", JsonScalar::Int(0)),
];

fn handler_defaults(key: &str) -> Defaults {
    match key {
        "httpGet" => &[
            ("path", JsonScalar::Str("/")),
            ("scheme", JsonScalar::Str("HTTP")),
        ],
        "grpc" => &[("service", JsonScalar::Str(""))],
        _ => &[],
    }
}

fn no_defaults(_: &str) -> Defaults {
    &[]
}

/// A probe's or handler's entries: a handful, held without allocating.
type JsonEntries<'d> = SmallVec<[(&'d str, NodeRef<'d>); 8]>;

/// The entries JSON decoding keeps, sorted by key: a null value is as good as no entry, and
/// of keys that read the same (every non-scalar key reads as "") the last counts, as in JSON.
/// Sorted, so that comparing two mappings costs O(n log n) whatever a hostile input holds.
fn json_entries(node: NodeRef<'_>) -> JsonEntries<'_> {
    let mut entries: JsonEntries<'_> = node
        .entries()
        .filter(|(_, v)| !v.is_null())
        .map(|(k, v)| (k.text().unwrap_or_default(), v))
        .collect();
    // A stable sort keeps repeats in source order; reversed, the first of each run is the last.
    entries.sort_by(|x, y| x.0.cmp(y.0));
    if entries.windows(2).any(|pair| pair[0].0 == pair[1].0) {
        entries.reverse();
        entries.dedup_by(|later, earlier| later.0 == earlier.0);
        entries.reverse();
    }
    entries
}

/// Whether two nodes decode to the same JSON (mappings unordered), with `defaults` standing
/// in for fields of a mapping that one side leaves out, and `nested` giving the defaults of
/// each field's own mapping. Compared in place: probes are
/// compared on every container.
fn same_json(
    a: NodeRef<'_>,
    b: NodeRef<'_>,
    defaults: Defaults,
    nested: fn(&str) -> Defaults,
    depth: usize,
) -> bool {
    if depth > 64 {
        return true;
    }
    match (a.is_map(), b.is_map(), a.is_seq(), b.is_seq()) {
        (true, true, _, _) if differ_in_a_scalar(a, b, defaults) => false,
        (true, true, _, _) if written_alike(a, b, depth) => true,
        (true, true, _, _) => {
            let (ea, eb) = (json_entries(a), json_entries(b));
            fn find<'d>(entries: &[(&str, NodeRef<'d>)], key: &str) -> Option<NodeRef<'d>> {
                let at = entries.binary_search_by(|(k, _)| (*k).cmp(key)).ok()?;
                Some(entries[at].1)
            }
            let same_entry = |&(key, va): &(&str, NodeRef<'_>)| match find(&eb, key) {
                Some(vb) => same_json(va, vb, nested(key), no_defaults, depth + 1),
                None => is_default(defaults, key, va),
            };
            let collection = |(_, v): &&(&str, NodeRef<'_>)| v.is_map() || v.is_seq();
            // Scalars first: they are cheap to compare, and probes that differ mostly differ in
            // one (`periodSeconds`). The answer is the same in any order.
            ea.iter().filter(|e| !collection(e)).all(same_entry)
                && eb
                    .iter()
                    .all(|&(key, vb)| find(&ea, key).is_some() || is_default(defaults, key, vb))
                && ea.iter().filter(collection).all(same_entry)
        }
        (false, false, true, true) => {
            a.len() == b.len()
                && a.items()
                    .zip(b.items())
                    .all(|(x, y)| same_json(x, y, &[], no_defaults, depth + 1))
        }
        (false, false, false, false) => json_scalar(a) == json_scalar(b),
        _ => false,
    }
}

/// Whether a scalar of mapping `a` is already known to differ from `b`'s value for its key
/// (or from the default, where `b` leaves it out): what [`same_json`] would find, without
/// gathering and sorting both mappings' entries. Probes that differ mostly differ in such a
/// scalar (`periodSeconds`), and this answers for them at a tenth of the cost. Only where no
/// key is repeated: a key's value is then the one a lookup finds.
fn differ_in_a_scalar(a: NodeRef<'_>, b: NodeRef<'_>, defaults: Defaults) -> bool {
    if !a.doc.duplicate_keys.is_empty() || !b.doc.duplicate_keys.is_empty() {
        return false;
    }
    a.entries().any(|(key, va)| {
        let Some(key) = key.text() else {
            return false;
        };
        if va.is_map() || va.is_seq() || va.is_null() {
            return false;
        }
        match b.get(key).filter(|vb| !vb.is_null()) {
            Some(vb) => vb.is_map() || vb.is_seq() || json_scalar(va) != json_scalar(vb),
            None => !is_default(defaults, key, va),
        }
    })
}

/// Whether `node` is the value the API server fills in for `key` when it is left out.
fn is_default(defaults: Defaults, key: &str, node: NodeRef<'_>) -> bool {
    defaults
        .iter()
        .any(|(k, d)| *k == key && !node.is_map() && !node.is_seq() && json_scalar(node) == *d)
}

/// Whether two mappings hold the same keys in the same order, with values that decode alike
/// (scalars as JSON, collections alike in turn): then they are the same JSON, whatever the
/// defaults. Identical probes are mostly written so (copied), and this answers for them
/// without gathering and sorting entries.
fn written_alike(a: NodeRef<'_>, b: NodeRef<'_>, depth: usize) -> bool {
    if depth > 64 {
        return false;
    }
    // Nested mappings are compared alike in turn; anything else as `same_json` does.
    let alike = |x: NodeRef<'_>, y: NodeRef<'_>| {
        if x.is_map() && y.is_map() {
            written_alike(x, y, depth + 1)
        } else {
            same_json(x, y, &[], no_defaults, depth + 1)
        }
    };
    let (mut ea, mut eb) = (a.entries(), b.entries());
    loop {
        match (ea.next(), eb.next()) {
            (None, None) => return true,
            (Some((ka, va)), Some((kb, vb))) => {
                let same_key = matches!((ka.text(), kb.text()), (Some(x), Some(y)) if x == y);
                if !same_key || !alike(va, vb) {
                    return false;
                }
            }
            _ => return false,
        }
    }
}

/// Whether two values of one document are the same text, starting at the same column: then
/// they decode alike, and identical probes (most of them copied) need no comparison. Unless
/// an alias is in the text, which names an anchor outside it (and an anchor may be defined
/// anew between the two).
fn written_identically(a: NodeRef<'_>, b: NodeRef<'_>) -> bool {
    let source = &a.doc.source;
    let text = |n: NodeRef<'_>| source.get(n.span().start as usize..n.span().end as usize);
    let column = |n: NodeRef<'_>| {
        let start = n.span().start as usize;
        let line_start = source
            .as_bytes()
            .get(..start)
            .and_then(|before| memchr::memrchr(b'\n', before))
            .map_or(0, |newline| newline + 1);
        start - line_start
    };
    std::ptr::eq(a.doc, b.doc)
        && matches!((text(a), text(b)), (Some(x), Some(y)) if x == y && !x.contains('*'))
        && column(a) == column(b)
}

fn probes_identical(ctx: &mut CodeCtx<'_, '_>) {
    if ctx.pod.is_none() {
        return;
    }
    for c in ctx.containers() {
        let (Some((lk, live)), Some(ready)) = (
            c.entry(ContainerField::LivenessProbe),
            c.get(ContainerField::ReadinessProbe),
        ) else {
            continue;
        };
        if live.is_empty_value() || ready.is_empty_value() {
            continue;
        }
        if written_identically(live, ready)
            || same_json(live, ready, PROBE_DEFAULTS, handler_defaults, 0)
        {
            ctx.report(ctx.container_hit(
                c,
                lk.span(),
                "livenessProbe",
                format!(
                    "container `{}` has a liveness probe identical to its readiness probe",
                    c.name
                ),
            ));
        }
    }
}

fn probe_port_unexposed(ctx: &mut CodeCtx<'_, '_>) {
    if ctx.pod.is_none() {
        return;
    }
    for c in ctx.containers() {
        // Probes connect over TCP, so only TCP ports (the default protocol) count. Read for
        // the first probe aimed at a port.
        let mut tcp_ports: Option<SmallVec<[NodeRef<'_>; 4]>> = None;
        for probe_name in ["livenessProbe", "readinessProbe", "startupProbe"] {
            let Some(probe) = c.node.get(probe_name) else {
                continue;
            };
            // A probe has one handler among a few settings: its entries are read once, where
            // looking up each handler by name searched them three times.
            for (key, h) in probe.entries() {
                let Some(handler) = key
                    .text()
                    .filter(|k| matches!(*k, "httpGet" | "tcpSocket" | "grpc"))
                else {
                    continue;
                };
                // A probe aimed at another host says nothing about this container's ports.
                if h.get("host").is_some_and(|n| !n.is_empty_value()) {
                    continue;
                }
                let Some(port) = h.get("port") else { continue };
                let scalar = port.scalar();
                let tcp_ports = tcp_ports.get_or_insert_with(|| {
                    c.list(ContainerField::Ports)
                        .filter(|p| {
                            p.get("protocol")
                                .and_then(NodeRef::as_str)
                                .is_none_or(|s| s == "TCP")
                        })
                        .collect()
                });
                let exposed = match scalar {
                    Some(Scalar::Str(name)) => tcp_ports
                        .iter()
                        .any(|p| p.get("name").and_then(NodeRef::as_str) == Some(name)),
                    Some(Scalar::Int(n)) => tcp_ports.iter().any(|p| {
                        p.get("containerPort").and_then(NodeRef::as_i64) == i64::try_from(n).ok()
                    }),
                    _ => true,
                };
                if !exposed {
                    // Spelled out only for a finding.
                    let what = match scalar {
                        Some(Scalar::Str(name)) => format!("named port `{name}`"),
                        Some(Scalar::Int(n)) => format!("port {n}"),
                        _ => String::new(),
                    };
                    ctx.report(
                        ctx.container_hit(c, port.span(), &format!("{probe_name}.{handler}.port"), format!(
                                "container `{}`: {probe_name} {handler} uses {what}, which is not a TCP port in the container's `ports`",
                                c.name
                            )),
                    );
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repositories_are_normalized_like_the_runtime() {
        assert_eq!(normalize_repository("nginx"), "docker.io/library/nginx");
        assert_eq!(
            normalize_repository("bitnami/redis"),
            "docker.io/bitnami/redis"
        );
        assert_eq!(normalize_repository("ghcr.io/a/b"), "ghcr.io/a/b");
        assert_eq!(
            normalize_repository("localhost:5000/app"),
            "localhost:5000/app"
        );
        assert_eq!(normalize_repository("localhost/app"), "localhost/app");
        assert_eq!(
            normalize_repository("index.docker.io/library/x"),
            "docker.io/library/x"
        );
    }

    #[test]
    fn registry_globs() {
        assert!(registry_glob_matches("ghcr.io/acme", "ghcr.io/acme/app"));
        assert!(!registry_glob_matches("ghcr.io/acme", "ghcr.io/acmex/app"));
        assert!(registry_glob_matches(
            "*.dkr.ecr.*.amazonaws.com/*",
            "1.dkr.ecr.eu-west-1.amazonaws.com/a"
        ));
        assert!(registry_glob_matches(
            "docker.io/library/*",
            "docker.io/library/nginx"
        ));
        assert!(!registry_glob_matches(
            "docker.io/library/*",
            "docker.io/bitnami/redis"
        ));
    }
}
