//! Which allocations of a thread are a file's scratch (its text and its trees, freed when the
//! file is done) rather than the run's (objects, facts and findings, held to the end), for an
//! allocator that keeps the two in separate pages.

use std::cell::Cell;

thread_local! {
    static IN_FILE_SCRATCH: Cell<bool> = const { Cell::new(false) };
}

/// Whether this thread is allocating a file's scratch now. Never fails or allocates, so an
/// allocator may call it.
#[inline]
#[must_use]
pub fn active() -> bool {
    IN_FILE_SCRATCH.try_with(Cell::get).unwrap_or(false)
}

/// Runs `f` with this thread's allocations marked as scratch: what it allocates should not
/// outlive the file (anything may, at the cost of some locality).
pub fn with<T>(f: impl FnOnce() -> T) -> T {
    struct Restore(bool);
    impl Drop for Restore {
        fn drop(&mut self) {
            IN_FILE_SCRATCH.set(self.0);
        }
    }
    let _restore = Restore(IN_FILE_SCRATCH.replace(true));
    f()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marks_only_inside_and_restores_on_the_way_out() {
        assert!(!active());
        let inner = with(|| {
            assert!(active());
            with(|| assert!(active()));
            active()
        });
        assert!(inner);
        assert!(!active());
        // A check that panics mid-file is caught by the engine; the thread must not stay
        // marked for the rest of the run.
        let caught = std::panic::catch_unwind(|| with(|| panic!("check failed")));
        assert!(caught.is_err());
        assert!(!active());
        std::thread::spawn(|| assert!(!active())).join().unwrap();
    }
}
