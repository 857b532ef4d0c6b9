//! `.kubelint.yaml`: discovery (working folder upward, stopping at the repository root),
//! decoding with a span for every mistake, and merging with command-line options (which win).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use globset::Glob;
use miette::{Diagnostic, LabeledSpan, NamedSource, SourceCode};

use crate::check::{Check, Literal};
use crate::checks::{builtin, parse_check_list};
use crate::config::{find_check, Profile, Selection, UnknownCheck};
use crate::decode::{did_you_mean, string, DecodeError, Decoded, Fields};
use crate::engine::RunSettings;
use crate::finding::Severity;
use crate::k8s::version::KubeVersion;
use crate::load::WalkOptions;
use crate::object::inventory::{ExternalObject, Port};
use crate::object::pod::builtin_pod_spec_path;
use crate::object::selector::Labels;
use crate::source::{SourceFile, Span};
use crate::yaml::{self, NodeRef};

/// The file name looked for in the working folder and its parents.
pub const FILE_NAME: &str = ".kubelint.yaml";

/// Every top-level key the decoder knows, in documentation order.
pub const TOP_LEVEL_KEYS: &[&str] = &[
    "include",
    "exclude",
    "profile",
    "kubernetesVersion",
    "failOn",
    "checks",
    "customChecks",
    "podTemplatePaths",
    "externalObjects",
    "ignores",
    "lockedChecks",
];

/// The lowest severity that fails a run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FailOn {
    Error,
    Warning,
    Info,
    Never,
}

impl FailOn {
    pub const NAMES: &'static [&'static str] = &["error", "warning", "info", "never"];

    #[must_use]
    pub fn parse(name: &str) -> Option<Self> {
        match name {
            "error" => Some(FailOn::Error),
            "warning" => Some(FailOn::Warning),
            "info" => Some(FailOn::Info),
            "never" => Some(FailOn::Never),
            _ => None,
        }
    }

    #[must_use]
    pub fn threshold(self) -> Option<Severity> {
        match self {
            FailOn::Error => Some(Severity::Error),
            FailOn::Warning => Some(Severity::Warning),
            FailOn::Info => Some(Severity::Info),
            FailOn::Never => None,
        }
    }
}

/// A config-file ignore: findings of `check` on objects matching every given glob.
#[derive(Clone, Debug)]
pub struct Ignore {
    pub check: String,
    pub kind: Option<Glob>,
    pub namespace: Option<Glob>,
    pub name: Option<Glob>,
    pub container: Option<Glob>,
    pub reason: String,
    /// Where the entry is written, for `suppression-unused`.
    pub span: Span,
}

/// What suppression needs from the configuration.
#[derive(Clone, Debug, Default)]
pub struct SuppressConfig {
    pub ignores: Vec<Ignore>,
    pub locked_checks: Vec<String>,
    /// The configuration file the ignores are written in.
    pub source: Option<Arc<SourceFile>>,
}

/// A decoded `.kubelint.yaml`.
#[derive(Clone, Debug, Default)]
pub struct ConfigFile {
    pub path: PathBuf,
    pub source: Option<Arc<SourceFile>>,
    pub include: Vec<String>,
    pub exclude: Vec<String>,
    pub profile: Option<Profile>,
    pub kubernetes_version: Option<KubeVersion>,
    pub fail_on: Option<FailOn>,
    pub enable: Vec<String>,
    pub disable: Vec<String>,
    pub severity: BTreeMap<String, Severity>,
    /// Parameter overrides per check id.
    pub params: BTreeMap<String, BTreeMap<String, Literal>>,
    pub custom_checks: Vec<Arc<Check>>,
    /// Pod-spec paths by `Kind` or `group/version/Kind`.
    pub pod_template_paths: BTreeMap<String, String>,
    pub external_objects: Vec<ExternalObject>,
    pub ignores: Vec<Ignore>,
    pub locked_checks: Vec<String>,
}

/// A configuration mistake, pointing into the file it is in.
#[derive(Debug)]
pub struct ConfigError {
    pub message: String,
    pub help: Option<String>,
    /// The file and span, when the mistake is in a file's text (not e.g. a missing file).
    located: Option<Box<Located>>,
}

