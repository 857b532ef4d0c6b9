//! Plain-scalar resolution as Kubernetes' decoder does it (sigs.k8s.io/yaml over go-yaml v2):
//! YAML 1.1 booleans (`yes`, `on`, `y`), C-style octal (`0755`), underscores in numbers, and
//! floats for what the integer parsers refuse (`08`, huge integers).

use std::fmt;

/// A resolved scalar value, as the JSON that Kubernetes builds from the YAML would hold it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Scalar<'a> {
    Null,
    Bool(bool),
    /// Signed and unsigned 64-bit integers both fit.
    Int(i128),
    Float(f64),
    Str(&'a str),
}

impl<'a> Scalar<'a> {
    /// The text a string is, or how another value reads (`true`, `3`), for matching.
    #[must_use]
    pub fn display(self) -> std::borrow::Cow<'a, str> {
        match self {
            Scalar::Str(text) => std::borrow::Cow::Borrowed(text),
            other => std::borrow::Cow::Owned(other.to_string()),
        }
    }

    /// The name of the JSON type Kubernetes would see, for messages.
    #[must_use]
    pub fn type_name(&self) -> &'static str {
        match self {
            Scalar::Null => "null",
            Scalar::Bool(_) => "boolean",
            Scalar::Int(_) | Scalar::Float(_) => "number",
            Scalar::Str(_) => "string",
        }
    }
}

impl fmt::Display for Scalar<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Scalar::Null => f.write_str("null"),
            Scalar::Bool(b) => write!(f, "{b}"),
            Scalar::Int(i) => write!(f, "{i}"),
            Scalar::Float(x) if x.is_nan() => f.write_str("NaN"),
            Scalar::Float(x) if x.is_infinite() => {
                f.write_str(if *x > 0.0 { "+Inf" } else { "-Inf" })
            }
            Scalar::Float(x) if x.fract() == 0.0 && x.abs() < 1e21 => write!(f, "{x:.0}"),
            Scalar::Float(x) => write!(f, "{x}"),
            Scalar::Str(s) => f.write_str(s),
        }
    }
}

/// Resolves an untagged plain scalar the way go-yaml v2's `resolve()` does.
#[must_use]
pub fn resolve_plain(text: &str) -> Scalar<'_> {
    if could_be_word(text) {
        if let Some(known) = resolve_word(text) {
            return known;
        }
    }
    match text.as_bytes().first() {
        Some(b'.') => parse_go_float(text).map_or(Scalar::Str(text), Scalar::Float),
        // Every number ends in a digit (hex ones included), `.` or `_` (dropped): quantities
        // such as `500m` and `1Gi`, the usual digit-led strings, are settled at once.
        Some(b'0'..=b'9' | b'+' | b'-')
            if matches!(
                text.as_bytes().last(),
                Some(b'0'..=b'9' | b'a'..=b'f' | b'A'..=b'F' | b'.' | b'_')
            ) =>
        {
            resolve_number(text).unwrap_or(Scalar::Str(text))
        }
        _ => Scalar::Str(text),
    }
}

/// Whether `text` might be one of [`resolve_word`]'s words: at most five bytes, starting with
/// one of their first letters. Checks resolve values on every object, and a `match` over forty
/// words compares most of them; this settles the usual value (`nginx:1.27`, `100m`) at once.
fn could_be_word(text: &str) -> bool {
    text.len() <= 5
        && matches!(
            text.as_bytes().first(),
            None | Some(
                b'y' | b'Y'
                    | b'n'
                    | b'N'
                    | b't'
                    | b'T'
                    | b'f'
                    | b'F'
                    | b'o'
                    | b'O'
                    | b'~'
                    | b'.'
                    | b'+'
                    | b'-'
            )
        )
}

/// Whether `text`, written plain and untagged (or tagged anything but a string), is null.
#[must_use]
pub fn is_null_word(text: &str) -> bool {
    matches!(text, "" | "~" | "null" | "Null" | "NULL")
}

pub(crate) fn resolve_word(text: &str) -> Option<Scalar<'_>> {
    Some(match text {
        "y" | "Y" | "yes" | "Yes" | "YES" | "true" | "True" | "TRUE" | "on" | "On" | "ON" => {
            Scalar::Bool(true)
        }
        "n" | "N" | "no" | "No" | "NO" | "false" | "False" | "FALSE" | "off" | "Off" | "OFF" => {
            Scalar::Bool(false)
        }
        "" | "~" | "null" | "Null" | "NULL" => Scalar::Null,
        ".nan" | ".NaN" | ".NAN" => Scalar::Float(f64::NAN),
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => Scalar::Float(f64::INFINITY),
        "-.inf" | "-.Inf" | "-.INF" => Scalar::Float(f64::NEG_INFINITY),
        _ => return None,
    })
}

