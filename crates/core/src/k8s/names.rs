//! Name grammars of apimachinery's `util/validation`: DNS-1123 subdomains and labels, label keys
//! and values, and IANA service (port) names. Problems are reported all at once, joined by "; ",
//! as the API server lists them.

const DNS1123_LABEL_MAX: usize = 63;
const DNS1123_SUBDOMAIN_MAX: usize = 253;
const QUALIFIED_NAME_MAX: usize = 63;
const LABEL_VALUE_MAX: usize = 63;
const PORT_NAME_MAX: usize = 15;

const START_END_ALNUM: &str = "must start and end with an alphanumeric character";
const EMPTY_OR_HYPHEN_EDGED_PART: &str =
    "must not have a dot-separated part that is empty or starts or ends with '-'";

fn is_lower_alnum(c: char) -> bool {
    c.is_ascii_lowercase() || c.is_ascii_digit()
}

/// Whether `s` is a lowercase RFC 1123 subdomain (most object names).
#[must_use]
pub fn is_dns1123_subdomain(s: &str) -> bool {
    validate_dns1123_subdomain(s).is_ok()
}

/// Whether `s` is a lowercase RFC 1123 label (namespace, Service and container names).
#[must_use]
pub fn is_dns1123_label(s: &str) -> bool {
    validate_dns1123_label(s).is_ok()
}

pub fn validate_dns1123_subdomain(s: &str) -> Result<(), String> {
    if plainly_subdomain(s) {
        return Ok(());
    }
    subdomain_problems(s)
}

fn subdomain_problems(s: &str) -> Result<(), String> {
    let mut problems = Vec::new();
    if s.is_empty() {
        return Err("must not be empty".to_owned());
    }
    check_length(s, DNS1123_SUBDOMAIN_MAX, &mut problems);
    let charset_ok = s.chars().all(|c| is_lower_alnum(c) || c == '-' || c == '.');
    if !charset_ok {
        problems.push(lowercase_charset(s, "'-' or '.'"));
    }
    if !starts_and_ends_alnum(s, is_lower_alnum) {
        problems.push(START_END_ALNUM.to_owned());
    } else if charset_ok
        && !s
            .split('.')
            .all(|part| starts_and_ends_alnum(part, is_lower_alnum))
    {
        problems.push(EMPTY_OR_HYPHEN_EDGED_PART.to_owned());
    }
    into_result(problems)
}

pub fn validate_dns1123_label(s: &str) -> Result<(), String> {
    let mut problems = Vec::new();
    if s.is_empty() {
        return Err("must not be empty".to_owned());
    }
    check_length(s, DNS1123_LABEL_MAX, &mut problems);
    if !s.chars().all(|c| is_lower_alnum(c) || c == '-') {
        problems.push(lowercase_charset(s, "or '-'"));
    }
    if !starts_and_ends_alnum(s, is_lower_alnum) {
        problems.push(START_END_ALNUM.to_owned());
    }
    into_result(problems)
}

/// A label or annotation key: an optional DNS subdomain prefix and `/`, then a name of at most
/// 63 characters (upstream `IsQualifiedName`).
pub fn validate_label_key(key: &str) -> Result<(), String> {
    thread_local! {
        static VALID: super::Memory<()> = const { std::cell::RefCell::new(Vec::new()) };
    }
    super::remembered(&VALID, key, |key| {
        // A byte loop, not `split_once`: label keys are short, and a searcher costs more to
        // set up than the search.
        let plain = match key.bytes().position(|c| c == b'/') {
            None => plainly_qualified(key, QUALIFIED_NAME_MAX),
            Some(slash) => {
                plainly_subdomain(&key[..slash])
                    && plainly_qualified(&key[slash + 1..], QUALIFIED_NAME_MAX)
            }
        };
        if plain {
            return Ok(());
        }
        label_key_problems(key)
    })
}

