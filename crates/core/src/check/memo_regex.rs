//! The regexes of `matches` and `not-matches` tests, with their answers on short texts
//! remembered per thread: manifests repeat the texts these tests read (variable names,
//! label keys, port names), and a search costs several times a lookup in a small table.

use std::cell::RefCell;
use std::sync::atomic::{AtomicU32, Ordering};

use regex::Regex;

/// A compiled pattern of the check vocabulary.
#[derive(Clone, Debug)]
pub struct MemoRegex {
    regex: Regex,
    /// Tells this pattern's answers from other patterns' in the table.
    id: u32,
}

impl MemoRegex {
    /// Compiles `pattern`.
    pub fn new(pattern: &str) -> Result<Self, regex::Error> {
        static NEXT_ID: AtomicU32 = AtomicU32::new(0);
        Ok(Self {
            regex: Regex::new(pattern)?,
            id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
        })
    }

    /// Whether the pattern matches somewhere in `text`, as [`Regex::is_match`] says.
    #[must_use]
    pub fn is_match(&self, text: &str) -> bool {
        let bytes = text.as_bytes();
        if bytes.len() > REMEMBERED_LEN {
            return self.regex.is_match(text);
        }
        let mut padded = [0u8; REMEMBERED_LEN];
        padded[..bytes.len()].copy_from_slice(bytes);
        let slot = slot_of(self.id, &padded, bytes.len());
        ANSWERS.with(|answers| {
            let mut answers = answers.borrow_mut();
            let entry = &mut answers[slot];
            if entry.pattern == self.id
                && usize::from(entry.len) == bytes.len()
                && entry.text == padded
            {
                return entry.answer;
            }
            let answer = self.regex.is_match(text);
            *entry = Answer {
                pattern: self.id,
                // At most `REMEMBERED_LEN`, checked above.
                len: u8::try_from(bytes.len()).unwrap_or(u8::MAX),
                answer,
                text: padded,
            };
            answer
        })
    }

    #[must_use]
    pub fn as_str(&self) -> &str {
        self.regex.as_str()
    }
}

/// Texts up to this long are remembered: names and short values, the texts that repeat.
const REMEMBERED_LEN: usize = 32;

/// Answers kept per thread. 256 slots of 40 bytes stay within the first-level cache's reach
/// beside the trees being checked.
const SLOTS: usize = 256;

#[derive(Clone, Copy)]
struct Answer {
    /// `u32::MAX` for an empty slot: no pattern has that id before four billion compiles.
    pattern: u32,
    len: u8,
    answer: bool,
    text: [u8; REMEMBERED_LEN],
}

const EMPTY: Answer = Answer {
    pattern: u32::MAX,
    len: 0,
    answer: false,
    text: [0; REMEMBERED_LEN],
};

thread_local! {
    static ANSWERS: RefCell<[Answer; SLOTS]> = const { RefCell::new([EMPTY; SLOTS]) };
}

/// The slot of a pattern's answer on a text: one place per pair, the latest answer wins it.
fn slot_of(pattern: u32, padded: &[u8; REMEMBERED_LEN], len: usize) -> usize {
    let word = |at: usize| {
        let mut bytes = [0u8; 8];
        bytes.copy_from_slice(&padded[at..at + 8]);
        u64::from_le_bytes(bytes)
    };
    let mut hash = u64::from(pattern) << 8 | len as u64;
    for at in [0, 8, 16, 24] {
        hash = (hash ^ word(at)).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    }
    // The top bits are the best mixed.
    (hash >> (u64::BITS - SLOTS.trailing_zeros())) as usize
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remembered_answers_agree_with_the_regex_for_every_pattern_and_text() {
        let patterns = ["(?i)secret|token", "^[a-z]+$", ""]
            .map(|p| (MemoRegex::new(p).unwrap(), Regex::new(p).unwrap()));
        // Far more texts than slots, each asked twice, so that answers are both reused and
        // displaced; texts of one length with different answers, so that an answer kept for
        // another text would show; and texts of exactly the remembered length and one past it.
        let letters = |mut i: usize| {
            let mut out = String::new();
            while i > 0 {
                out.push(char::from(b'a' + (i % 26) as u8));
                i /= 26;
            }
            out
        };
        let mut texts: Vec<String> = (0..3000)
            .map(|i| match i % 3 {
                0 => format!("token{}", letters(i)),
                1 => format!("tokem{}", letters(i)),
                _ => format!("tokem{}1", letters(i)),
            })
            .collect();
        texts.extend(["SECRET", "token", "abc", "", "a\0", "a"].map(String::from));
        texts.push("s".repeat(REMEMBERED_LEN));
        texts.push(format!("{}token", "x".repeat(REMEMBERED_LEN)));
        for _ in 0..2 {
            for text in &texts {
                for (memo, plain) in &patterns {
                    assert_eq!(
                        memo.is_match(text),
                        plain.is_match(text),
                        "{} on {text:?}",
                        memo.as_str()
                    );
                }
            }
        }
    }

    #[test]
    fn texts_differing_only_in_trailing_nul_bytes_are_told_apart() {
        let ends_in_a = MemoRegex::new("a$").unwrap();
        assert!(ends_in_a.is_match("a"));
        assert!(!ends_in_a.is_match("a\0"));
        assert!(ends_in_a.is_match("a"));
    }
}
