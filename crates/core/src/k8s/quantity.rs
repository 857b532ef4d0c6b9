//! Resource quantities (`500m`, `1.5Gi`, `1e9`): the syntax apimachinery's
//! `resource.ParseQuantity` accepts, and exact comparison of the values it produces.

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

use smallvec::SmallVec;

/// A parsed quantity, held as an exact decimal so that `1000m == 1` and `1Gi > 1G` hold without
/// floating-point error, and without a size limit: the API server accepts any number of digits.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Quantity {
    negative: bool,
    /// Significant digits, most significant first, with no leading or trailing zeros, so that
    /// each value has exactly one representation and the derived `Eq` is value equality.
    /// Empty for zero. Inline up to 24 digits: resource values have a few, and checks parse
    /// two or three per container.
    digits: Digits,
    /// The power of ten that the last digit stands for.
    exponent: i64,
}

type Digits = SmallVec<[u8; 24]>;

/// Why a string is not a quantity. `Display` gives a sentence for the user.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QuantityError {
    pub input: String,
    pub kind: QuantityErrorKind,
}

#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum QuantityErrorKind {
    Empty,
    Whitespace,
    /// A second `+` or `-` where the number should start (`--1`).
    ExtraSign,
    /// No digits at all (`Gi`, `-`, `.`).
    MissingNumber,
    ExtraDecimalPoint,
    /// `e`/`E` followed by something that is not a whole number (`1e`, `1e+`, `1e2.5`).
    MalformedExponent,
    /// An exponent beyond what Kubernetes can store (more than 32 bits).
    ExponentOutOfRange,
    UnknownSuffix {
        suffix: String,
        /// A valid suffix the user probably meant (`Gi` for `gi` or `GiB`).
        did_you_mean: Option<&'static str>,
    },
}

impl fmt::Display for QuantityError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let input = &self.input;
        match &self.kind {
            QuantityErrorKind::Empty => f.write_str("a quantity must not be empty"),
            QuantityErrorKind::Whitespace => write!(
                f,
                "{input:?} contains whitespace; write the number and its suffix together, as in 1Gi"
            ),
            QuantityErrorKind::ExtraSign => write!(f, "{input:?} has more than one sign"),
            QuantityErrorKind::MissingNumber => write!(
                f,
                "{input:?} has no number; a quantity is a number with an optional suffix, \
                 as in 500m, 2, 1.5Gi or 1e9"
            ),
            QuantityErrorKind::ExtraDecimalPoint => {
                write!(f, "{input:?} has more than one decimal point")
            }
            QuantityErrorKind::MalformedExponent => write!(
                f,
                "{input:?} has an exponent that is not a whole number; write it as in 1e3 or 1e-2"
            ),
            QuantityErrorKind::ExponentOutOfRange => {
                write!(f, "{input:?} has an exponent too large for a quantity")
            }
            QuantityErrorKind::UnknownSuffix {
                suffix,
                did_you_mean,
            } => {
                write!(
                    f,
                    "{input:?} has unknown suffix {suffix:?}; suffixes are case-sensitive: \
                     Ki, Mi, Gi, Ti, Pi, Ei (powers of 1024), n, u, m, k, M, G, T, P, E \
                     (powers of 1000), or an exponent as in 1e3"
                )?;
                if let Some(better) = did_you_mean {
                    write!(f, " (did you mean {better:?}?)")?;
                }
                Ok(())
            }
        }
    }
}

impl std::error::Error for QuantityError {}

/// What a suffix multiplies the number by.
#[derive(Clone, Copy)]
enum Scale {
    PowerOfTen(i64),
    /// 1024 raised to this power.
    PowerOf1024(u32),
}

const DECIMAL_SUFFIXES: [(&str, i64); 9] = [
    ("n", -9),
    ("u", -6),
    ("m", -3),
    ("k", 3),
    ("M", 6),
    ("G", 9),
    ("T", 12),
    ("P", 15),
    ("E", 18),
];

