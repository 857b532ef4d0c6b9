//! `CronJob.spec.schedule` validation: what robfig/cron v3's `ParseStandard` accepts, plus the
//! API server's refusal of `TZ`/`CRON_TZ` inside the schedule.
//!
//! Upstream quirks are kept on purpose, because a schedule the API server accepts must not be
//! reported as invalid: `?` means `*` in every field, empty list items (`1,,2`) are skipped,
//! `*-5` is read as `*`, and `@every` takes any Go duration, even zero or negative.

use std::fmt;

/// One of the five fields of a standard cron schedule.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CronField {
    Minute,
    Hour,
    DayOfMonth,
    Month,
    DayOfWeek,
}

impl CronField {
    const ALL: [CronField; 5] = [
        CronField::Minute,
        CronField::Hour,
        CronField::DayOfMonth,
        CronField::Month,
        CronField::DayOfWeek,
    ];

    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            CronField::Minute => "minute",
            CronField::Hour => "hour",
            CronField::DayOfMonth => "day-of-month",
            CronField::Month => "month",
            CronField::DayOfWeek => "day-of-week",
        }
    }

    fn bounds(self) -> (u64, u64) {
        match self {
            CronField::Minute => (0, 59),
            CronField::Hour => (0, 23),
            CronField::DayOfMonth => (1, 31),
            CronField::Month => (1, 12),
            CronField::DayOfWeek => (0, 6),
        }
    }

    /// Three-letter names, numbered from the field's minimum.
    fn names(self) -> &'static [&'static str] {
        match self {
            CronField::Month => &[
                "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
            ],
            CronField::DayOfWeek => &["sun", "mon", "tue", "wed", "thu", "fri", "sat"],
            _ => &[],
        }
    }
}

/// Why a schedule is invalid. `Display` gives a sentence for the user.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum CronError {
    Empty,
    /// `TZ=` or `CRON_TZ=` in the schedule, refused on create since Kubernetes 1.25.
    TimeZoneInSchedule,
    FieldCount {
        found: usize,
    },
    Field {
        field: CronField,
        problem: String,
    },
    UnknownDescriptor(String),
    /// `@every` followed by something Go's `time.ParseDuration` refuses.
    EveryDuration {
        duration: String,
    },
}

impl fmt::Display for CronError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CronError::Empty => f.write_str("schedule must not be empty"),
            CronError::TimeZoneInSchedule => f.write_str(
                "schedule must not contain TZ or CRON_TZ (refused since Kubernetes 1.25); \
                 set the time zone in spec.timeZone instead",
            ),
            CronError::FieldCount { found } => {
                write!(
                    f,
                    "schedule must have 5 space-separated fields (minute hour day-of-month \
                     month day-of-week), found {found}"
                )?;
                if *found == 6 {
                    f.write_str("; Kubernetes schedules have no seconds field")?;
                }
                Ok(())
            }
            CronError::Field { field, problem } => write!(f, "{} field: {problem}", field.name()),
            CronError::UnknownDescriptor(descriptor) => write!(
                f,
                "unknown schedule {descriptor:?}; use @yearly, @annually, @monthly, @weekly, \
                 @daily, @midnight, @hourly or @every <duration>"
            ),
            CronError::EveryDuration { duration } => write!(
                f,
                "@every: {duration:?} is not a duration; write one as in 1h30m, 90s or 500ms"
            ),
        }
    }
}

impl std::error::Error for CronError {}

const DESCRIPTORS: [&str; 7] = [
    "@yearly",
    "@annually",
    "@monthly",
    "@weekly",
    "@daily",
    "@midnight",
    "@hourly",
];

/// Checks a schedule as the API server does when a CronJob is created.
pub fn validate_schedule(schedule: &str) -> Result<(), CronError> {
    if schedule.is_empty() {
        return Err(CronError::Empty);
    }
    // Upstream looks for the substring anywhere, not only for a `TZ=` prefix.
    if schedule.contains("TZ") {
        return Err(CronError::TimeZoneInSchedule);
    }
    if schedule.starts_with('@') {
        return validate_descriptor(schedule);
    }
    let fields: Vec<&str> = schedule.split_whitespace().collect();
    if fields.len() != CronField::ALL.len() {
        return Err(CronError::FieldCount {
            found: fields.len(),
        });
    }
    for (field, text) in CronField::ALL.into_iter().zip(fields) {
        validate_field(field, text).map_err(|problem| CronError::Field { field, problem })?;
    }
    Ok(())
}

