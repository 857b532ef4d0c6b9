//! The inventory of a run: every object (and every declared external object) indexed by kind,
//! namespace and name, plus every pod template with its namespace, labels and container ports,
//! indexed by namespace and by label so selector lookups never scan all objects.

use std::borrow::Cow;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use rayon::prelude::*;

use crate::engine::{ParsedInput, RunSettings};
use crate::object::facts::{Facts, PodSpecFacts};
use crate::object::selector::{Labels, Selector};
use crate::object::Object;
use crate::source::Span;
use crate::yaml::NodeRef;

/// An object that exists in the cluster but not in the input (managed by another repository,
/// an operator or the platform), declared so cross checks can resolve references to it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ExternalObject {
    pub kind: String,
    pub name: String,
    /// `None` means the run's default namespace (ignored for cluster-scoped kinds).
    pub namespace: Option<String>,
    /// Labels of its pods, for pod-bearing kinds.
    pub labels: Labels,
    /// Ports: container ports for pod-bearing kinds, service ports for a Service.
    pub ports: Vec<Port>,
}

/// A named or numbered port (a container port, or a Service port of an external Service).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Port {
    pub name: Option<String>,
    pub number: Option<i64>,
    /// `TCP` unless given.
    pub protocol: crate::object::facts::Protocol,
}

/// Where an inventory entry comes from.
#[derive(Clone, Copy, Debug)]
pub enum Origin<'a> {
    Input {
        input: &'a ParsedInput,
        object: &'a Object,
    },
    External(&'a ExternalObject),
}

#[derive(Clone, Copy, Debug)]
pub struct Entry<'a> {
    pub kind: &'a str,
    /// Empty for cluster-scoped kinds.
    pub namespace: &'a str,
    pub name: &'a str,
    pub origin: Origin<'a>,
}

impl<'a> Entry<'a> {
    /// Kind, namespace and name: what the inventory finds entries by.
    fn key(&self) -> (&'a str, &'a str, &'a str) {
        (self.kind, self.namespace, self.name)
    }

    /// The object's `kind:` entry, when it comes from the input.
    #[must_use]
    pub fn anchor(&self) -> Option<Span> {
        match self.origin {
            Origin::Input { object, .. } => Some(object.anchor),
            Origin::External(_) => None,
        }
    }

    /// What the cross checks know of the object, when it comes from the input.
    #[must_use]
    pub fn facts(&self) -> Option<&'a Facts> {
        match self.origin {
            Origin::Input { object, .. } => Some(&object.facts),
            Origin::External(_) => None,
        }
    }
}

/// A pod template (or a Pod) of the run.
#[derive(Clone, Copy, Debug)]
pub struct PodTemplate<'a> {
    /// Index of the owning object in [`Inventory::entries`].
    pub owner: usize,
    pub namespace: &'a str,
    pub labels: &'a Labels,
    /// The `labels:` key of the template metadata, for related locations.
    pub labels_key: Option<Span>,
    pub ports: &'a [Port],
    /// `None` for a template without a spec, and for external objects.
    pub spec: Option<&'a PodSpecFacts>,
    /// Field path of the pod spec in its object (`spec.template.spec`).
    pub spec_path: &'a str,
    /// Declared as an external object: its ports are only known when listed.
    pub external: bool,
}

/// Kinds that have no namespace.
const CLUSTER_SCOPED: &[&str] = &[
    "Namespace",
    "Node",
    "PersistentVolume",
    "StorageClass",
    "ClusterRole",
    "ClusterRoleBinding",
    "CustomResourceDefinition",
    "PriorityClass",
    "IngressClass",
    "RuntimeClass",
    "ValidatingWebhookConfiguration",
    "MutatingWebhookConfiguration",
    "ValidatingAdmissionPolicy",
    "ValidatingAdmissionPolicyBinding",
    "APIService",
    "CSIDriver",
    "CSINode",
    "VolumeAttachment",
    "ClusterIssuer",
];

#[must_use]
pub fn is_cluster_scoped(kind: &str) -> bool {
    CLUSTER_SCOPED.contains(&kind)
}