const BINARY_SUFFIXES: [(&str, u32); 6] = [
    ("Ki", 1),
    ("Mi", 2),
    ("Gi", 3),
    ("Ti", 4),
    ("Pi", 5),
    ("Ei", 6),
];

/// [`parse`], remembering the quantities the thread has parsed (see [`super::remembered`]).
pub fn parse_remembered(s: &str) -> Result<Quantity, QuantityError> {
    thread_local! {
        static VALID: super::Memory<Quantity> = const { std::cell::RefCell::new(Vec::new()) };
    }
    super::remembered(&VALID, s, parse)
}

/// Whether `s` is a quantity, remembering the valid texts the thread has met: checks that only
/// ask whether a value parses are spared copying the parsed value out of [`parse_remembered`].
pub fn check_remembered(s: &str) -> Result<(), QuantityError> {
    thread_local! {
        static VALID: super::Memory<()> = const { std::cell::RefCell::new(Vec::new()) };
    }
    super::remembered(&VALID, s, |s| parse(s).map(drop))
}

/// Parses a quantity as the API server does. YAML numbers (`cpu: 0.5`, `memory: 1e9`) are
/// parsed from their text, which is what Kubernetes does with the JSON number.
pub fn parse(s: &str) -> Result<Quantity, QuantityError> {
    let fail = |kind| QuantityError {
        input: s.to_owned(),
        kind,
    };
    if s.is_empty() {
        return Err(fail(QuantityErrorKind::Empty));
    }
    if s.contains(char::is_whitespace) {
        return Err(fail(QuantityErrorKind::Whitespace));
    }

    let (negative, unsigned) = match s.as_bytes()[0] {
        b'-' => (true, &s[1..]),
        b'+' => (false, &s[1..]),
        _ => (false, s),
    };
    let integer_len = leading_digits(unsigned);
    let (integer, rest) = unsigned.split_at(integer_len);
    let (fraction, suffix) = match rest.strip_prefix('.') {
        Some(after_point) => after_point.split_at(leading_digits(after_point)),
        None => ("", rest),
    };
    if integer.is_empty() && fraction.is_empty() {
        // Upstream reads a bare sign, `.` or `Gi` as zero; nobody writes that on purpose.
        let kind = if unsigned.starts_with(['+', '-']) {
            QuantityErrorKind::ExtraSign
        } else {
            QuantityErrorKind::MissingNumber
        };
        return Err(fail(kind));
    }
    if suffix.starts_with('.') {
        return Err(fail(QuantityErrorKind::ExtraDecimalPoint));
    }
    let scale = parse_suffix(suffix).map_err(fail)?;

    let digits: Digits = integer
        .bytes()
        .chain(fraction.bytes())
        .map(|b| b - b'0')
        .collect();
    let fraction_len = i64::try_from(fraction.len()).expect("string length fits in i64");
    let mut quantity = Quantity {
        negative,
        digits,
        exponent: -fraction_len,
    };
    match scale {
        Scale::PowerOfTen(power) => quantity.exponent += power,
        Scale::PowerOf1024(power) => quantity.multiply_digits(1u64 << (10 * power)),
    }
    quantity.normalize();
    quantity.round_up_to_nano();
    Ok(quantity)
}

fn leading_digits(s: &str) -> usize {
    s.bytes().take_while(u8::is_ascii_digit).count()
}

fn parse_suffix(suffix: &str) -> Result<Scale, QuantityErrorKind> {
    if suffix.is_empty() {
        return Ok(Scale::PowerOfTen(0));
    }
    if let Some(&(_, power)) = DECIMAL_SUFFIXES.iter().find(|(name, _)| *name == suffix) {
        return Ok(Scale::PowerOfTen(power));
    }
    if let Some(&(_, power)) = BINARY_SUFFIXES.iter().find(|(name, _)| *name == suffix) {
        return Ok(Scale::PowerOf1024(power));
    }
    // `E` alone is exa, so an exponent needs at least one character after the marker.
    if let Some(exponent) = suffix
        .strip_prefix(['e', 'E'])
        .filter(|rest| !rest.is_empty())
    {
        return parse_exponent(exponent).map(Scale::PowerOfTen);
    }
    if suffix == "e" {
        return Err(QuantityErrorKind::MalformedExponent);
    }
    Err(QuantityErrorKind::UnknownSuffix {
        suffix: suffix.to_owned(),
        did_you_mean: suggest_suffix(suffix),
    })
}