#[derive(Debug)]
struct Located {
    source: Arc<SourceFile>,
    span: Span,
    named: NamedSource<String>,
}

impl ConfigError {
    #[must_use]
    pub fn plain(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            help: None,
            located: None,
        }
    }

    #[must_use]
    pub fn in_file(source: &Arc<SourceFile>, err: DecodeError) -> Self {
        Self {
            message: err.message,
            help: err.help,
            located: Some(Box::new(Located {
                source: Arc::clone(source),
                span: err.span,
                named: NamedSource::new(source.path.clone(), source.text.to_string()),
            })),
        }
    }

    /// The file the mistake is in, and where.
    #[must_use]
    pub fn location(&self) -> Option<(&Arc<SourceFile>, Span)> {
        self.located.as_ref().map(|l| (&l.source, l.span))
    }
}

impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ConfigError {}

impl Diagnostic for ConfigError {
    fn code<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        Some(Box::new("kubelint::config"))
    }

    fn help<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn std::fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.located.as_ref().map(|l| &l.named as &dyn SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let span = self.located.as_ref()?.span;
        let label = LabeledSpan::new_with_span(
            Some("here".to_string()),
            (span.start as usize, span.len() as usize),
        );
        Some(Box::new(std::iter::once(label)))
    }
}

/// The `.kubelint.yaml` that applies in `start`: the nearest in `start` or a parent folder,
/// looking no further up than the repository root (the folder holding `.git`).
#[must_use]
pub fn discover(start: &Path) -> Option<PathBuf> {
    let start = std::fs::canonicalize(start).unwrap_or_else(|_| start.to_path_buf());
    for dir in start.ancestors() {
        let candidate = dir.join(FILE_NAME);
        if candidate.is_file() {
            return Some(candidate);
        }
        if dir.join(".git").exists() {
            return None;
        }
    }
    None
}

/// Reads and decodes the configuration file at `path`.
pub fn load(path: &Path) -> Result<ConfigFile, ConfigError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| ConfigError::plain(format!("cannot read {}: {e}", path.display())))?;
    parse(path, &text)
}

/// Decodes configuration `text` as if read from `path` (custom check files are resolved
/// relative to its folder).
pub fn parse(path: &Path, text: &str) -> Result<ConfigFile, ConfigError> {
    let source = Arc::new(SourceFile::new(
        path.to_string_lossy().replace('\\', "/"),
        text,
    ));
    let parsed = yaml::parse(&source);
    if let Some(err) = parsed.errors.first() {
        return Err(ConfigError::in_file(
            &source,
            DecodeError::new(err.span, err.message.clone()),
        ));
    }
    let mut config = ConfigFile {
        path: path.to_path_buf(),
        source: Some(Arc::clone(&source)),
        ..ConfigFile::default()
    };
    if parsed.documents.len() > 1 {
        let span = parsed.documents[1].span;
        return Err(ConfigError::in_file(
            &source,
            DecodeError::new(span, "a configuration file holds one YAML document"),
        ));
    }
    let Some(root) = parsed.documents.first().and_then(|d| d.root()) else {
        return Ok(config);
    };
    if root.is_null() {
        return Ok(config);
    }
    let base = path.parent().unwrap_or(Path::new("."));
    decode(root, base, &mut config).map_err(|e| match e {
        Failure::Here(e) => ConfigError::in_file(&source, e),
        Failure::Elsewhere(e) => e,
    })?;
    Ok(config)
}

/// A mistake in the configuration itself, or in a custom check file it names.
enum Failure {
    Here(DecodeError),
    Elsewhere(ConfigError),
}

impl From<DecodeError> for Failure {
    fn from(e: DecodeError) -> Self {
        Failure::Here(e)
    }
}