/// Every object of a run, built once and shared by all cross checks.
#[derive(Debug, Default)]
pub struct Inventory<'a> {
    pub entries: Vec<Entry<'a>>,
    /// Every entry, ordered by the hash of its kind, namespace and name, then by those, then
    /// by input order. Sorted vectors rather than nested hash maps: a run holds this for every
    /// object at once.
    by_key: Vec<usize>,
    /// The hash of each entry of `by_key`, at the same index: lookups search these integers
    /// and compare names (scattered over the heap) only among entries whose hash agrees.
    key_hashes: Vec<u32>,
    pub pods: Vec<PodTemplate<'a>>,
    pods_by_namespace: TextMap<&'a str, Vec<usize>>,
    /// By namespace: every label of its pods, sorted.
    pods_by_label: TextMap<&'a str, LabelIndex<'a>>,
    by_kind: TextMap<&'a str, Vec<usize>>,
    /// The pods each entry of the requested kinds selects (see [`Inventory::selected`]), by
    /// entry index, sorted: several checks read each Service's, NetworkPolicy's and
    /// PodDisruptionBudget's selection, which is worked out once, on every thread.
    selections: Vec<(usize, Vec<usize>)>,
}

impl<'a> Inventory<'a> {
    /// Builds the inventory of `inputs`, with the selections of the entries of
    /// `selecting_kinds` worked out ahead (the cross checks to run read them).
    #[must_use]
    pub fn build(
        inputs: &'a [ParsedInput],
        settings: &'a RunSettings,
        selecting_kinds: &[&str],
    ) -> Self {
        let mut inv = Inventory::default();
        // Sized once: the cross pass is the run's peak (every finding, fact and this index
        // held at once), and vectors grown by doubling would hold up to twice their entries.
        let objects = inputs.iter().map(|i| i.objects.len()).sum::<usize>();
        let pods = inputs
            .iter()
            .flat_map(|i| &i.objects)
            .filter(|o| o.facts.pod().is_some())
            .count();
        inv.entries
            .reserve_exact(objects + settings.external_objects.len());
        inv.pods
            .reserve_exact(pods + settings.external_objects.len());
        let default_ns = settings.default_namespace.as_str();
        for input in inputs {
            for object in &input.objects {
                if object.id.name.is_empty() {
                    continue;
                }
                let kind = object.kind();
                let namespace = if is_cluster_scoped(kind) {
                    ""
                } else {
                    object.id.namespace.as_deref().unwrap_or(default_ns)
                };
                let index = inv.push(Entry {
                    kind,
                    namespace,
                    name: &object.id.name,
                    origin: Origin::Input { input, object },
                });
                if let Some(pod) = object.facts.pod() {
                    inv.pods.push(PodTemplate {
                        owner: index,
                        namespace,
                        labels: &pod.labels,
                        labels_key: pod.labels_key,
                        ports: &pod.ports,
                        spec: pod.spec.as_ref(),
                        spec_path: settings
                            .pod_spec_path(&object.id.api_version, kind)
                            .unwrap_or_default(),
                        external: false,
                    });
                }
            }
        }
        for ext in &settings.external_objects {
            let namespace = if is_cluster_scoped(&ext.kind) {
                ""
            } else {
                ext.namespace.as_deref().unwrap_or(default_ns)
            };
            let index = inv.push(Entry {
                kind: &ext.kind,
                namespace,
                name: &ext.name,
                origin: Origin::External(ext),
            });
            // External objects name no apiVersion: built-in kinds and bare configured kinds apply.
            if settings.pod_spec_path("", &ext.kind).is_some() {
                inv.pods.push(PodTemplate {
                    owner: index,
                    namespace,
                    labels: &ext.labels,
                    labels_key: None,
                    ports: &ext.ports,
                    spec: None,
                    spec_path: "",
                    external: true,
                });
            }
        }
        for (i, pod) in inv.pods.iter().enumerate() {
            inv.pods_by_namespace
                .entry(pod.namespace)
                .or_default()
                .push(i);
        }
        for (i, pod) in inv.pods.iter().enumerate() {
            let by_label = inv.pods_by_label.entry(pod.namespace).or_default();
            by_label
                .entries
                .extend(pod_labels(crate::source::to_u32(i), pod.labels));
        }
        // The cross pass waits for this index: its hashes and sorts run on every thread.
        inv.pods_by_label.par_iter_mut().for_each(|(_, index)| {
            let labels = &mut index.entries;
            for label in labels.iter_mut() {
                label.0 = pair_hash(label.1, label.2);
            }
            labels.par_sort_unstable();
            labels.shrink_to_fit();
            index.hashes = labels.iter().map(|label| label.0).collect();
        });
        for pods in inv.pods_by_namespace.values_mut() {
            pods.shrink_to_fit();
        }
        for entries in inv.by_kind.values_mut() {
            entries.shrink_to_fit();
        }
        let entries = &inv.entries;
        // Sorted as (hash, index) words, then by key only within a run of equal hashes
        // (rare): a sort that compared (hash, key, index) tuples read two entries, scattered
        // over 0.5 MB, for every comparison. This step took 1.4 ms of a 10,000-object run on
        // one thread, and takes 1.1 (medians).
        let mut by_hash: Vec<u64> = entries
            .par_iter()
            .enumerate()
            .map(|(i, e)| u64::from(key_hash(e.key())) << 32 | i as u64)
            .collect();
        by_hash.par_sort_unstable();
        inv.key_hashes = by_hash.iter().map(|&word| (word >> 32) as u32).collect();
        inv.by_key = by_hash
            .iter()
            .map(|&word| (word & 0xffff_ffff) as usize)
            .collect();
        drop(by_hash);
        let mut start = 0;
        for run in inv.key_hashes.chunk_by(|a, b| a == b) {
            let same_hash = &mut inv.by_key[start..start + run.len()];
            if same_hash.len() > 1 {
                same_hash.sort_unstable_by_key(|&i| (entries[i].key(), i));
            }
            start += run.len();
        }
        let mut selecting: Vec<(usize, &Selector)> = selecting_kinds
            .iter()
            .flat_map(|kind| inv.of_kind(kind))
            .filter_map(|(i, e)| Some((i, e.facts()?.pod_selector()?)))
            .collect();
        selecting.sort_unstable_by_key(|&(i, _)| i);
        selecting.dedup_by_key(|&mut (i, _)| i);
        inv.selections = selecting
            .par_iter()
            .map(|&(i, sel)| (i, inv.select_ids(inv.entries[i].namespace, sel)))
            .collect();
        inv
    }