/// Go's `strconv.ParseInt` syntax, limited to the 32 bits upstream keeps of it.
fn parse_exponent(text: &str) -> Result<i64, QuantityErrorKind> {
    let unsigned = text.strip_prefix(['+', '-']).unwrap_or(text);
    if unsigned.is_empty() || leading_digits(unsigned) != unsigned.len() {
        return Err(QuantityErrorKind::MalformedExponent);
    }
    text.parse::<i32>()
        .map(i64::from)
        .map_err(|_| QuantityErrorKind::ExponentOutOfRange)
}

fn suggest_suffix(suffix: &str) -> Option<&'static str> {
    // People write byte units (`GB`, `GiB`) and lowercase binary suffixes (`gi`).
    let without_byte = match suffix.strip_suffix(['B', 'b']) {
        // Nobody means millibytes.
        Some("m") => return Some("M"),
        Some(rest) if !rest.is_empty() => rest,
        _ => suffix,
    };
    let known = BINARY_SUFFIXES
        .iter()
        .map(|(name, _)| *name)
        .chain(DECIMAL_SUFFIXES.iter().map(|(name, _)| *name));
    let mut case_insensitive = None;
    for name in known {
        if name == without_byte {
            return Some(name);
        }
        if case_insensitive.is_none() && name.eq_ignore_ascii_case(without_byte) {
            case_insensitive = Some(name);
        }
    }
    case_insensitive
}

impl Quantity {
    #[must_use]
    pub fn is_zero(&self) -> bool {
        self.digits.is_empty()
    }

    #[must_use]
    pub fn is_negative(&self) -> bool {
        self.negative
    }

    /// Multiplies by `factor`, at most 2^60 (`Ei`): a digit times it plus a carry (less than
    /// it) stays below 10 * 2^60 < 2^64, so words suffice (and divide by ten as a multiply).
    fn multiply_digits(&mut self, factor: u64) {
        debug_assert!(factor <= 1 << 60);
        let mut product = Digits::with_capacity(self.digits.len() + 20);
        let mut carry: u64 = 0;
        for &digit in self.digits.iter().rev() {
            let value = u64::from(digit) * factor + carry;
            product.push((value % 10) as u8);
            carry = value / 10;
        }
        while carry > 0 {
            product.push((carry % 10) as u8);
            carry /= 10;
        }
        product.reverse();
        self.digits = product;
    }

    fn normalize(&mut self) {
        let leading = self.digits.iter().take_while(|&&d| d == 0).count();
        self.digits.drain(..leading);
        let trailing = self.digits.iter().rev().take_while(|&&d| d == 0).count();
        self.digits.truncate(self.digits.len() - trailing);
        if self.digits.is_empty() {
            self.negative = false;
            self.exponent = 0;
        } else {
            self.exponent += i64::try_from(trailing).expect("digit count fits in i64");
        }
    }

    /// Upstream rounds non-zero values away from zero to a whole nano unit ("if you want some
    /// resources, you should get some"), so `0.1n` is stored, and compares, as `1n`.
    fn round_up_to_nano(&mut self) {
        const NANO: i64 = -9;
        if self.is_zero() || self.exponent >= NANO {
            return;
        }
        let dropped = usize::try_from(NANO - self.exponent).unwrap_or(usize::MAX);
        let kept = self.digits.len().saturating_sub(dropped);
        // Normalized digits end in a non-zero digit, so something non-zero is always dropped.
        self.digits.truncate(kept);
        self.exponent = NANO;
        let mut position = self.digits.len();
        loop {
            if position == 0 {
                self.digits.insert(0, 1);
                break;
            }
            position -= 1;
            if self.digits[position] == 9 {
                self.digits[position] = 0;
            } else {
                self.digits[position] += 1;
                break;
            }
        }
        self.normalize();
    }