fn resolve_number(text: &str) -> Option<Scalar<'_>> {
    if let Some(value) = short_decimal(text.as_bytes()) {
        return Some(Scalar::Int(value));
    }
    // Timestamps (`2001-12-14`) are kept as their original text when decoded untyped; anything
    // with a `YYYY-` prefix fails the number parsers below anyway, so it stays a string.
    // Checks resolve numbers on every object; only underscores need a copy.
    let plain: std::borrow::Cow<'_, str> = if text.contains('_') {
        text.replace('_', "").into()
    } else {
        text.into()
    };
    if let Some(i) = parse_go_int(&plain) {
        return Some(Scalar::Int(i));
    }
    if is_yaml_style_float(&plain) {
        return parse_go_float(&plain).map(Scalar::Float);
    }
    None
}

/// The value of a plain decimal (`8080`, `-1`, `+3`, `0`) of up to 18 digits: most numbers
/// in manifests (ports, replicas, seconds), read without the general parser's prefix and
/// radix handling. `None` for anything else, which the general parser then reads; a leading
/// `0` means octal there, so it is left to it.
fn short_decimal(text: &[u8]) -> Option<i128> {
    let (negative, digits) = match text.split_first()? {
        (b'-', rest) => (true, rest),
        (b'+', rest) => (false, rest),
        _ => (false, text),
    };
    if digits.is_empty() || digits.len() > 18 || (digits[0] == b'0' && digits.len() > 1) {
        return None;
    }
    let mut value: i64 = 0;
    for &b in digits {
        let digit = b.wrapping_sub(b'0');
        if digit > 9 {
            return None;
        }
        value = value * 10 + i64::from(digit);
    }
    Some(i128::from(if negative { -value } else { value }))
}

/// Go's `strconv.ParseInt(s, 0, 64)` then `ParseUint(s, 0, 64)`: sign, `0x`/`0o`/`0b`
/// prefixes, and a leading `0` meaning octal.
fn parse_go_int(s: &str) -> Option<i128> {
    let (negative, body) = match s.as_bytes().first()? {
        b'-' => (true, &s[1..]),
        b'+' => (false, &s[1..]),
        _ => (false, s),
    };
    let (radix, digits) = if let Some(rest) = body.strip_prefix("0x").or(body.strip_prefix("0X")) {
        (16, rest)
    } else if let Some(rest) = body.strip_prefix("0o").or(body.strip_prefix("0O")) {
        (8, rest)
    } else if let Some(rest) = body.strip_prefix("0b").or(body.strip_prefix("0B")) {
        (2, rest)
    } else if body.len() > 1 && body.starts_with('0') {
        (8, &body[1..])
    } else {
        (10, body)
    };
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    let magnitude = u64::from_str_radix(digits, radix).ok()?;
    let value = if negative {
        -i128::from(magnitude)
    } else {
        i128::from(magnitude)
    };
    // ParseInt covers i64; ParseUint adds the positive range up to u64::MAX.
    (value >= i128::from(i64::MIN)).then_some(value)
}

/// go-yaml's `yamlStyleFloat`: `^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`.
fn is_yaml_style_float(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = usize::from(matches!(b.first(), Some(b'-' | b'+')));
    let digits = |i: &mut usize| {
        let start = *i;
        while *i < b.len() && b[*i].is_ascii_digit() {
            *i += 1;
        }
        *i - start
    };
    if b.get(i) == Some(&b'.') {
        i += 1;
        if digits(&mut i) == 0 {
            return false;
        }
    } else {
        if digits(&mut i) == 0 {
            return false;
        }
        if b.get(i) == Some(&b'.') {
            i += 1;
            digits(&mut i);
        }
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'-' | b'+')) {
            i += 1;
        }
        if digits(&mut i) == 0 {
            return false;
        }
    }
    i == b.len()
}