    fn push(&mut self, entry: Entry<'a>) -> usize {
        let index = self.entries.len();
        self.by_kind.entry(entry.kind).or_default().push(index);
        self.entries.push(entry);
        index
    }
}

impl<'a> Inventory<'a> {
    /// Entries with this kind, namespace and name, in input order (externals last).
    #[must_use]
    pub fn find(&self, kind: &str, namespace: &str, name: &str) -> &[usize] {
        let key = (kind, namespace, name);
        let same_hash = self.same_hash(key_hash(key));
        let start = same_hash.partition_point(|&i| self.entries[i].key() < key);
        let len = same_hash[start..].partition_point(|&i| self.entries[i].key() == key);
        &same_hash[start..start + len]
    }

    /// The entries of `by_key` whose key hashes to `hash`.
    fn same_hash(&self, hash: u32) -> &[usize] {
        let start = self.key_hashes.partition_point(|&h| h < hash);
        let len = self.key_hashes[start..].partition_point(|&h| h == hash);
        &self.by_key[start..start + len]
    }

    /// Every group of two or more entries with the same kind, namespace and name, each in
    /// input order (externals last).
    pub fn same_key_groups(&self) -> impl Iterator<Item = &[usize]> {
        let hashes = self.key_hashes.chunk_by(|a, b| a == b);
        let mut start = 0;
        hashes
            .flat_map(move |run| {
                let same_hash = &self.by_key[start..start + run.len()];
                start += run.len();
                // Keys that share a hash are rare; only they are compared as text.
                let groups: Vec<&[usize]> = if same_hash.len() > 1 {
                    same_hash
                        .chunk_by(|&a, &b| self.entries[a].key() == self.entries[b].key())
                        .collect()
                } else {
                    Vec::new()
                };
                groups
            })
            .filter(|group| group.len() > 1)
    }