    fn cmp_magnitude(&self, other: &Self) -> Ordering {
        let top = |q: &Self| q.exponent + i64::try_from(q.digits.len()).unwrap_or(i64::MAX);
        // Without leading zeros, the position of the first digit decides; then the digits do,
        // and a digit string that is a prefix of the other is the smaller value.
        top(self)
            .cmp(&top(other))
            .then_with(|| self.digits.cmp(&other.digits))
    }

    fn signum(&self) -> i8 {
        match (self.is_zero(), self.negative) {
            (true, _) => 0,
            (false, true) => -1,
            (false, false) => 1,
        }
    }
}

impl Ord for Quantity {
    fn cmp(&self, other: &Self) -> Ordering {
        match (self.signum(), other.signum()) {
            (a, b) if a != b => a.cmp(&b),
            (0, _) => Ordering::Equal,
            (1, _) => self.cmp_magnitude(other),
            _ => other.cmp_magnitude(self),
        }
    }
}

impl PartialOrd for Quantity {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl FromStr for Quantity {
    type Err = QuantityError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A remembered quantity is what parsing it again gives, valid or not, with more distinct
    /// texts than are remembered.
    #[test]
    fn remembered_quantities_read_as_parsed_ones() {
        let mut texts: Vec<String> = [
            "100m", "512Mi", "1Gi", "0", "1e3", "1.5", "-1", "Gi", "1 Gi", "", "1.0.0", "12Zi",
        ]
        .iter()
        .map(|s| (*s).to_string())
        .collect();
        texts.extend((0..40).map(|i| format!("{i}Mi")));
        for round in 0..3 {
            for t in &texts {
                assert_eq!(parse_remembered(t), parse(t), "{t:?}, round {round}");
            }
        }
    }

    fn q(s: &str) -> Quantity {
        parse(s).unwrap_or_else(|e| panic!("{s:?} should parse: {e}"))
    }

    /// The value as (sign, significant digits, power of ten of the last digit).
    fn value_of(s: &str) -> (char, String, i64) {
        let quantity = q(s);
        let digits = quantity
            .digits
            .iter()
            .map(|d| char::from(b'0' + d))
            .collect();
        let sign = match quantity.signum() {
            -1 => '-',
            0 => '0',
            _ => '+',
        };
        (sign, digits, quantity.exponent)
    }

    #[test]
    fn valid_quantities_have_exact_values() {
        let cases: &[(&str, char, &str, i64)] = &[
            ("0", '0', "", 0),
            ("00", '0', "", 0),
            ("-0", '0', "", 0),
            ("+0.000", '0', "", 0),
            ("0Gi", '0', "", 0),
            ("0e5", '0', "", 0),
            ("1", '+', "1", 0),
            ("+1", '+', "1", 0),
            ("-1", '-', "1", 0),
            ("007", '+', "7", 0),
            ("100", '+', "1", 2),
            ("0.5", '+', "5", -1),
            (".5", '+', "5", -1),
            ("5.", '+', "5", 0),
            ("1.G", '+', "1", 9),
            ("1.50", '+', "15", -1),
            ("500m", '+', "5", -1),
            ("1000m", '+', "1", 0),
            ("250u", '+', "25", -5),
            ("7n", '+', "7", -9),
            ("2k", '+', "2", 3),
            ("3M", '+', "3", 6),
            ("1G", '+', "1", 9),
            ("4T", '+', "4", 12),
            ("5P", '+', "5", 15),
            ("6E", '+', "6", 18),
            ("1Ki", '+', "1024", 0),
            ("1Mi", '+', "1048576", 0),
            ("1Gi", '+', "1073741824", 0),
            ("1Ti", '+', "1099511627776", 0),
            ("1Pi", '+', "1125899906842624", 0),
            ("1Ei", '+', "1152921504606846976", 0),
            ("1.5Gi", '+', "1610612736", 0),
            ("0.5Ki", '+', "512", 0),
            ("0.1Ki", '+', "1024", -1),
            ("-2Mi", '-', "2097152", 0),
            ("1e3", '+', "1", 3),
            ("1E3", '+', "1", 3),
            ("1e+3", '+', "1", 3),
            ("1E-2", '+', "1", -2),
            ("1e9", '+', "1", 9),
            ("1.5e3", '+', "15", 2),
            ("1e09", '+', "1", 9),
            ("12e-1", '+', "12", -1),
            // Upstream rounds below-nano values up, away from zero.
            ("1e-10", '+', "1", -9),
            ("0.1n", '+', "1", -9),
            ("1.0000000001", '+', "1000000001", -9),
            ("-1.0000000001", '-', "1000000001", -9),
            ("0.9999999999", '+', "1", 0),
            // Digits beyond any machine integer are kept exactly.
            (
                "123456789012345678901234567890123456789012345",
                '+',
                "123456789012345678901234567890123456789012345",
                0,
            ),
            (
                "999999999999999999999Ei",
                '+',
                "1152921504606846975998847078495393153024",
                0,
            ),
            ("1e2147483647", '+', "1", 2147483647),
        ];
        for &(input, sign, digits, exponent) in cases {
            assert_eq!(
                value_of(input),
                (sign, digits.to_owned(), exponent),
                "value of {input:?}"
            );
        }
    }

