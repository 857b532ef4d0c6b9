//! Pod specs inside objects: the one table of which kinds carry a pod template at which path,
//! and views of a pod spec's containers with their spans and field paths.

use std::cell::Cell;

use crate::source::Span;
use crate::yaml::{key_mark, KeyMark, NodeId, NodeRef};

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
                .map(move |(index, node)| Container::new(node, kind, index))
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

/// Keys of a container that several checks each read: a container looks each up the first
/// time a check asks for it and keeps the answer, which later checks (and check paths that
/// start at the container) read. On `gen10k/team-0` these were about 12,000 lookups (9 a
/// container for `resources`), each a scan of a mapping of nine entries and, for the long
/// keys, a comparison of text. Looking all ten up at once, in one pass over the entries,
/// saved less (465 k instructions on `team-0` against 527 k): not every field is asked for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ContainerField {
    Name,
    Image,
    Resources,
    Ports,
    Env,
    SecurityContext,
    LivenessProbe,
    ReadinessProbe,
    StartupProbe,
    VolumeMounts,
}

const CONTAINER_FIELDS: usize = 10;

impl ContainerField {
    const ALL: [ContainerField; CONTAINER_FIELDS] = [
        ContainerField::Name,
        ContainerField::Image,
        ContainerField::Resources,
        ContainerField::Ports,
        ContainerField::Env,
        ContainerField::SecurityContext,
        ContainerField::LivenessProbe,
        ContainerField::ReadinessProbe,
        ContainerField::StartupProbe,
        ContainerField::VolumeMounts,
    ];

    #[must_use]
    pub fn key(self) -> &'static str {
        match self {
            ContainerField::Name => "name",
            ContainerField::Image => "image",
            ContainerField::Resources => "resources",
            ContainerField::Ports => "ports",
            ContainerField::Env => "env",
            ContainerField::SecurityContext => "securityContext",
            ContainerField::LivenessProbe => "livenessProbe",
            ContainerField::ReadinessProbe => "readinessProbe",
            ContainerField::StartupProbe => "startupProbe",
            ContainerField::VolumeMounts => "volumeMounts",
        }
    }

    /// The key's [`key_mark`], worked out when compiling.
    #[inline(always)]
    fn mark(self) -> KeyMark {
        match self {
            ContainerField::Name => key_mark(b"name"),
            ContainerField::Image => key_mark(b"image"),
            ContainerField::Resources => key_mark(b"resources"),
            ContainerField::Ports => key_mark(b"ports"),
            ContainerField::Env => key_mark(b"env"),
            ContainerField::SecurityContext => key_mark(b"securityContext"),
            ContainerField::LivenessProbe => key_mark(b"livenessProbe"),
            ContainerField::ReadinessProbe => key_mark(b"readinessProbe"),
            ContainerField::StartupProbe => key_mark(b"startupProbe"),
            ContainerField::VolumeMounts => key_mark(b"volumeMounts"),
        }
    }

    /// The field a container key is, if it is one of them.
    #[must_use]
    pub fn of_key(key: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|field| field.key() == key)
    }
}

/// The key and value node of a [`ContainerField`] as found, [`NOT_SET`], or [`NOT_READ`].
type FieldEntry = (NodeId, NodeId);

const NOT_SET: FieldEntry = (NodeId::MAX, NodeId::MAX);
const NOT_READ: FieldEntry = (NodeId::MAX, 0);

#[derive(Clone, Debug)]
pub struct Container<'d> {
    pub node: NodeRef<'d>,
    pub kind: ContainerKind,
    pub index: usize,
    pub name: &'d str,
    /// Each [`ContainerField`]'s entry (aliases followed), by the field's index, looked up
    /// the first time a check asks for it.
    fields: [Cell<FieldEntry>; CONTAINER_FIELDS],
}

impl<'d> Container<'d> {
    /// The container whose mapping is `node`, item `index` of its pod's `kind` list.
    #[must_use]
    pub fn new(node: NodeRef<'d>, kind: ContainerKind, index: usize) -> Self {
        let mut container = Self {
            node,
            kind,
            index,
            name: "",
            fields: [const { Cell::new(NOT_READ) }; CONTAINER_FIELDS],
        };
        container.name = container
            .get(ContainerField::Name)
            .and_then(NodeRef::as_str)
            .unwrap_or("");
        container
    }