fn decode(root: NodeRef<'_>, base: &Path, config: &mut ConfigFile) -> Result<(), Failure> {
    let mut f = Fields::new(root, "the configuration")?;
    // Custom checks first: the ids everything else names may be theirs.
    if let Some(list) = f.get("customChecks") {
        config.custom_checks = custom_checks(list, base)?;
    }
    let mut catalog: Vec<Arc<Check>> = builtin().to_vec();
    for check in &config.custom_checks {
        catalog.push(Arc::clone(check));
    }
    if let Some(v) = f.get("include") {
        config.include = globs(v, "include")?;
    }
    if let Some(v) = f.get("exclude") {
        config.exclude = globs(v, "exclude")?;
    }
    if let Some(v) = f.get("profile") {
        let name = string(v, "profile")?;
        config.profile = Some(
            Profile::parse(name)
                .ok_or_else(|| unknown_word(v, "profile", name, Profile::NAMES.iter().copied()))?,
        );
    }
    if let Some(v) = f.get("kubernetesVersion") {
        let text = v.text().unwrap_or_default();
        config.kubernetes_version =
            Some(KubeVersion::parse(text).map_err(|e| DecodeError::new(v.span(), e.to_string()))?);
    }
    if let Some(v) = f.get("failOn") {
        let name = string(v, "failOn")?;
        config.fail_on =
            Some(FailOn::parse(name).ok_or_else(|| {
                unknown_word(v, "failOn level", name, FailOn::NAMES.iter().copied())
            })?);
    }
    if let Some(v) = f.get("checks") {
        decode_checks(v, &catalog, config)?;
    }
    if let Some(v) = f.get("podTemplatePaths") {
        config.pod_template_paths = pod_template_paths(v)?;
    }
    if let Some(v) = f.get("externalObjects") {
        config.external_objects = list(v, "externalObjects")?
            .map(external_object)
            .collect::<Decoded<_>>()?;
    }
    if let Some(v) = f.get("ignores") {
        config.ignores = list(v, "ignores")?
            .map(|item| ignore(item, &catalog))
            .collect::<Decoded<_>>()?;
    }
    if let Some(v) = f.get("lockedChecks") {
        config.locked_checks = check_ids(v, "lockedChecks", &catalog)?;
    }
    // The documented key list and the decoder must not drift apart.
    #[cfg(debug_assertions)]
    {
        let mut asked = f.asked().to_vec();
        let mut documented = TOP_LEVEL_KEYS.to_vec();
        asked.sort_unstable();
        documented.sort_unstable();
        debug_assert_eq!(asked, documented);
    }
    f.finish()?;
    Ok(())
}

fn unknown_word<'a>(
    node: NodeRef<'_>,
    what: &str,
    word: &str,
    known: impl Iterator<Item = &'a str> + Clone,
) -> DecodeError {
    let e = DecodeError::new(node.span(), format!("unknown {what} `{word}`"));
    match did_you_mean(word, known.clone()) {
        Some(s) => e.with_help(format!("did you mean `{s}`?")),
        None => e.with_help(format!(
            "use one of {}",
            known.collect::<Vec<_>>().join(", ")
        )),
    }
}

fn list<'d>(node: NodeRef<'d>, key: &str) -> Decoded<impl Iterator<Item = NodeRef<'d>>> {
    if !node.is_seq() {
        return Err(DecodeError::new(
            node.span(),
            format!("`{key}` must be a list"),
        ));
    }
    Ok(node.items())
}

fn glob(node: NodeRef<'_>, key: &str) -> Decoded<Glob> {
    let text = string(node, key)?;
    Glob::new(text)
        .map_err(|e| DecodeError::new(node.span(), format!("`{key}`: invalid glob `{text}`: {e}")))
}

fn globs(node: NodeRef<'_>, key: &str) -> Decoded<Vec<String>> {
    if !node.is_seq() {
        // A single pattern is the common case; accept it as a one-item list.
        return Ok(vec![glob(node, key)?.glob().to_string()]);
    }
    node.items()
        .map(|item| glob(item, key).map(|g| g.glob().to_string()))
        .collect()
}

fn check_id<'d>(node: NodeRef<'d>, key: &str, catalog: &[Arc<Check>]) -> Decoded<&'d str> {
    let id = string(node, key)?;
    find_check(catalog, id).map_err(|e| unknown_check(node.span(), &e))?;
    Ok(id)
}

fn unknown_check(span: Span, e: &UnknownCheck) -> DecodeError {
    let err = DecodeError::new(span, format!("unknown check `{}`", e.id));
    match &e.suggestion {
        Some(s) => err.with_help(format!("did you mean `{s}`?")),
        None => err.with_help("`kubelint checks` lists every check id"),
    }
}

