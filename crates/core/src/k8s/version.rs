//! Kubernetes minor versions (`1.31`), as `--kubernetes-version` and versioned data use them.

use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct KubeVersion {
    pub major: u32,
    pub minor: u32,
}

/// The newest version the embedded data knows.
pub const NEWEST: KubeVersion = KubeVersion::new(1, 37);

impl KubeVersion {
    #[must_use]
    pub const fn new(major: u32, minor: u32) -> Self {
        Self { major, minor }
    }

    /// Parses `1.31`, `v1.31` or `1.31.2` (the patch is ignored).
    pub fn parse(text: &str) -> Result<Self, String> {
        let t = text.trim().trim_start_matches('v');
        let mut parts = t.split('.');
        let num = |p: Option<&str>| p.and_then(|s| s.parse::<u32>().ok());
        match (num(parts.next()), num(parts.next())) {
            (Some(major), Some(minor)) if parts.next().is_none_or(|p| p.parse::<u32>().is_ok()) => {
                Ok(Self { major, minor })
            }
            _ => Err(format!("`{text}` is not a Kubernetes version like 1.31")),
        }
    }
}

impl fmt::Display for KubeVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.major, self.minor)
    }
}