    /// The key and value of `field`, as [`NodeRef::get_entry`] finds them.
    #[must_use]
    #[inline]
    pub fn entry(&self, field: ContainerField) -> Option<(NodeRef<'d>, NodeRef<'d>)> {
        let slot = &self.fields[field as usize];
        let mut entry = slot.get();
        if entry == NOT_READ {
            entry = self
                .node
                .get_entry_marked(field.key(), field.mark())
                .map_or(NOT_SET, |(k, v)| (k.id, v.id));
            slot.set(entry);
        }
        let (key, value) = entry;
        let doc = self.node.doc;
        (key != NOT_SET.0).then_some((NodeRef { doc, id: key }, NodeRef { doc, id: value }))
    }

    /// The value of `field`, as [`NodeRef::get`] finds it.
    #[must_use]
    #[inline]
    pub fn get(&self, field: ContainerField) -> Option<NodeRef<'d>> {
        self.entry(field).map(|(_, value)| value)
    }

    /// `securityContext`, as written (null and `{}` included).
    #[must_use]
    pub fn security_context(&self) -> Option<NodeRef<'d>> {
        self.get(ContainerField::SecurityContext)
    }

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
        match self.entry(ContainerField::Name) {
            Some((k, v)) => Span::new(k.span().start, v.span().end),
            None => self.node.span(),
        }
    }

    /// Items of one of the container's lists (`ports`, `env`, `volumeMounts`); none when unset.
    pub fn list(&self, field: ContainerField) -> impl Iterator<Item = NodeRef<'d>> + 'd {
        self.get(field).into_iter().flat_map(NodeRef::items)
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
        self.security_context()
            .and_then(|sc| sc.get(field))
            .filter(|v| !v.is_null())
            .or_else(|| {
                pod.security_context()
                    .and_then(|sc| sc.get(field))
                    .filter(|v| !v.is_null())
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A pod whose containers write their fields in every way a lookup must honour: plainly,
    /// twice (the later wins), through a merge key, as aliases, null, and not at all.
    const POD: &str = "\
kind: Pod
spec:
  containers:
    - name: plain
      image: nginx:1.27
      resources: {requests: {cpu: 100m}}
      ports: [{containerPort: 80}]
      env: [{name: A, value: b}]
      securityContext: {privileged: true}
      livenessProbe: {httpGet: {port: 80}}
      readinessProbe: {httpGet: {port: 80}}
      startupProbe: {httpGet: {port: 80}}
      volumeMounts: [{name: data, mountPath: /data}]
    - name: twice
      image: first:1
      image: second:2
      securityContext: ~
    - &base
      name: merged
      resources: &res {limits: {memory: 1Gi}}
    - <<: *base
      name: merger
      image: own:1
    - name: aliased
      resources: *res
      env: []
    - {}
";

    #[test]
    fn container_fields_are_what_lookups_find() {
        let source = crate::source::SourceFile::new("t.yaml", POD);
        let parsed = crate::yaml::parse(&source);
        let root = parsed.documents[0].root().unwrap();
        let pod = PodSpec::find(root, "spec").unwrap();
        let containers: Vec<Container<'_>> = pod.containers().collect();
        assert_eq!(containers.len(), 6);
        let spans = |entry: Option<(NodeRef<'_>, NodeRef<'_>)>| {
            entry.map(|(k, v)| (k.span(), v.span(), v.id))
        };
        // Twice each: the first read looks the field up, the second reads what it kept.
        for _ in 0..2 {
            for c in &containers {
                for field in ContainerField::ALL {
                    assert_eq!(
                        spans(c.entry(field)),
                        spans(c.node.get_entry(field.key())),
                        "{} of container {}",
                        field.key(),
                        c.index
                    );
                    assert_eq!(ContainerField::of_key(field.key()), Some(field));
                }
            }
        }
        let names: Vec<&str> = containers.iter().map(|c| c.name).collect();
        assert_eq!(names, ["plain", "twice", "merged", "merger", "aliased", ""]);
        let image = |i: usize| {
            containers[i]
                .get(ContainerField::Image)
                .and_then(NodeRef::as_str)
        };
        assert_eq!(image(1), Some("second:2"));
        assert_eq!(image(3), Some("own:1"));
        assert!(containers[3].get(ContainerField::Resources).is_some());
        assert!(containers[4].get(ContainerField::Resources).is_some());
        assert!(containers[5].get(ContainerField::Resources).is_none());
        assert_eq!(ContainerField::of_key("restartPolicy"), None);
    }
}