fn check_ids(node: NodeRef<'_>, key: &str, catalog: &[Arc<Check>]) -> Decoded<Vec<String>> {
    if !node.is_seq() {
        return Err(DecodeError::new(
            node.span(),
            format!("`{key}` must be a list of check ids"),
        ));
    }
    node.items()
        .map(|item| check_id(item, key, catalog).map(str::to_string))
        .collect()
}

fn decode_checks(
    node: NodeRef<'_>,
    catalog: &[Arc<Check>],
    config: &mut ConfigFile,
) -> Decoded<()> {
    let mut f = Fields::new(node, "`checks`")?;
    if let Some(v) = f.get("enable") {
        config.enable = check_ids(v, "enable", catalog)?;
    }
    if let Some(v) = f.get("disable") {
        config.disable = check_ids(v, "disable", catalog)?;
    }
    if let Some(v) = f.get("severity") {
        let _ = Fields::new(v, "`checks.severity`")?;
        for (key, value) in v.entries() {
            let id = check_id(key, "severity", catalog)?;
            let text = string(value, id)?;
            let severity = Severity::parse(text).ok_or_else(|| {
                unknown_word(
                    value,
                    "severity",
                    text,
                    ["error", "warning", "info"].into_iter(),
                )
            })?;
            config.severity.insert(id.to_string(), severity);
        }
    }
    if let Some(v) = f.get("params") {
        let _ = Fields::new(v, "`checks.params`")?;
        for (key, value) in v.entries() {
            let id = check_id(key, "params", catalog)?;
            let check = find_check(catalog, id).map_err(|e| unknown_check(key.span(), &e))?;
            if !value.is_map() {
                return Err(DecodeError::new(
                    value.span(),
                    format!("the parameters of `{id}` must be a mapping of name to value"),
                ));
            }
            let mut params = BTreeMap::new();
            for (pk, pv) in value.entries() {
                let name = string(pk, "parameter")?;
                if !check.params.contains_key(name) {
                    let mut e = DecodeError::new(
                        pk.span(),
                        format!("check `{id}` has no parameter `{name}`"),
                    );
                    e = match did_you_mean(name, check.params.keys().map(String::as_str)) {
                        Some(s) => e.with_help(format!("did you mean `{s}`?")),
                        None if check.params.is_empty() => {
                            e.with_help(format!("`{id}` takes no parameters"))
                        }
                        None => e.with_help(format!(
                            "its parameters: {}",
                            check.params.keys().cloned().collect::<Vec<_>>().join(", ")
                        )),
                    };
                    return Err(e);
                }
                params.insert(name.to_string(), Literal::from_node(pv)?);
            }
            config.params.insert(id.to_string(), params);
        }
    }
    f.finish()
}

fn custom_checks(node: NodeRef<'_>, base: &Path) -> Result<Vec<Arc<Check>>, Failure> {
    let mut out: Vec<Arc<Check>> = Vec::new();
    let mut add = |check: Check, span: Span| -> Result<(), Failure> {
        if builtin().iter().any(|c| c.id == check.id) || out.iter().any(|c| c.id == check.id) {
            return Err(Failure::Here(
                DecodeError::new(
                    span,
                    format!("a check with id `{}` already exists", check.id),
                )
                .with_help("give the custom check its own id"),
            ));
        }
        if check.cross {
            // Cross-object logic is code over the whole inventory; a declarative rule sees one
            // object, so the flag would make the check silently never run.
            return Err(Failure::Here(
                DecodeError::new(
                    span,
                    format!(
                        "custom check `{}` sets `cross`, which only built-in checks may",
                        check.id
                    ),
                )
                .with_help("remove `cross: true`: custom checks look at one object at a time"),
            ));
        }
        out.push(Arc::new(check));
        Ok(())
    };
    for item in list(node, "customChecks")? {
        if item.is_map() {
            let check = Check::from_node(item, false)?;
            let span = item.get("id").map_or(item.span(), NodeRef::span);
            add(check, span)?;
        } else {
            let rel = string(item, "customChecks").map_err(|e| {
                e.with_help("each entry is a check definition or the path of a YAML file of them")
            })?;
            let path = base.join(rel);
            let text = std::fs::read_to_string(&path).map_err(|e| {
                DecodeError::new(
                    item.span(),
                    format!("cannot read `{}`: {e}", path.display()),
                )
            })?;
            let checks =
                parse_check_list(&path.to_string_lossy(), &text, false).map_err(|boxed| {
                    let (source, e) = *boxed;
                    Failure::Elsewhere(ConfigError::in_file(&Arc::new(source), e))
                })?;
            for check in checks {
                add(check, item.span())?;
            }
        }
    }
    Ok(out)
}