/// The decimal subset of Go's `strconv.ParseFloat` that plain YAML scalars reach.
fn parse_go_float(s: &str) -> Option<f64> {
    if !is_yaml_style_float(s) {
        return None;
    }
    s.parse::<f64>().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yaml_1_1_words() {
        for t in [
            "yes", "Yes", "YES", "y", "Y", "on", "On", "ON", "true", "True", "TRUE",
        ] {
            assert_eq!(resolve_plain(t), Scalar::Bool(true), "{t}");
        }
        for t in ["no", "n", "N", "off", "OFF", "false", "False"] {
            assert_eq!(resolve_plain(t), Scalar::Bool(false), "{t}");
        }
        for t in ["", "~", "null", "Null", "NULL"] {
            assert_eq!(resolve_plain(t), Scalar::Null, "{t}");
        }
        for t in ["yEs", "nO", "oN", "TrUe", "none", "yesterday", "Nope"] {
            assert_eq!(resolve_plain(t), Scalar::Str(t), "{t}");
        }
    }

    #[test]
    fn numbers_as_go_yaml_v2() {
        assert_eq!(resolve_plain("0755"), Scalar::Int(493));
        assert_eq!(resolve_plain("0o755"), Scalar::Int(493));
        assert_eq!(resolve_plain("0x1F"), Scalar::Int(31));
        assert_eq!(resolve_plain("0b101"), Scalar::Int(5));
        assert_eq!(resolve_plain("-0b101"), Scalar::Int(-5));
        assert_eq!(resolve_plain("1_000"), Scalar::Int(1000));
        assert_eq!(resolve_plain("+12"), Scalar::Int(12));
        assert_eq!(resolve_plain("-12"), Scalar::Int(-12));
        assert_eq!(resolve_plain("0"), Scalar::Int(0));
        assert_eq!(resolve_plain("08"), Scalar::Float(8.0));
        assert_eq!(resolve_plain("0128"), Scalar::Float(128.0));
        assert_eq!(resolve_plain("1e3"), Scalar::Float(1000.0));
        assert_eq!(resolve_plain("1.5e3"), Scalar::Float(1500.0));
        assert_eq!(resolve_plain(".5"), Scalar::Float(0.5));
        assert_eq!(
            resolve_plain("9223372036854775808"),
            Scalar::Int(9_223_372_036_854_775_808)
        );
        assert_eq!(resolve_plain("99999999999999999999"), Scalar::Float(1e20));
        // Numbers end in a digit, a hex digit, `.` or an underscore that is dropped.
        assert_eq!(resolve_plain("1."), Scalar::Float(1.0));
        assert_eq!(resolve_plain("1_"), Scalar::Int(1));
        assert_eq!(resolve_plain("0xfF"), Scalar::Int(255));
        assert_eq!(resolve_plain("-1E+3"), Scalar::Float(-1000.0));
        assert!(matches!(resolve_plain(".inf"), Scalar::Float(f) if f.is_infinite()));
        assert!(matches!(resolve_plain(".NaN"), Scalar::Float(f) if f.is_nan()));
    }

    /// The shortcut for plain decimals reads exactly what the general parser reads, and
    /// takes every plain decimal it should: every text of up to four bytes over digits, signs,
    /// `_`, `x` and `.`, and the longest decimals.
    #[test]
    fn short_decimals_read_as_the_general_parser_reads_them() {
        let alphabet = b"0123456789+-_x.";
        let mut texts: Vec<String> = vec![
            "1".repeat(18),
            "9".repeat(18),
            format!("-{}", "9".repeat(18)),
            "1".repeat(19),
            "9223372036854775807".into(),
        ];
        for len in 1..=4u32 {
            for mut n in 0..alphabet.len().pow(len) {
                let mut t = String::new();
                for _ in 0..len {
                    t.push(char::from(alphabet[n % alphabet.len()]));
                    n /= alphabet.len();
                }
                texts.push(t);
            }
        }
        let mut taken = 0;
        for t in &texts {
            let body = t.trim_start_matches(['+', '-']);
            let plain_decimal = t.len() - body.len() <= 1
                && (1..=18).contains(&body.len())
                && body.bytes().all(|b| b.is_ascii_digit())
                && (body == "0" || !body.starts_with('0'));
            match short_decimal(t.as_bytes()) {
                Some(v) => {
                    taken += 1;
                    assert_eq!(parse_go_int(t), Some(v), "{t}");
                }
                None => assert!(!plain_decimal, "{t} should be read as a plain decimal"),
            }
        }
        assert!(taken > 10_000, "{taken}");
    }

    #[test]
    fn strings_that_look_like_numbers() {
        for t in [
            "1:30",
            "2001-12-14",
            "1.2.3",
            "0x",
            "-",
            "+",
            "1e",
            "v1",
            "_1",
            "1Gi",
            "500m",
            "512Mi",
            "3s",
            "1e3x",
            "0x1g",
        ] {
            assert_eq!(resolve_plain(t), Scalar::Str(t), "{t}");
        }
    }

    #[test]
    fn display_matches_json() {
        assert_eq!(resolve_plain("1e3").to_string(), "1000");
        assert_eq!(resolve_plain("0755").to_string(), "493");
        assert_eq!(resolve_plain("yes").to_string(), "true");
        assert_eq!(resolve_plain("~").to_string(), "null");
        assert_eq!(resolve_plain("0.25").to_string(), "0.25");
    }
}
