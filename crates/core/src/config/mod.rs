//! Resolved settings for a run: which checks are active (profile, enable, disable), at what
//! severity and with which parameters, for which Kubernetes version; [`file`] reads them from
//! `.kubelint.yaml`.

pub mod file;

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::check::{Check, Literal, PssLevel};
use crate::decode::did_you_mean;
use crate::engine::{ActiveCheck, RunSettings};
use crate::finding::Severity;
use crate::k8s::version::KubeVersion;

/// Named sets of checks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Profile {
    /// Exactly the checks implementing a baseline Pod Security Standards control, as errors.
    PssBaseline,
    /// Baseline plus restricted controls, as errors.
    PssRestricted,
    /// Every check, including those off by default.
    All,
}

impl Profile {
    pub const NAMES: &'static [&'static str] = &["pss-baseline", "pss-restricted", "all"];

    #[must_use]
    pub fn parse(name: &str) -> Option<Self> {
        match name {
            "pss-baseline" => Some(Profile::PssBaseline),
            "pss-restricted" => Some(Profile::PssRestricted),
            "all" => Some(Profile::All),
            _ => None,
        }
    }

    fn pss_level(self) -> Option<PssLevel> {
        match self {
            Profile::PssBaseline => Some(PssLevel::Baseline),
            Profile::PssRestricted => Some(PssLevel::Restricted),
            Profile::All => None,
        }
    }
}

/// What the user asked for, before it is resolved against the catalog.
#[derive(Clone, Debug, Default)]
pub struct Selection {
    pub profile: Option<Profile>,
    pub enable: Vec<String>,
    pub disable: Vec<String>,
    pub severity: BTreeMap<String, Severity>,
}

/// An unknown check id, with the closest known one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnknownCheck {
    pub id: String,
    pub suggestion: Option<String>,
}

impl std::fmt::Display for UnknownCheck {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "unknown check `{}`", self.id)?;
        if let Some(s) = &self.suggestion {
            write!(f, " (did you mean `{s}`?)")?;
        }
        Ok(())
    }
}

/// Finds a check by id, or says which id was probably meant.
pub fn find_check<'a>(catalog: &'a [Arc<Check>], id: &str) -> Result<&'a Arc<Check>, UnknownCheck> {
    catalog
        .iter()
        .find(|c| &*c.id == id)
        .ok_or_else(|| UnknownCheck {
            id: id.to_string(),
            suggestion: did_you_mean(id, catalog.iter().map(|c| &*c.id)).map(str::to_string),
        })
}

/// Resolves a selection into the active checks, in catalog order.
pub fn select(
    catalog: &[Arc<Check>],
    selection: &Selection,
) -> Result<Vec<ActiveCheck>, UnknownCheck> {
    for id in selection
        .enable
        .iter()
        .chain(&selection.disable)
        .chain(selection.severity.keys())
    {
        find_check(catalog, id)?;
    }
    let mut out = Vec::new();
    for check in catalog {
        let in_profile = match selection.profile {
            None => check.enabled,
            Some(Profile::All) => true,
            Some(p) => check
                .pss
                .as_ref()
                .is_some_and(|pss| Some(pss.level) <= p.pss_level()),
        };
        let enabled = (in_profile || selection.enable.iter().any(|e| *e == *check.id))
            && !selection.disable.iter().any(|d| *d == *check.id);
        if !enabled {
            continue;
        }
        let profile_severity = match selection.profile {
            Some(Profile::PssBaseline | Profile::PssRestricted) if check.pss.is_some() => {
                Severity::Error
            }
            _ => check.severity,
        };
        let mut params = check.params.clone();
        // Restricted's `procMount_restricted` is baseline's control without the user-namespace
        // relaxation.
        if selection.profile == Some(Profile::PssRestricted) && &*check.id == "proc-mount" {
            params.insert("allowUnmaskedInUserNamespace".into(), Literal::Bool(false));
        }
        out.push(ActiveCheck {
            check: Arc::clone(check),
            severity: selection
                .severity
                .get(&*check.id)
                .copied()
                .unwrap_or(profile_severity),
            params,
        });
    }
    Ok(out)
}

/// Settings for a run of the given selection at `version`.
pub fn settings(
    catalog: &[Arc<Check>],
    selection: &Selection,
    version: KubeVersion,
) -> Result<RunSettings, UnknownCheck> {
    let mut settings = RunSettings::with_checks(std::iter::empty());
    settings.checks = select(catalog, selection)?;
    settings.kubernetes_version = version;
    Ok(settings)
}