fn label_key_problems(key: &str) -> Result<(), String> {
    let mut problems = Vec::new();
    let name = match key.split_once('/') {
        None => key,
        Some((_, name)) if name.contains('/') => {
            return Err(
                "must contain at most one '/', between an optional DNS subdomain prefix and \
                 the name (as in 'example.com/my-name')"
                    .to_owned(),
            );
        }
        Some((prefix, name)) => {
            if let Err(prefix_problems) = validate_dns1123_subdomain(prefix) {
                for problem in prefix_problems.split("; ") {
                    problems.push(format!("prefix {problem}"));
                }
            }
            name
        }
    };
    if name.is_empty() {
        problems.push("name must not be empty".to_owned());
    } else {
        for problem in qualified_characters(name, QUALIFIED_NAME_MAX) {
            problems.push(format!("name {problem}"));
        }
    }
    into_result(problems)
}

/// A label value: empty, or up to 63 alphanumerics, `-`, `_` and `.` that start and end with
/// an alphanumeric.
pub fn validate_label_value(value: &str) -> Result<(), String> {
    if value.is_empty() || plainly_qualified(value, LABEL_VALUE_MAX) {
        return Ok(());
    }
    into_result(qualified_characters(value, LABEL_VALUE_MAX))
}

/// A named container or Service port (IANA_SVC_NAME). Port names are optional in Kubernetes;
/// callers skip absent ones, so an empty name here is an error.
pub fn validate_port_name(name: &str) -> Result<(), String> {
    let mut problems = Vec::new();
    if name.is_empty() {
        return Err("must not be empty".to_owned());
    }
    check_length(name, PORT_NAME_MAX, &mut problems);
    if !name.chars().all(|c| is_lower_alnum(c) || c == '-') {
        problems.push(lowercase_charset(name, "and '-'"));
    } else if !name.chars().any(|c| c.is_ascii_lowercase()) {
        problems.push("must contain at least one letter (a-z)".to_owned());
    }
    if name.contains("--") {
        problems.push("must not contain consecutive hyphens ('--')".to_owned());
    }
    if name.starts_with('-') || name.ends_with('-') {
        problems.push("must not begin or end with a hyphen".to_owned());
    }
    into_result(problems)
}

/// The checks shared by label values and the name part of keys.
fn qualified_characters(s: &str, max: usize) -> Vec<String> {
    let mut problems = Vec::new();
    check_length(s, max, &mut problems);
    if !s
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
    {
        problems.push("must consist of alphanumeric characters, '-', '_' or '.'".to_owned());
    }
    if !starts_and_ends_alnum(s, |c| c.is_ascii_alphanumeric()) {
        problems.push(START_END_ALNUM.to_owned());
    }
    problems
}

fn check_length(s: &str, max: usize, problems: &mut Vec<String>) {
    let length = s.chars().count();
    if length > max {
        problems.push(format!("must be {max} characters or less (it is {length})"));
    }
}

fn lowercase_charset(s: &str, others: &str) -> String {
    let hint = if s.chars().any(|c| c.is_ascii_uppercase()) {
        " (upper case is not allowed)"
    } else {
        ""
    };
    format!("must consist of lower case letters, digits {others}{hint}")
}

/// The common case of a qualified name or label value in one pass over the bytes: ASCII
/// letters and digits at both ends, `-`, `_` or `.` between, at most `max` long. Anything
/// else goes to the full validation, which says what is wrong; every label of every object
/// is validated, most of them plainly valid.
fn plainly_qualified(s: &str, max: usize) -> bool {
    let b = s.as_bytes();
    match (b.first(), b.last()) {
        (Some(first), Some(last)) => {
            b.len() <= max
                && first.is_ascii_alphanumeric()
                && last.is_ascii_alphanumeric()
                && b.iter().all(|&c| QUALIFIED_BYTES[usize::from(c)])
        }
        _ => false,
    }
}

/// The bytes of a qualified name, as a table: one load a byte instead of four comparisons.
static QUALIFIED_BYTES: [bool; 256] = {
    let mut table = [false; 256];
    let mut c = 0;
    while c < 256 {
        let b = c as u8;
        table[c] = b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.');
        c += 1;
    }
    table
};