fn validate_descriptor(schedule: &str) -> Result<(), CronError> {
    if DESCRIPTORS.contains(&schedule) {
        return Ok(());
    }
    if let Some(duration) = schedule.strip_prefix("@every ") {
        return if is_go_duration(duration) {
            Ok(())
        } else {
            Err(CronError::EveryDuration {
                duration: duration.to_owned(),
            })
        };
    }
    Err(CronError::UnknownDescriptor(schedule.to_owned()))
}

fn validate_field(field: CronField, text: &str) -> Result<(), String> {
    // robfig splits with strings.FieldsFunc, which drops empty items.
    for item in text.split(',').filter(|item| !item.is_empty()) {
        validate_item(field, item)?;
    }
    Ok(())
}

fn validate_item(field: CronField, item: &str) -> Result<(), String> {
    let (min, max) = field.bounds();
    let in_bounds = |text: &str| {
        let value = parse_value(field, item, text)?;
        if (min..=max).contains(&value) {
            Ok(value)
        } else {
            Err(format!("{text} is out of range {min}-{max}"))
        }
    };
    let mut parts = item.split('/');
    let range = parts.next().unwrap_or_default();
    let step = parts.next();
    if parts.next().is_some() {
        return Err(format!("{item:?} has more than one '/'"));
    }

    let mut ends = range.split('-');
    let first = ends.next().unwrap_or_default();
    if first != "*" && first != "?" {
        let start = in_bounds(first)?;
        let end = match (ends.next(), ends.next()) {
            (None, _) => None,
            (Some(end), None) => Some(in_bounds(end)?),
            (Some(_), Some(_)) => return Err(format!("{item:?} has more than one '-'")),
        };
        if let Some(end) = end.filter(|&end| start > end) {
            return Err(format!("{item:?} starts at {start}, after its end {end}"));
        }
    }

    if let Some(step) = step {
        if step.is_empty() {
            return Err(format!("{item:?} has no step after '/'"));
        }
        match parse_go_uint(step) {
            Some(0) => return Err(format!("{item:?} has step 0; a step must be at least 1")),
            Some(_) => {}
            None => return Err(format!("{item:?} has step {step:?}, which is not a number")),
        }
    }
    Ok(())
}

fn parse_value(field: CronField, item: &str, text: &str) -> Result<u64, String> {
    if text.is_empty() {
        return Err(format!("{item:?} is missing a number"));
    }
    let (min, _) = field.bounds();
    if let Some(index) = field
        .names()
        .iter()
        .position(|name| name.eq_ignore_ascii_case(text))
    {
        return Ok(min + index as u64);
    }
    parse_go_uint(text).ok_or_else(|| {
        let names = match field {
            CronField::Month => " or a month name (JAN-DEC)",
            CronField::DayOfWeek => " or a day name (SUN-SAT)",
            _ => "",
        };
        format!("{text:?} is not a number{names}")
    })
}

/// Go's `strconv.Atoi` syntax (an optional `+`, then digits). Values too large for any field
/// saturate, so they still get an out-of-range message.
fn parse_go_uint(text: &str) -> Option<u64> {
    let digits = text.strip_prefix('+').unwrap_or(text);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some(digits.bytes().fold(0u64, |value, b| {
        value.saturating_mul(10).saturating_add(u64::from(b - b'0'))
    }))
}