    #[test]
    fn invalid_quantities_are_rejected_with_the_reason() {
        use QuantityErrorKind as K;
        let unknown = |suffix: &str, did_you_mean| K::UnknownSuffix {
            suffix: suffix.to_owned(),
            did_you_mean,
        };
        let cases: Vec<(&str, QuantityErrorKind)> = vec![
            ("", K::Empty),
            ("1 Gi", K::Whitespace),
            (" 1", K::Whitespace),
            ("1 ", K::Whitespace),
            ("1\t", K::Whitespace),
            ("--1", K::ExtraSign),
            ("+-1", K::ExtraSign),
            ("-", K::MissingNumber),
            ("+", K::MissingNumber),
            (".", K::MissingNumber),
            ("Gi", K::MissingNumber),
            ("-Gi", K::MissingNumber),
            ("e3", K::MissingNumber),
            ("1.5.5", K::ExtraDecimalPoint),
            ("1..5", K::ExtraDecimalPoint),
            ("1.1.M", K::ExtraDecimalPoint),
            ("1e", K::MalformedExponent),
            ("1e+", K::MalformedExponent),
            ("1E-", K::MalformedExponent),
            ("-3.01e-", K::MalformedExponent),
            ("1e2.5", K::MalformedExponent),
            ("1e3m", K::MalformedExponent),
            ("1Ee3", K::MalformedExponent),
            ("1e--2", K::MalformedExponent),
            ("1e2147483648", K::ExponentOutOfRange),
            ("1e-2147483649", K::ExponentOutOfRange),
            ("1Gb", unknown("Gb", Some("G"))),
            ("1GB", unknown("GB", Some("G"))),
            ("1GiB", unknown("GiB", Some("Gi"))),
            ("1gi", unknown("gi", Some("Gi"))),
            ("0.1mi", unknown("mi", Some("Mi"))),
            ("1K", unknown("K", Some("k"))),
            ("1KB", unknown("KB", Some("k"))),
            ("1mb", unknown("mb", Some("M"))),
            ("1MB", unknown("MB", Some("M"))),
            ("1i", unknown("i", None)),
            (".5i", unknown("i", None)),
            ("0.1am", unknown("am", None)),
            ("0x10", unknown("x10", None)),
            ("1+1.0M", unknown("+1.0M", None)),
            ("1Mi3", unknown("Mi3", None)),
            ("aoeu", K::MissingNumber),
            ("1%", unknown("%", None)),
        ];
        for (input, kind) in cases {
            let error = parse(input).expect_err(input);
            assert_eq!(error.kind, kind, "kind for {input:?}: {error}");
            assert_eq!(error.input, input);
        }
    }

