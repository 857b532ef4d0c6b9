//! Pod specs inside objects: the one table of which kinds carry a pod template at which path,
//! and views of a pod spec's containers with their spans and field paths.

use crate::source::Span;
use crate::yaml::NodeRef;

/// Where a kind keeps its pod spec, as a dotted path from the object root.
const POD_SPEC_PATHS: &[(&str, &str)] = &[
    ("Pod", "spec"),
    ("Deployment", "spec.template.spec"),
    ("ReplicaSet", "spec.template.spec"),
    ("ReplicationController", "spec.template.spec"),
    ("StatefulSet", "spec.template.spec"),
    ("DaemonSet", "spec.template.spec"),
    ("Job", "spec.template.spec"),
    ("CronJob", "spec.jobTemplate.spec.template.spec"),
    ("PodTemplate", "template.spec"),
];

/// Kinds whose pods run to completion rather than forever.
pub const BATCH_KINDS: &[&str] = &["Job", "CronJob"];

/// The pod-spec path of a built-in kind.
#[must_use]
pub fn builtin_pod_spec_path(kind: &str) -> Option<&'static str> {
    POD_SPEC_PATHS
        .iter()
        .find(|(k, _)| *k == kind)
        .map(|(_, p)| *p)
}

/// A pod spec found in an object.
#[derive(Clone, Copy, Debug)]
pub struct PodSpec<'d> {
    pub spec: NodeRef<'d>,
    /// The key node of the spec (`spec:`), where findings about missing pod settings point.
    pub key: NodeRef<'d>,
    /// The pod's metadata: the template's for workloads, the object's own for a Pod.
    pub metadata: Option<NodeRef<'d>>,
    /// Field path of the spec from the object root (`spec.template.spec`).
    pub path: &'d str,
    /// The pod-level `securityContext` when it is a mapping, looked up once for the checks
    /// that read it.
    security_context: Option<NodeRef<'d>>,
}

impl<'d> PodSpec<'d> {
    /// Resolves `path` (dotted) under `root`; the pod's metadata is the sibling of the last step.
    #[must_use]
    pub fn find(root: NodeRef<'d>, path: &'d str) -> Option<Self> {
        let mut parent = root;
        let mut node = root;
        let mut key = None;
        for step in path.split('.') {
            parent = node;
            let (k, v) = node.get_entry(step)?;
            key = Some(k);
            node = v;
        }
        if !node.is_map() {
            return None;
        }
        Some(Self {
            spec: node,
            key: key?,
            metadata: parent.get("metadata").filter(|m| m.is_map()),
            path,
            security_context: node.get("securityContext").filter(|n| n.is_map()),
        })
    }

    /// Every container of the pod: `containers`, then `initContainers`, then
    /// `ephemeralContainers`, each in source order.
    pub fn containers(&self) -> impl Iterator<Item = Container<'d>> + 'd {
        let spec = self.spec;
        [
            ContainerKind::Container,
            ContainerKind::Init,
            ContainerKind::Ephemeral,
        ]
        .into_iter()
        .filter_map(move |kind| spec.get(kind.field()).map(|list| (kind, list)))
        .flat_map(|(kind, list)| {
            list.items()
                .enumerate()
                .filter(|(_, node)| node.is_map())
                .map(move |(index, node)| Container {
                    node,
                    kind,
                    index,
                    name: node.get("name").and_then(NodeRef::as_str).unwrap_or(""),
                    security_context: node.get("securityContext"),
                })
        })
    }

    /// The pod-level security context, if set.
    #[must_use]
    pub fn security_context(&self) -> Option<NodeRef<'d>> {
        self.security_context
    }

    /// `spec.os.name: windows`, which exempts pods from Linux-only controls.
    #[must_use]
    pub fn is_windows(&self) -> bool {
        self.spec
            .get("os")
            .and_then(|os| os.get("name"))
            .and_then(NodeRef::as_str)
            == Some("windows")
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ContainerKind {
    Container,
    Init,
    Ephemeral,
}

impl ContainerKind {
    #[must_use]
    pub fn field(self) -> &'static str {
        match self {
            ContainerKind::Container => "containers",
            ContainerKind::Init => "initContainers",
            ContainerKind::Ephemeral => "ephemeralContainers",
        }
    }

    /// Spelling used in check definitions (`container-types: [container, init]`).
    #[must_use]
    pub fn short_name(self) -> &'static str {
        match self {
            ContainerKind::Container => "container",
            ContainerKind::Init => "init",
            ContainerKind::Ephemeral => "ephemeral",
        }
    }
}

#[derive(Clone, Copy, Debug)]
pub struct Container<'d> {
    pub node: NodeRef<'d>,
    pub kind: ContainerKind,
    pub index: usize,
    pub name: &'d str,
    /// `securityContext`, as written (null and `{}` included): a dozen checks read it, so it
    /// is looked up once, with the container.
    pub security_context: Option<NodeRef<'d>>,
}

impl<'d> Container<'d> {
    /// Field path of `rel` in this container, below the pod spec at `pod_path`
    /// (`spec.template.spec.containers[0].securityContext`); `rel` may be empty.
    #[must_use]
    pub fn field_path(&self, pod_path: &str, rel: &str) -> String {
        let mut out =
            String::with_capacity(pod_path.len() + self.kind.field().len() + rel.len() + 8);
        out.push_str(pod_path);
        self.push_field_path(&mut out, 0, rel);
        out
    }

    /// Appends what [`Container::field_path`] adds to the pod spec's path, which `out` holds
    /// from `pod_path_start` on.
    pub(crate) fn push_field_path(&self, out: &mut String, pod_path_start: usize, rel: &str) {
        if out.len() > pod_path_start {
            out.push('.');
        }
        out.push_str(self.kind.field());
        crate::check::path::push_index(out, self.index);
        if !rel.is_empty() {
            out.push('.');
            out.push_str(rel);
        }
    }

    /// Where findings about something missing in this container point: its `name:` entry, or
    /// the whole item when it has no name.
    #[must_use]
    pub fn anchor(&self) -> Span {
        match self.node.get_entry("name") {
            Some((k, v)) => Span::new(k.span().start, v.span().end),
            None => self.node.span(),
        }
    }

    /// Items of one of the container's lists (`ports`, `env`, `volumeMounts`); none when unset.
    pub fn list(&self, field: &str) -> impl Iterator<Item = NodeRef<'d>> + 'd {
        self.node.get(field).into_iter().flat_map(NodeRef::items)
    }

    /// An init container with `restartPolicy: Always` runs for the pod's lifetime (a sidecar).
    #[must_use]
    pub fn is_restartable_init(&self) -> bool {
        self.kind == ContainerKind::Init
            && self.node.get("restartPolicy").and_then(NodeRef::as_str) == Some("Always")
    }

    /// A field of the container's security context, falling back to the pod's (the container
    /// value overrides the pod value where Kubernetes defines both).
    #[must_use]
    pub fn effective_security(&self, pod: &PodSpec<'d>, field: &str) -> Option<NodeRef<'d>> {
        self.security_context
            .and_then(|sc| sc.get(field))
            .filter(|v| !v.is_null())
            .or_else(|| {
                pod.security_context()
                    .and_then(|sc| sc.get(field))
                    .filter(|v| !v.is_null())
            })
    }
}