    /// The first entry with this kind, namespace and name.
    #[must_use]
    pub fn get(&self, kind: &str, namespace: &str, name: &str) -> Option<&Entry<'a>> {
        self.find(kind, namespace, name)
            .first()
            .map(|&i| &self.entries[i])
    }

    /// Every entry of a kind, in input order.
    pub fn of_kind(&self, kind: &str) -> impl Iterator<Item = (usize, &Entry<'a>)> {
        self.by_kind
            .get(kind)
            .into_iter()
            .flatten()
            .map(|&i| (i, &self.entries[i]))
    }

    /// Indexes into [`Inventory::pods`] of the pod templates of `namespace` that `selector`
    /// matches, in pod order. The candidates are the pods carrying the selector's rarest
    /// `key=value` (through the label index): a selector's first pair is often shared by every
    /// pod of the namespace (`tier: web`), which made each selection a pass over all of them.
    #[must_use]
    pub fn select_ids(&self, namespace: &str, selector: &Selector) -> Vec<usize> {
        let matches = |&i: &usize| selector.matches(self.pods[i].labels);
        let rarest = selector
            .equalities()
            .map(|(k, v)| self.pods_with(namespace, k, v))
            .min_by_key(|pods| pods.len());
        match rarest {
            Some(candidates) => {
                let ids = candidates.iter().map(|&(_, _, _, i)| i as usize);
                // The candidates carry the pair they were found by: a selector of that one
                // pair needs no second test.
                if selector.requirements.len() == 1 {
                    ids.collect()
                } else {
                    ids.filter(matches).collect()
                }
            }
            None => self
                .pods_by_namespace
                .get(namespace)
                .map_or(&[][..], Vec::as_slice)
                .iter()
                .copied()
                .filter(matches)
                .collect(),
        }
    }

    /// Indexes into [`Inventory::pods`] of the pod templates that the input object of entry
    /// `index` selects through its own selector ([`Facts::pod_selector`]), in pod order; none
    /// for an entry without one.
    #[must_use]
    pub fn selected(&self, index: usize) -> Cow<'_, [usize]> {
        if let Ok(at) = self.selections.binary_search_by_key(&index, |(i, _)| *i) {
            return Cow::Borrowed(&self.selections[at].1);
        }
        let entry = &self.entries[index];
        match entry.facts().and_then(Facts::pod_selector) {
            Some(sel) => Cow::Owned(self.select_ids(entry.namespace, sel)),
            None => Cow::Borrowed(&[]),
        }
    }

    /// The pod templates of [`Inventory::selected`].
    pub fn selected_pods(&self, index: usize) -> Vec<&PodTemplate<'a>> {
        self.selected(index)
            .iter()
            .map(|&i| &self.pods[i])
            .collect()
    }

    /// The entries of the label index of `namespace` for `key=value`, in pod order.
    fn pods_with(&self, namespace: &str, key: &str, value: &str) -> &[LabelEntry<'a>] {
        let Some(index) = self.pods_by_label.get(namespace) else {
            return &[];
        };
        let hash = pair_hash(key, value);
        let start = index.hashes.partition_point(|&h| h < hash);
        let len = index.hashes[start..].partition_point(|&h| h == hash);
        let same_hash = &index.entries[start..start + len];
        let want = (key, value);
        let start = same_hash.partition_point(|&(_, k, v, _)| (k, v) < want);
        let len = same_hash[start..].partition_point(|&(_, k, v, _)| (k, v) == want);
        &same_hash[start..start + len]
    }

    /// The pod template of `namespace` sharing the most `key=value` pairs with `selector`'s
    /// `In` requirements, to show next to a selector that matches nothing. Only pods carrying
    /// one of those pairs are looked at, through the label index.
    #[must_use]
    pub fn nearest(&self, namespace: &str, selector: &Selector) -> Option<&PodTemplate<'a>> {
        use crate::object::selector::Requirement;
        let mut shared: HashMap<usize, usize> = HashMap::new();
        for req in &selector.requirements {
            let Requirement::In(k, values) = req else {
                continue;
            };
            for v in values {
                for &(_, _, _, i) in self.pods_with(namespace, k, v) {
                    *shared.entry(i as usize).or_default() += 1;
                }
            }
        }
        shared
            .into_iter()
            .max_by_key(|&(i, n)| (n, std::cmp::Reverse(i)))
            .map(|(i, _)| &self.pods[i])
    }
}