    #[test]
    fn error_messages_name_the_problem() {
        let message = |s: &str| parse(s).unwrap_err().to_string();
        assert_eq!(message(""), "a quantity must not be empty");
        assert_eq!(
            message("1.5.5"),
            "\"1.5.5\" has more than one decimal point"
        );
        assert!(message("1gi").contains("unknown suffix \"gi\""));
        assert!(message("1gi").ends_with("(did you mean \"Gi\"?)"));
        assert!(!message("0x10").contains("did you mean"));
        assert!(message("Gi").starts_with("\"Gi\" has no number"));
        assert!(message("1 Gi").contains("whitespace"));
        assert!(message("1e").contains("1e3 or 1e-2"));
    }

    #[test]
    fn comparison_is_exact_across_suffixes() {
        let cases: &[(&str, Ordering, &str)] = &[
            ("500m", Ordering::Less, "1"),
            ("1Gi", Ordering::Greater, "1G"),
            ("1000m", Ordering::Equal, "1"),
            ("0.5", Ordering::Equal, "500m"),
            ("1Ki", Ordering::Equal, "1024"),
            ("1Ki", Ordering::Greater, "1k"),
            ("1Mi", Ordering::Equal, "1024Ki"),
            ("1e3", Ordering::Equal, "1k"),
            ("1E-2", Ordering::Equal, "10m"),
            ("1e9", Ordering::Equal, "1G"),
            ("0.1", Ordering::Less, "0.15"),
            ("0.15", Ordering::Less, "0.153"),
            ("0.153", Ordering::Less, "0.2"),
            ("99", Ordering::Less, "100"),
            ("9.99", Ordering::Less, "10"),
            ("100m", Ordering::Greater, "99m"),
            ("-1", Ordering::Less, "0"),
            ("-1", Ordering::Less, "1n"),
            ("-2", Ordering::Less, "-1"),
            ("-500m", Ordering::Greater, "-1"),
            ("0", Ordering::Equal, "-0"),
            ("0", Ordering::Equal, "0Gi"),
            ("1n", Ordering::Greater, "0"),
            ("1e-10", Ordering::Equal, "1n"),
            ("1.5Gi", Ordering::Equal, "1536Mi"),
            ("1Ei", Ordering::Greater, "1E"),
            (
                "123456789012345678901234567890",
                Ordering::Less,
                "123456789012345678901234567891",
            ),
        ];
        for &(left, expected, right) in cases {
            let (l, r) = (q(left), q(right));
            assert_eq!(l.cmp(&r), expected, "{left} vs {right}");
            assert_eq!(r.cmp(&l), expected.reverse(), "{right} vs {left}");
            assert_eq!(l == r, expected == Ordering::Equal, "{left} == {right}");
        }
        assert!(q("500m") < q("1"));
        assert!(q("1Gi") > q("1G"));
        assert_eq!(q("1000m"), q("1"));
        assert_eq!(q("0.5"), q("500m"));
    }

    #[test]
    fn zero_and_sign() {
        for zero in ["0", "-0", "0.0", "0m", "0Ki", "0e9", "+000"] {
            assert!(q(zero).is_zero(), "{zero}");
            assert!(!q(zero).is_negative(), "{zero}");
        }
        for non_zero in ["1n", "1e-30", "0.001m", "-1"] {
            assert!(!q(non_zero).is_zero(), "{non_zero}");
        }
        assert!(q("-1m").is_negative());
        assert!(!q("1m").is_negative());
    }

    #[test]
    fn yaml_numbers_parse_from_their_text() {
        // What the YAML layer prints for `cpu: 1`, `cpu: 0.5`, `memory: 1e9` and Go's JSON
        // spelling of the last one.
        assert_eq!(q("1"), q("1000m"));
        assert_eq!(q("0.5"), q("500m"));
        assert_eq!(q("1e9"), q("1G"));
        assert_eq!(q("1e+09"), q("1G"));
        assert_eq!(q("1000000000"), q("1G"));
        assert!("NaN".parse::<Quantity>().is_err());
        assert!("inf".parse::<Quantity>().is_err());
    }
}
