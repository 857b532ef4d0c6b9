//! `KubeVersion`: a Kubernetes minor version (`1.31`), the key every versioned table here uses.

use std::fmt;
use std::str::FromStr;

/// A Kubernetes `major.minor` version. Patch releases never change served APIs or Pod Security
/// policy, so they are parsed and dropped.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct KubeVersion {
    major: u32,
    minor: u32,
}

/// Why a version string was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseVersionError {
    input: String,
    reason: &'static str,
}

impl fmt::Display for ParseVersionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "invalid Kubernetes version {:?}: {} (expected MAJOR.MINOR such as 1.31, v1.31 or 1.31.2)",
            self.input, self.reason
        )
    }
}

impl std::error::Error for ParseVersionError {}

impl KubeVersion {
    /// The newest minor the embedded tables describe. Asking about a later version gets the
    /// answers for this one, since nothing newer is known.
    pub const NEWEST: KubeVersion = KubeVersion::new(1, 37);

    #[must_use]
    pub const fn new(major: u32, minor: u32) -> Self {
        Self { major, minor }
    }

    #[must_use]
    pub const fn major(self) -> u32 {
        self.major
    }

    #[must_use]
    pub const fn minor(self) -> u32 {
        self.minor
    }

    /// Accepts `1.31`, `v1.31` and `1.31.2`; the patch, if any, must still be a number.
    pub fn parse(input: &str) -> Result<Self, ParseVersionError> {
        let err = |reason| ParseVersionError {
            input: input.to_owned(),
            reason,
        };
        let trimmed = input.trim();
        let body = trimmed.strip_prefix('v').unwrap_or(trimmed);
        if body.is_empty() {
            return Err(err("empty"));
        }
        let mut parts = body.split('.');
        let major = parse_number(parts.next()).ok_or_else(|| err("major is not a number"))?;
        let minor = match parts.next() {
            None => return Err(err("minor version missing")),
            Some(part) => parse_number(Some(part)).ok_or_else(|| err("minor is not a number"))?,
        };
        if let Some(patch) = parts.next() {
            parse_number(Some(patch)).ok_or_else(|| err("patch is not a number"))?;
        }
        if parts.next().is_some() {
            return Err(err("too many components"));
        }
        Ok(Self { major, minor })
    }
}

/// Digits only: `u32::from_str` would also take `+1`, which no Kubernetes version string has.
fn parse_number(part: Option<&str>) -> Option<u32> {
    let part = part?;
    if part.is_empty() || !part.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    part.parse().ok()
}

impl FromStr for KubeVersion {
    type Err = ParseVersionError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl fmt::Display for KubeVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.major, self.minor)
    }
}

#[cfg(test)]
mod tests {
    use super::KubeVersion;

    #[test]
    fn accepts_the_three_spellings() {
        let want = KubeVersion::new(1, 31);
        assert_eq!(KubeVersion::parse("1.31"), Ok(want));
        assert_eq!(KubeVersion::parse("v1.31"), Ok(want));
        assert_eq!(KubeVersion::parse("1.31.2"), Ok(want));
        assert_eq!(KubeVersion::parse("v1.31.0"), Ok(want));
    }

    #[test]
    fn refuses_malformed_input_with_the_input_in_the_message() {
        for bad in [
            "", "v", "1", "1.", ".31", "1.x", "1.31.x", "1.31.2.3", "+1.31", "1.-3", "one.two",
        ] {
            let err = KubeVersion::parse(bad).expect_err(bad);
            assert!(err.to_string().contains(&format!("{bad:?}")), "{err}");
        }
    }

    #[test]
    fn orders_numerically_and_displays_major_dot_minor() {
        let v1_9 = KubeVersion::new(1, 9);
        let v1_10 = KubeVersion::new(1, 10);
        assert!(v1_9 < v1_10, "minor must compare as a number, not as text");
        assert!(KubeVersion::new(1, 99) < KubeVersion::new(2, 0));
        assert_eq!(KubeVersion::NEWEST.to_string(), "1.37");
        assert_eq!("v1.37".parse::<KubeVersion>(), Ok(KubeVersion::NEWEST));
    }
}