/// Go's `time.ParseDuration`: `[-+]?([0-9]*(\.[0-9]*)?[a-z]+)+`, with `0` alone allowed and the
/// total limited to what an `int64` of nanoseconds holds.
fn is_go_duration(text: &str) -> bool {
    const UNITS: [(&str, u128); 8] = [
        ("ns", 1),
        ("us", 1_000),
        ("\u{b5}s", 1_000),
        ("\u{3bc}s", 1_000),
        ("ms", 1_000_000),
        ("s", 1_000_000_000),
        ("m", 60_000_000_000),
        ("h", 3_600_000_000_000),
    ];
    let (negative, mut rest) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    };
    if rest == "0" {
        return true;
    }
    if rest.is_empty() {
        return false;
    }
    let limit: u128 = 1 << 63;
    let mut total: u128 = 0;
    while !rest.is_empty() {
        let integer_len = rest.bytes().take_while(u8::is_ascii_digit).count();
        let (integer, after) = rest.split_at(integer_len);
        let (fraction, after) = match after.strip_prefix('.') {
            Some(after_point) => {
                after_point.split_at(after_point.bytes().take_while(u8::is_ascii_digit).count())
            }
            None => ("", after),
        };
        if integer.is_empty() && fraction.is_empty() {
            return false;
        }
        let unit_len = after
            .find(|c: char| c == '.' || c.is_ascii_digit())
            .unwrap_or(after.len());
        let (unit, after) = after.split_at(unit_len);
        let Some(&(_, nanos)) = UNITS.iter().find(|(name, _)| *name == unit) else {
            return false;
        };
        // Digits past 2^63 overflow upstream's leadingInt; past the limit, the sum is refused.
        let Some(whole) = integer.bytes().try_fold(0u128, |value, b| {
            let value = value * 10 + u128::from(b - b'0');
            (value <= limit).then_some(value)
        }) else {
            return false;
        };
        // Only the first digits of a fraction can matter for the limit, as upstream's
        // leadingFraction also stops accumulating once it would overflow.
        let (numerator, denominator) =
            fraction.bytes().take(18).fold((0u128, 1u128), |(n, d), b| {
                (n * 10 + u128::from(b - b'0'), d * 10)
            });
        total += whole * nanos + numerator * nanos / denominator;
        if total > limit {
            return false;
        }
        rest = after;
    }
    negative || total < limit
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn valid_schedules_are_accepted() {
        let valid = [
            "* * * * *",
            "0 0 * * *",
            "*/5 * * * *",
            "59 23 31 12 6",
            "0 0 1 1 0",
            "0-59 0-23 1-31 1-12 0-6",
            "0,15,30,45 * * * *",
            "1-5/2 * * * *",
            "5/15 * * * *",
            "0 9-17 * * MON-FRI",
            "0 9 * JAN-DEC SUN-SAT",
            "0 9 * jan,Jul sun,sat",
            "0 9 * Feb Mon",
            "0 0 ? * MON",
            "0 0 1 * ?",
            "*/61 * * * *",
            "0 0 1/10 * *",
            "0/2 * * * *",
            "0 0 * * MON/2",
            "+5 * * * *",
            "*/+5 * * * *",
            "05 07 * * *",
            "0 0 * * *  ",
            "  0   0\t* *\t*",
            // robfig quirks the API server therefore accepts:
            "? ? ? ? ?",
            "1,,2 * * * *",
            ",5 * * * *",
            "*-5 * * * *",
            "?/10 * * * *",
            "@yearly",
            "@annually",
            "@monthly",
            "@weekly",
            "@daily",
            "@midnight",
            "@hourly",
            "@every 1h",
            "@every 1h30m",
            "@every 90s",
            "@every 1.5h",
            "@every .5s",
            "@every 1.s",
            "@every 500ms",
            "@every 10us",
            "@every 10\u{b5}s",
            "@every 10\u{3bc}s",
            "@every 100ns",
            "@every 0",
            "@every +5m",
            "@every -5m",
            "@every 2562047h",
        ];
        for schedule in valid {
            assert_eq!(validate_schedule(schedule), Ok(()), "{schedule:?}");
        }
    }

    #[test]
    fn invalid_schedules_report_the_field_and_reason() {
        let cases = [
            ("61 * * * *", "minute field: 61 is out of range 0-59"),
            ("* 24 * * *", "hour field: 24 is out of range 0-23"),
            ("* * 0 * *", "day-of-month field: 0 is out of range 1-31"),
            ("* * 32 * *", "day-of-month field: 32 is out of range 1-31"),
            ("* * * 0 *", "month field: 0 is out of range 1-12"),
            ("* * * 13 *", "month field: 13 is out of range 1-12"),
            ("* * * * 7", "day-of-week field: 7 is out of range 0-6"),
            ("0-60 * * * *", "minute field: 60 is out of range 0-59"),
            ("60/5 * * * *", "minute field: 60 is out of range 0-59"),
            (
                "99999999999999999999999 * * * *",
                "minute field: 99999999999999999999999 is out of range 0-59",
            ),
            (
                "10-5 * * * *",
                "minute field: \"10-5\" starts at 10, after its end 5",
            ),
            (
                "* * * * FRI-MON",
                "day-of-week field: \"FRI-MON\" starts at 5, after its end 1",
            ),
            (
                "*/0 * * * *",
                "minute field: \"*/0\" has step 0; a step must be at least 1",
            ),
            (
                "1-5/0 * * * *",
                "minute field: \"1-5/0\" has step 0; a step must be at least 1",
            ),
            ("*/ * * * *", "minute field: \"*/\" has no step after '/'"),
            (
                "*/x * * * *",
                "minute field: \"*/x\" has step \"x\", which is not a number",
            ),
            (
                "*/-1 * * * *",
                "minute field: \"*/-1\" has step \"-1\", which is not a number",
            ),
            (
                "1/2/3 * * * *",
                "minute field: \"1/2/3\" has more than one '/'",
            ),
            (
                "1-2-3 * * * *",
                "minute field: \"1-2-3\" has more than one '-'",
            ),
            ("-1 * * * *", "minute field: \"-1\" is missing a number"),
            ("1- * * * *", "minute field: \"1-\" is missing a number"),
            ("a * * * *", "minute field: \"a\" is not a number"),
            ("MON * * * *", "minute field: \"MON\" is not a number"),
            (
                "* * * JANUARY *",
                "month field: \"JANUARY\" is not a number or a month name (JAN-DEC)",
            ),
            (
                "* * * * MONDAY",
                "day-of-week field: \"MONDAY\" is not a number or a day name (SUN-SAT)",
            ),
            (
                "* * * * L",
                "day-of-week field: \"L\" is not a number or a day name (SUN-SAT)",
            ),
            (
                "* * * * 1#2",
                "day-of-week field: \"1#2\" is not a number or a day name (SUN-SAT)",
            ),
            ("* * 15W * *", "day-of-month field: \"15W\" is not a number"),
            (
                "* * * */2/ *",
                "month field: \"*/2/\" has more than one '/'",
            ),
            (
                "0 0 * * */MON",
                "day-of-week field: \"*/MON\" has step \"MON\", which is not a number",
            ),
        ];
        for (schedule, message) in cases {
            let error = validate_schedule(schedule).expect_err(schedule);
            assert_eq!(error.to_string(), message, "{schedule:?}");
        }
    }

    #[test]
    fn structural_errors() {
        let cases = [
            ("", CronError::Empty),
            ("* * * *", CronError::FieldCount { found: 4 }),
            ("0 * * * * *", CronError::FieldCount { found: 6 }),
            ("   ", CronError::FieldCount { found: 0 }),
            (" @daily", CronError::FieldCount { found: 1 }),
            ("@reboot", CronError::UnknownDescriptor("@reboot".into())),
            ("@Daily", CronError::UnknownDescriptor("@Daily".into())),
            ("@daily ", CronError::UnknownDescriptor("@daily ".into())),
            ("@every", CronError::UnknownDescriptor("@every".into())),
            ("TZ=UTC 0 0 * * *", CronError::TimeZoneInSchedule),
            (
                "CRON_TZ=Europe/Paris 0 0 * * *",
                CronError::TimeZoneInSchedule,
            ),
            ("TZ=UTC @daily", CronError::TimeZoneInSchedule),
            ("0 0 * * * TZ", CronError::TimeZoneInSchedule),
        ];
        for (schedule, expected) in cases {
            assert_eq!(validate_schedule(schedule), Err(expected), "{schedule:?}");
        }
        // A lower-case prefix is not the upstream substring, so the cron parser rejects it.
        assert_eq!(
            validate_schedule("tz=UTC 0 0 * * *"),
            Err(CronError::FieldCount { found: 6 })
        );
    }

    #[test]
    fn every_needs_a_go_duration() {
        let invalid = [
            "",
            " 1h",
            "1h ",
            "1",
            "h",
            "1x",
            "1H",
            "1hour",
            "-",
            ".s",
            "1.2.3s",
            "1h 30m",
            "9223372037s",
            "2562048h",
            "99999999999999999999ns",
        ];
        for duration in invalid {
            let schedule = format!("@every {duration}");
            assert_eq!(
                validate_schedule(&schedule),
                Err(CronError::EveryDuration {
                    duration: duration.to_owned()
                }),
                "{schedule:?}"
            );
        }
        // The int64 limit: 2^63-1 ns is allowed, 2^63 only when negative.
        assert!(is_go_duration("9223372036854775807ns"));
        assert!(!is_go_duration("9223372036854775808ns"));
        assert!(is_go_duration("-9223372036854775808ns"));
        assert!(!is_go_duration("-9223372036854775809ns"));
    }

    #[test]
    fn messages_point_to_the_fix() {
        let message = |s: &str| validate_schedule(s).unwrap_err().to_string();
        assert!(message("TZ=UTC 0 0 * * *").contains("spec.timeZone"));
        assert!(message("0 0 0 * * *").ends_with("Kubernetes schedules have no seconds field"));
        assert!(!message("0 0 * *").contains("seconds"));
        assert!(message("@every 5x").contains("1h30m"));
        assert!(message("@reboot").contains("@every <duration>"));
        assert_eq!(message(""), "schedule must not be empty");
    }
}