/// One label of a pod in the label index: the hash of its key and value, the key, the value
/// and the pod. Entries sort by hash first, so that building and searching the index compare
/// integers and read label text (scattered over the heap, a cache miss each) only among
/// entries whose hash agrees.
type LabelEntry<'a> = (u32, &'a str, &'a str, u32);

/// The labels of a namespace's pods, sorted, with their hashes apart: a search reads
/// four bytes an entry (the namespace's hashes stay in cache from one selection to the next)
/// and the entries only where the hash agrees.
#[derive(Debug, Default)]
struct LabelIndex<'a> {
    /// The hash of each entry of `entries`, at the same index.
    hashes: Vec<u32>,
    entries: Vec<LabelEntry<'a>>,
}

/// The entries of one pod's labels, hashed later (on every thread).
fn pod_labels(pod: u32, labels: &Labels) -> impl Iterator<Item = LabelEntry<'_>> {
    labels
        .iter()
        .map(move |(k, v)| (0, k.as_str(), v.as_str(), pod))
}

/// A hash of a label's key and value.
fn pair_hash(key: &str, value: &str) -> u32 {
    text_hash(&[key, value])
}

/// A hash of an entry's kind, namespace and name.
fn key_hash((kind, namespace, name): (&str, &str, &str)) -> u32 {
    text_hash(&[kind, namespace, name])
}

/// A hash of a few texts.
fn text_hash(texts: &[&str]) -> u32 {
    let mut hasher = WordHasher::default();
    for text in texts {
        hasher.write(text.as_bytes());
    }
    (hasher.finish() >> 32) as u32
}

/// The inventory's hash maps, keyed by kinds and namespaces: the standard hasher resists
/// crafted collisions at several times the cost, and these keys are few and come from the
/// user's own files.
type TextMap<K, V> = HashMap<K, V, BuildHasherDefault<WordHasher>>;

/// FxHash's word-at-a-time mixing. It only orders indexes and buckets, so it need not resist
/// anything; equal texts always hash alike.
#[derive(Default)]
struct WordHasher(u64);

impl WordHasher {
    fn add(&mut self, word: u64) {
        const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(SEED);
    }
}

impl Hasher for WordHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut words = bytes.chunks_exact(8);
        for word in words.by_ref() {
            self.add(u64::from_le_bytes(word.try_into().unwrap_or([0; 8])));
        }
        let mut last = [0u8; 8];
        let rest = words.remainder();
        last[..rest.len()].copy_from_slice(rest);
        // The length ends each text, so that `a`,`bc` and `ab`,`c` hash apart.
        self.add(u64::from_le_bytes(last) ^ (bytes.len() as u64) << 56);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