fn pod_template_paths(node: NodeRef<'_>) -> Decoded<BTreeMap<String, String>> {
    let _ = Fields::new(node, "`podTemplatePaths`")?;
    let mut out = BTreeMap::new();
    for (key, value) in node.entries() {
        let kind_key = string(key, "podTemplatePaths")?;
        let kind = kind_key.rsplit('/').next().unwrap_or_default();
        if kind.is_empty() || !kind.starts_with(|c: char| c.is_ascii_uppercase()) {
            return Err(DecodeError::new(
                key.span(),
                format!("`{kind_key}` is not a kind: write `Kind` or `group/version/Kind`"),
            ));
        }
        // A bare kind that core Kubernetes also defines would capture the built-in objects too.
        if !kind_key.contains('/')
            && (builtin_pod_spec_path(kind).is_some() || CORE_KINDS.contains(&kind))
        {
            return Err(DecodeError::new(
                key.span(),
                format!("`{kind}` alone also names a built-in Kubernetes kind"),
            )
            .with_help(format!(
                "qualify it with its apiVersion, e.g. `serving.knative.dev/v1/{kind}`"
            )));
        }
        let path = string(value, kind_key)?;
        if path.is_empty() || path.split('.').any(str::is_empty) {
            return Err(DecodeError::new(
                value.span(),
                "a pod-spec path is dotted field names, like `spec.template.spec`",
            ));
        }
        out.insert(kind_key.to_string(), path.to_string());
    }
    Ok(out)
}

/// Core kinds without a pod spec that custom resources commonly share a name with.
const CORE_KINDS: &[&str] = &[
    "Service",
    "ConfigMap",
    "Secret",
    "Namespace",
    "Ingress",
    "ServiceAccount",
    "Role",
    "ClusterRole",
];

fn external_object(node: NodeRef<'_>) -> Decoded<ExternalObject> {
    let mut f = Fields::new(node, "an external object")?;
    let name = f.required_str("name")?.to_string();
    let kind = f.required_str("kind")?.to_string();
    let namespace = f.opt_str("namespace")?.map(str::to_string);
    let mut labels = Labels::new();
    if let Some(l) = f.get("labels") {
        let _ = Fields::new(l, "`labels`")?;
        for (k, v) in l.entries() {
            let key = string(k, "labels")?;
            labels.insert(key.to_string(), string(v, key)?.to_string());
        }
    }
    let mut ports = Vec::new();
    if let Some(p) = f.get("ports") {
        for item in list(p, "ports")? {
            ports.push(port(item)?);
        }
    }
    f.finish()?;
    Ok(ExternalObject {
        kind,
        name,
        namespace,
        labels,
        ports,
    })
}

fn port_number(node: NodeRef<'_>) -> Decoded<u16> {
    node.as_i64()
        .and_then(|n| u16::try_from(n).ok())
        .filter(|&n| n > 0)
        .ok_or_else(|| DecodeError::new(node.span(), "a port is a number from 1 to 65535"))
}

fn port(node: NodeRef<'_>) -> Decoded<Port> {
    if !node.is_map() {
        return Ok(Port {
            name: None,
            number: Some(i64::from(port_number(node)?)),
            protocol: "TCP".into(),
        });
    }
    let mut f = Fields::new(node, "a port")?;
    let out = Port {
        number: Some(i64::from(port_number(f.required("port")?)?)),
        name: f.opt_str("name")?.map(str::to_string),
        protocol: f.opt_str("protocol")?.unwrap_or("TCP").to_string().into(),
    };
    f.finish()?;
    Ok(out)
}