/// [`plainly_qualified`] for a lowercase RFC 1123 subdomain: dot-separated parts of lowercase
/// letters, digits and `-`, each starting and ending with a letter or digit.
///
/// One pass over the bytes: a `.` must sit between two letters or digits, and every other byte
/// is a letter, a digit or `-` (with the ends letters or digits).
fn plainly_subdomain(s: &str) -> bool {
    let lower_alnum = |c: u8| c.is_ascii_lowercase() || c.is_ascii_digit();
    let b = s.as_bytes();
    let (Some(&first), Some(&last)) = (b.first(), b.last()) else {
        return false;
    };
    if b.len() > DNS1123_SUBDOMAIN_MAX || !lower_alnum(first) || !lower_alnum(last) {
        return false;
    }
    b.windows(2).all(|pair| {
        let (prev, c) = (pair[0], pair[1]);
        if c == b'.' {
            lower_alnum(prev)
        } else if prev == b'.' {
            lower_alnum(c)
        } else {
            lower_alnum(c) || c == b'-'
        }
    })
}

fn starts_and_ends_alnum(s: &str, is_alnum: impl Fn(char) -> bool) -> bool {
    match (s.chars().next(), s.chars().next_back()) {
        (Some(first), Some(last)) => is_alnum(first) && is_alnum(last),
        _ => false,
    }
}