/// A `labels:` mapping as the API stores it.
#[must_use]
pub fn label_map(node: NodeRef<'_>) -> Labels {
    node.entries()
        .filter_map(|(k, v)| {
            let value = if v.is_null() {
                String::new()
            } else {
                v.as_display()?
            };
            Some((k.text()?.to_string(), value))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::{key_hash, pair_hash, Inventory};
    use crate::engine::{run, RunSettings};
    use crate::object::facts::Facts;
    use crate::source::SourceFile;

    /// Two names `n{i}`, `n{j}` whose ConfigMaps in namespace `a` share a key hash.
    fn colliding_names() -> (String, String) {
        let mut seen = std::collections::HashMap::new();
        for i in 0.. {
            let name = format!("n{i}");
            if let Some(first) = seen.insert(key_hash(("ConfigMap", "a", &name)), name.clone()) {
                return (first, name);
            }
        }
        unreachable!()
    }

    #[test]
    fn lookups_and_duplicate_groups_tell_apart_keys_of_one_hash() {
        let (first, second) = colliding_names();
        // Each colliding name twice, next to names that repeat across kinds and namespaces.
        let mut names: Vec<(String, &str, &str)> = [&first, &second, &first, &second]
            .into_iter()
            .map(|n| (n.clone(), "ConfigMap", "a"))
            .collect();
        for i in 0..30 {
            names.push((
                format!("m{}", i % 7),
                ["ConfigMap", "Secret"][i % 2],
                ["a", "b"][i % 3 % 2],
            ));
        }
        let text = names
            .iter()
            .map(|(name, kind, ns)| {
                format!(
                    "apiVersion: v1\nkind: {kind}\nmetadata: {{name: {name}, namespace: {ns}}}\n"
                )
            })
            .collect::<Vec<_>>()
            .join("---\n");
        let outcome = run(
            vec![Arc::new(SourceFile::new("all.yaml", text))],
            &RunSettings::defaults(),
        );
        let settings = RunSettings::defaults();
        let inv = Inventory::build(&outcome.inputs, &settings, &[]);
        assert_eq!(inv.find("ConfigMap", "a", &first), [0, 2]);
        assert_eq!(inv.find("ConfigMap", "a", &second), [1, 3]);
        assert!(inv.find("ConfigMap", "b", &first).is_empty());
        for (i, (name, kind, ns)) in names.iter().enumerate() {
            let scanned: Vec<usize> = (0..names.len())
                .filter(|&j| names[j] == (name.clone(), *kind, *ns))
                .collect();
            assert!(scanned.contains(&i));
            assert_eq!(inv.find(kind, ns, name), scanned);
        }
        let mut groups: Vec<Vec<usize>> = inv.same_key_groups().map(<[usize]>::to_vec).collect();
        groups.sort();
        let mut expected: Vec<Vec<usize>> = Vec::new();
        for (i, key) in names.iter().enumerate() {
            let group: Vec<usize> = (0..names.len()).filter(|&j| names[j] == *key).collect();
            if group.len() > 1 && group[0] == i {
                expected.push(group);
            }
        }
        expected.sort();
        assert_eq!(groups, expected);
    }

    #[test]
    fn label_pairs_of_one_hash_select_their_own_pods() {
        // Two values of `app` whose pairs share a hash, each on one Deployment's pods; a
        // Service selects each.
        let mut seen = std::collections::HashMap::new();
        let (first, second) = (0..)
            .find_map(|i| {
                let value = format!("v{i}");
                seen.insert(pair_hash("app", &value), value.clone())
                    .map(|first| (first, value))
            })
            .unwrap_or_default();
        let mut docs = Vec::new();
        for value in [&first, &second] {
            docs.push(format!(
                "apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: d-{value}}}\nspec:\n  selector: {{matchLabels: {{app: {value}}}}}\n  template:\n    metadata: {{labels: {{app: {value}}}}}\n    spec:\n      containers: [{{name: c, image: 'nginx:1.27'}}]\n"
            ));
        }
        for value in [&first, &second, &"none".to_string()] {
            docs.push(format!(
                "apiVersion: v1\nkind: Service\nmetadata: {{name: s-{value}}}\nspec:\n  selector: {{app: {value}}}\n  ports: [{{port: 80}}]\n"
            ));
        }
        let outcome = run(
            vec![Arc::new(SourceFile::new("all.yaml", docs.join("---\n")))],
            &RunSettings::defaults(),
        );
        let flagged: Vec<&str> = outcome
            .findings
            .iter()
            .filter(|f| &*f.check == "service-selects-nothing")
            .map(|f| f.object.as_ref().map_or("", |o| o.name.as_str()))
            .collect();
        assert_eq!(flagged, ["s-none"]);
    }

    #[test]
    fn selections_worked_out_ahead_match_those_worked_out_on_demand() {
        let mut docs: Vec<String> = (0..12)
            .map(|i| {
                format!(
                    "apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: d{i}, namespace: n{}}}\nspec:\n  selector: {{matchLabels: {{app: a{}}}}}\n  template:\n    metadata: {{labels: {{app: a{}, tier: t{}}}}}\n    spec:\n      containers: [{{name: c, image: 'nginx:1.27'}}]\n",
                    i % 2, i % 5, i % 5, i % 3
                )
            })
            .collect();
        for i in 0..10 {
            let ns = i % 2;
            docs.push(format!(
                "apiVersion: v1\nkind: Service\nmetadata: {{name: s{i}, namespace: n{ns}}}\nspec:\n  selector: {{app: a{}, tier: t{}}}\n  ports: [{{port: 80}}]\n",
                i % 5,
                i % 3
            ));
            docs.push(format!(
                "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {{name: p{i}, namespace: n{ns}}}\nspec:\n  podSelector: {{matchExpressions: [{{key: tier, operator: In, values: [t{}, t2]}}]}}\n",
                i % 3
            ));
            docs.push(format!(
                "apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: {{name: b{i}, namespace: n{ns}}}\nspec:\n  minAvailable: 1\n  selector: {{matchLabels: {{app: a{}}}}}\n",
                i % 4
            ));
        }
        let outcome = run(
            vec![Arc::new(SourceFile::new("all.yaml", docs.join("---\n")))],
            &RunSettings::defaults(),
        );
        let settings = RunSettings::defaults();
        let ahead = Inventory::build(
            &outcome.inputs,
            &settings,
            &["Service", "NetworkPolicy", "PodDisruptionBudget"],
        );
        let on_demand = Inventory::build(&outcome.inputs, &settings, &[]);
        assert_eq!(ahead.selections.len(), 30);
        assert!(on_demand.selections.is_empty());
        let mut selected_some = 0;
        for (i, entry) in ahead.entries.iter().enumerate() {
            let ids = ahead.selected(i);
            assert_eq!(ids, on_demand.selected(i), "entry {i}");
            let scanned: Vec<usize> = match entry.facts().and_then(Facts::pod_selector) {
                Some(sel) => (0..ahead.pods.len())
                    .filter(|&p| {
                        ahead.pods[p].namespace == entry.namespace
                            && sel.matches(ahead.pods[p].labels)
                    })
                    .collect(),
                None => Vec::new(),
            };
            assert_eq!(*ids, scanned, "entry {i}");
            selected_some += usize::from(!ids.is_empty());
        }
        assert!(selected_some > 10, "{selected_some}");
    }

    #[test]
    fn selections_start_from_the_rarest_pair_and_still_need_every_pair() {
        // Fifty pods carry `tier: web` and three `tier: db`; the other pair of each selector
        // names one pod or none, and is the rarer one.
        let mut docs: Vec<String> = (0..53)
            .map(|i| {
                let tier = if i < 50 { "web" } else { "db" };
                format!(
                    "apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: d{i}}}\nspec:\n  selector: {{matchLabels: {{app: a{i}}}}}\n  template:\n    metadata: {{labels: {{app: a{i}, tier: {tier}}}}}\n    spec:\n      containers: [{{name: c, image: 'nginx:1.27'}}]\n"
                )
            })
            .collect();
        for (name, selector) in [
            ("hit", "{tier: web, app: a7}"),
            ("miss", "{tier: web, app: nobody}"),
            // `app: a7` is the rarer pair, and its pod is not `tier: db`.
            ("wrong-tier", "{tier: db, app: a7}"),
        ] {
            docs.push(format!(
                "apiVersion: v1\nkind: Service\nmetadata: {{name: {name}}}\nspec:\n  selector: {selector}\n  ports: [{{port: 80}}]\n"
            ));
        }
        for (name, selector) in [
            ("pdb-hit", "{tier: web, app: a9}"),
            ("pdb-miss", "{tier: web, app: nobody}"),
        ] {
            docs.push(format!(
                "apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: {{name: {name}}}\nspec:\n  minAvailable: 1\n  selector: {{matchLabels: {selector}}}\n"
            ));
        }
        let text = docs.join("---\n");
        let outcome = run(
            vec![Arc::new(SourceFile::new("all.yaml", text))],
            &RunSettings::defaults(),
        );
        let flagged: Vec<(&str, &str)> = outcome
            .findings
            .iter()
            .filter(|f| f.check.ends_with("-selects-nothing"))
            .map(|f| (&*f.check, f.object.as_ref().map_or("", |o| o.name.as_str())))
            .collect();
        assert_eq!(
            flagged,
            [
                ("service-selects-nothing", "miss"),
                ("service-selects-nothing", "wrong-tier"),
                ("pdb-selects-nothing", "pdb-miss"),
            ]
        );
    }
}