fn ignore(node: NodeRef<'_>, catalog: &[Arc<Check>]) -> Decoded<Ignore> {
    let mut f = Fields::new(node, "an ignore")?;
    let check = check_id(f.required("check")?, "check", catalog)?.to_string();
    let opt_glob =
        |f: &mut Fields<'_>, key: &'static str| f.get(key).map(|v| glob(v, key)).transpose();
    let kind = opt_glob(&mut f, "kind")?;
    let namespace = opt_glob(&mut f, "namespace")?;
    let name = opt_glob(&mut f, "name")?;
    let container = opt_glob(&mut f, "container")?;
    let reason = f.required_str("reason")?.trim().to_string();
    if reason.is_empty() {
        return Err(DecodeError::new(
            node.get("reason").map_or(node.span(), NodeRef::span),
            "an ignore needs a reason",
        ));
    }
    f.finish()?;
    Ok(Ignore {
        check,
        kind,
        namespace,
        name,
        container,
        reason,
        span: node.span(),
    })
}

/// What the command line asked for; each given option overrides the file.
#[derive(Clone, Debug, Default)]
pub struct CliOptions {
    pub profile: Option<Profile>,
    pub enable: Vec<String>,
    pub disable: Vec<String>,
    pub kubernetes_version: Option<KubeVersion>,
    pub fail_on: Option<FailOn>,
    pub include: Vec<String>,
    pub exclude: Vec<String>,
}

/// Everything a lint run needs, from the file and the command line together.
#[derive(Clone, Debug)]
pub struct Resolved {
    /// Built-in checks followed by the custom ones.
    pub catalog: Vec<Arc<Check>>,
    pub settings: RunSettings,
    pub walk: WalkOptions,
    pub fail_on: FailOn,
    pub suppress: SuppressConfig,
}

/// The catalog a configuration sees: built-ins, then its custom checks.
#[must_use]
pub fn catalog(config: Option<&ConfigFile>) -> Vec<Arc<Check>> {
    let mut out = builtin().to_vec();
    if let Some(c) = config {
        out.extend(c.custom_checks.iter().cloned());
    }
    out
}

/// Merges `config` with the command line: a check enabled on the command line is on even if
/// the file disables it, and the other way round.
pub fn resolve(config: Option<&ConfigFile>, cli: &CliOptions) -> Result<Resolved, UnknownCheck> {
    let default = ConfigFile::default();
    let file = config.unwrap_or(&default);
    let catalog = catalog(config);
    let mut enable: Vec<String> = file
        .enable
        .iter()
        .filter(|id| !cli.disable.contains(id))
        .cloned()
        .collect();
    enable.extend(cli.enable.iter().cloned());
    let mut disable: Vec<String> = file
        .disable
        .iter()
        .filter(|id| !cli.enable.contains(id))
        .cloned()
        .collect();
    disable.extend(cli.disable.iter().cloned());
    let selection = Selection {
        profile: cli.profile.or(file.profile),
        enable,
        disable,
        severity: file.severity.clone(),
    };
    let version = cli
        .kubernetes_version
        .or(file.kubernetes_version)
        .unwrap_or(KubeVersion::NEWEST);
    let mut settings = crate::config::settings(&catalog, &selection, version)?;
    for active in &mut settings.checks {
        if let Some(params) = file.params.get(&*active.check.id) {
            for (name, value) in params {
                active.params.insert(name.clone(), value.clone());
            }
        }
    }
    settings.pod_template_paths = file.pod_template_paths.clone();
    settings.external_objects = file.external_objects.clone();
    let pick = |cli: &Vec<String>, file: &Vec<String>| {
        if cli.is_empty() {
            file.clone()
        } else {
            cli.clone()
        }
    };
    Ok(Resolved {
        catalog,
        settings,
        walk: WalkOptions {
            include: pick(&cli.include, &file.include),
            exclude: pick(&cli.exclude, &file.exclude),
        },
        fail_on: cli.fail_on.or(file.fail_on).unwrap_or(FailOn::Error),
        suppress: SuppressConfig {
            ignores: file.ignores.clone(),
            locked_checks: file.locked_checks.clone(),
            source: file.source.clone(),
        },
    })
}

/// The starter file `kubelint init` writes.
pub const STARTER: &str = include_str!("starter.yaml");