fn into_result(problems: Vec<String>) -> Result<(), String> {
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.join("; "))
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_fast_paths_accept_only_what_the_full_checks_accept() {
        let alphabet = ["a", "Z", "0", "-", "_", ".", "/", "é"];
        let mut words = vec![String::new()];
        for _ in 0..4 {
            let longer: Vec<String> = words
                .iter()
                .flat_map(|w| alphabet.iter().map(move |c| format!("{w}{c}")))
                .collect();
            words.extend(longer);
        }
        words.push("a".repeat(63));
        words.push("a".repeat(64));
        words.push(format!("{}/x", "a".repeat(253)));
        words.push(format!("{}/x", "a".repeat(254)));
        for w in &words {
            if plainly_subdomain(w) {
                assert_eq!(subdomain_problems(w), Ok(()), "subdomain {w:?}");
            }
            if w.split_once('/').is_none() && plainly_qualified(w, QUALIFIED_NAME_MAX) {
                assert_eq!(label_key_problems(w), Ok(()), "label key {w:?}");
            }
            assert_eq!(
                validate_label_key(w).is_ok(),
                label_key_problems(w).is_ok(),
                "label key {w:?}"
            );
            assert_eq!(
                validate_dns1123_subdomain(w).is_ok(),
                subdomain_problems(w).is_ok(),
                "subdomain {w:?}"
            );
            assert_eq!(
                validate_label_value(w).is_ok(),
                w.is_empty() || into_result(qualified_characters(w, LABEL_VALUE_MAX)).is_ok(),
                "label value {w:?}"
            );
        }
    }

    use super::*;

    fn repeat(c: char, n: usize) -> String {
        std::iter::repeat_n(c, n).collect()
    }

    #[test]
    fn dns1123_labels() {
        let valid = [
            "a".to_owned(),
            "0".to_owned(),
            "my-app".to_owned(),
            "a-1-b".to_owned(),
            "123".to_owned(),
            repeat('a', 63),
        ];
        for s in &valid {
            assert!(is_dns1123_label(s), "{s:?}");
        }
        let invalid = [
            (String::new(), "must not be empty"),
            (repeat('a', 64), "must be 63 characters or less (it is 64)"),
            ("-a".to_owned(), START_END_ALNUM),
            ("a-".to_owned(), START_END_ALNUM),
            (
                "My-App".to_owned(),
                "must consist of lower case letters, digits or '-' (upper case is not allowed); must start and end with an alphanumeric character",
            ),
            (
                "a.b".to_owned(),
                "must consist of lower case letters, digits or '-'",
            ),
            ("a_b".to_owned(), "must consist of lower case letters, digits or '-'"),
            ("é".to_owned(), "must consist of lower case letters, digits or '-'; must start and end with an alphanumeric character"),
        ];
        for (s, message) in &invalid {
            assert!(!is_dns1123_label(s), "{s:?}");
            assert_eq!(
                validate_dns1123_label(s),
                Err((*message).to_owned()),
                "{s:?}"
            );
        }
    }

    #[test]
    fn dns1123_subdomains() {
        let max_length = format!(
            "{}.{}.{}.{}",
            repeat('a', 63),
            repeat('b', 63),
            repeat('c', 63),
            repeat('d', 61)
        );
        assert_eq!(max_length.len(), 253);
        let valid = [
            "a".to_owned(),
            "example.com".to_owned(),
            "my-app.v1".to_owned(),
            "0.0.0".to_owned(),
            "a-b.c-d".to_owned(),
            // Upstream limits only the whole, not each part, to 63.
            repeat('a', 100),
            max_length.clone(),
        ];
        for s in &valid {
            assert!(is_dns1123_subdomain(s), "{s:?}");
        }
        let invalid = [
            (String::new(), "must not be empty".to_owned()),
            (
                format!("{max_length}e"),
                "must be 253 characters or less (it is 254)".to_owned(),
            ),
            (".a".to_owned(), START_END_ALNUM.to_owned()),
            ("a.".to_owned(), START_END_ALNUM.to_owned()),
            ("-a".to_owned(), START_END_ALNUM.to_owned()),
            (
                "a..b".to_owned(),
                EMPTY_OR_HYPHEN_EDGED_PART.to_owned(),
            ),
            (
                "a.-b".to_owned(),
                EMPTY_OR_HYPHEN_EDGED_PART.to_owned(),
            ),
            (
                "a-.b".to_owned(),
                EMPTY_OR_HYPHEN_EDGED_PART.to_owned(),
            ),
            (
                "Example.com".to_owned(),
                "must consist of lower case letters, digits '-' or '.' (upper case is not allowed); must start and end with an alphanumeric character".to_owned(),
            ),
            (
                "a_b.com".to_owned(),
                "must consist of lower case letters, digits '-' or '.'".to_owned(),
            ),
        ];
        for (s, message) in &invalid {
            assert!(!is_dns1123_subdomain(s), "{s:?}");
            assert_eq!(validate_dns1123_subdomain(s), Err(message.clone()), "{s:?}");
        }
    }

    #[test]
    fn label_keys() {
        let longest_prefix = format!(
            "{}.{}.{}.{}",
            repeat('a', 63),
            repeat('b', 63),
            repeat('c', 63),
            repeat('d', 61)
        );
        let valid = [
            "app".to_owned(),
            "App".to_owned(),
            "MyName".to_owned(),
            "my.name".to_owned(),
            "123-abc".to_owned(),
            "a_b".to_owned(),
            "app.kubernetes.io/name".to_owned(),
            "example.com/MyName".to_owned(),
            "k8s.io/a".to_owned(),
            repeat('n', 63),
            format!("example.com/{}", repeat('n', 63)),
            format!("{longest_prefix}/name"),
        ];
        let invalid = [
            (String::new(), "name must not be empty"),
            ("/name".to_owned(), "prefix must not be empty"),
            ("example.com/".to_owned(), "name must not be empty"),
            (
                "a/b/c".to_owned(),
                "must contain at most one '/', between an optional DNS subdomain prefix and the name (as in 'example.com/my-name')",
            ),
            (repeat('n', 64), "name must be 63 characters or less (it is 64)"),
            (
                format!("example.com/{}", repeat('n', 64)),
                "name must be 63 characters or less (it is 64)",
            ),
            (
                format!("{longest_prefix}e/name"),
                "prefix must be 253 characters or less (it is 254)",
            ),
            ("-app".to_owned(), "name must start and end with an alphanumeric character"),
            ("app_".to_owned(), "name must start and end with an alphanumeric character"),
            ("a b".to_owned(), "name must consist of alphanumeric characters, '-', '_' or '.'"),
            (
                "Example.com/name".to_owned(),
                "prefix must consist of lower case letters, digits '-' or '.' (upper case is not allowed); prefix must start and end with an alphanumeric character",
            ),
            (
                "example..com/-x".to_owned(),
                "prefix must not have a dot-separated part that is empty or starts or ends with '-'; name must start and end with an alphanumeric character",
            ),
        ];
        // Valid keys are remembered (up to a bound) and invalid ones never are: each key
        // reads the same the first time and after, with more distinct keys than are kept.
        let many: Vec<String> = (0..40).map(|i| format!("k{i}.example.com/n{i}")).collect();
        for round in 0..3 {
            for key in valid.iter().chain(&many) {
                assert_eq!(validate_label_key(key), Ok(()), "{key:?}, round {round}");
            }
            for (key, message) in &invalid {
                assert_eq!(
                    validate_label_key(key),
                    Err((*message).to_owned()),
                    "{key:?}, round {round}"
                );
            }
        }
    }

    #[test]
    fn label_values() {
        let valid = [
            String::new(),
            "v1".to_owned(),
            "MyValue".to_owned(),
            "1.2.3".to_owned(),
            "a_b-c.d".to_owned(),
            "0".to_owned(),
            repeat('v', 63),
        ];
        for value in &valid {
            assert_eq!(validate_label_value(value), Ok(()), "{value:?}");
        }
        let invalid = [
            (
                repeat('v', 64),
                "must be 63 characters or less (it is 64)".to_owned(),
            ),
            (
                repeat('v', 70),
                "must be 63 characters or less (it is 70)".to_owned(),
            ),
            ("-v".to_owned(), START_END_ALNUM.to_owned()),
            ("v.".to_owned(), START_END_ALNUM.to_owned()),
            ("_".to_owned(), START_END_ALNUM.to_owned()),
            (
                "a/b".to_owned(),
                "must consist of alphanumeric characters, '-', '_' or '.'".to_owned(),
            ),
            (
                "hello world".to_owned(),
                "must consist of alphanumeric characters, '-', '_' or '.'".to_owned(),
            ),
            (
                format!("-{}", repeat('v', 64)),
                format!("must be 63 characters or less (it is 65); {START_END_ALNUM}"),
            ),
        ];
        for (value, message) in &invalid {
            assert_eq!(
                validate_label_value(value),
                Err(message.clone()),
                "{value:?}"
            );
        }
    }

    #[test]
    fn port_names() {
        for name in [
            "http",
            "h",
            "grpc-web",
            "metrics2",
            "a1",
            "1a",
            "abcdefghijklmno",
        ] {
            assert_eq!(validate_port_name(name), Ok(()), "{name:?}");
        }
        let invalid = [
            ("", "must not be empty"),
            ("abcdefghijklmnop", "must be 15 characters or less (it is 16)"),
            ("80", "must contain at least one letter (a-z)"),
            ("1-2", "must contain at least one letter (a-z)"),
            ("HTTP", "must consist of lower case letters, digits and '-' (upper case is not allowed)"),
            ("http_alt", "must consist of lower case letters, digits and '-'"),
            ("web.ui", "must consist of lower case letters, digits and '-'"),
            ("grpc--web", "must not contain consecutive hyphens ('--')"),
            ("-http", "must not begin or end with a hyphen"),
            ("http-", "must not begin or end with a hyphen"),
            (
                "-",
                "must contain at least one letter (a-z); must not begin or end with a hyphen",
            ),
            (
                "--very-long-port-name-",
                "must be 15 characters or less (it is 22); must not contain consecutive hyphens ('--'); must not begin or end with a hyphen",
            ),
        ];
        for (name, message) in invalid {
            assert_eq!(
                validate_port_name(name),
                Err(message.to_owned()),
                "{name:?}"
            );
        }
    }
}
