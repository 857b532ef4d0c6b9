//! Kubernetes knowledge the checks consult: versioned API lifecycles and Pod Security data,
//! and the API server's own parsers for quantities, cron schedules and names.

pub mod api_versions;
pub mod cron;
pub mod names;
pub mod pss;
pub mod quantity;
pub mod version;

use std::cell::RefCell;
use std::thread::LocalKey;

/// Texts a thread remembers the outcome of, at most: a run repeats a few label keys and
/// quantities (`app.kubernetes.io/name`, `512Mi`) on every object, each read by several checks,
/// and comparing a text with these costs a fraction of working it out again.
const REMEMBERED: usize = 32;

/// A thread's remembered outcomes, by text (see [`remembered`]).
pub(crate) type Memory<T> = RefCell<Vec<(Box<str>, T)>>;

/// `work_out(text)`, taken from `memory` when the thread has worked it out before. Only
/// successes are kept, the first [`REMEMBERED`] distinct texts of a thread.
pub(crate) fn remembered<T: Clone, E>(
    memory: &'static LocalKey<Memory<T>>,
    text: &str,
    work_out: impl FnOnce(&str) -> Result<T, E>,
) -> Result<T, E> {
    let known = memory.with_borrow(|known| {
        known
            .iter()
            .find(|(seen, _)| **seen == *text)
            .map(|(_, value)| value.clone())
    });
    if let Some(value) = known {
        return Ok(value);
    }
    let value = work_out(text)?;
    memory.with_borrow_mut(|known| {
        if known.len() < REMEMBERED {
            known.push((text.into(), value.clone()));
        }
    });
    Ok(value)
}
