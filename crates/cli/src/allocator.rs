//! The process's memory set-up, shared by the CLI and the benchmark (which includes this file):
//! mimalloc as the allocator, no transparent huge pages, freed memory kept for reuse while
//! files are linted and handed back at once after (to the OS, and from one size class to the
//! others). A lint is a short burst of allocations; without this, peak memory is what the run
//! ever held rather than what it holds.

#[cfg(feature = "mimalloc")]
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Sets the process up; call first thing in `main`, before any thread starts.
pub fn configure() {
    // Where the kernel backs every 2 MiB-aligned region with a huge page (THP "always"), each
    // one the allocator touches costs 2 MiB of zeroed memory: about a third of peak RSS and
    // 3-5% of the time on a 10,000-object run. mimalloc (built with `no_thp`) turns them off
    // itself before its first allocation, which `main` comes too late for (its first arena
    // would cost 4 MiB); this covers builds without it.
    #[cfg(target_os = "linux")]
    let _ = nix::sys::prctl::set_thp_disable(true);
    #[cfg(feature = "mimalloc")]
    memory::configure();
}

/// A run starts on its files (`RunEvents::files_start`): from here freed memory stays with
/// the process for the next files, until [`files_done`].
pub fn files_start() {
    #[cfg(feature = "mimalloc")]
    memory::files_start();
}

/// A file of `bytes` bytes of text is about to be parsed (`RunEvents::file_read`).
pub fn file_read(bytes: u32) {
    #[cfg(feature = "mimalloc")]
    memory::file_read(bytes);
}

/// That file is linted and its trees are freed (`RunEvents::file_done`).
pub fn file_done(bytes: u32) {
    #[cfg(feature = "mimalloc")]
    memory::file_done(bytes);
}

/// Every file is linted (`RunEvents::files_done`): what is freed from here on goes back at
/// once, and so does what was kept for files that will not come.
pub fn files_done() {
    #[cfg(feature = "mimalloc")]
    memory::files_done();
}

/// The run events as this set-up follows them: the CLI's progress and the benchmark both pass
/// the engine's events here.
pub struct AllocatorEvents;

impl kubelint_core::engine::RunEvents for AllocatorEvents {
    fn files_start(&self) {
        files_start();
    }

    fn file_read(&self, bytes: u32) {
        file_read(bytes);
    }

    fn file_done(&self, bytes: u32) {
        file_done(bytes);
    }

    fn files_done(&self) {
        files_done();
    }
}

#[cfg(feature = "mimalloc")]
#[allow(unsafe_code)]
mod memory {
    use std::sync::Mutex;

    // Option numbers of mimalloc.h's `mi_option_e`: part of its ABI (retired options keep
    // their slots), but libmimalloc-sys 0.1 has no constants for these.
    pub(super) const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;
    const MI_OPTION_PAGE_FULL_RETAIN: libmimalloc_sys::mi_option_t = 36;

    /// How long memory freed while files are linted may stay with the process before it
    /// goes back to the OS (mimalloc waits ten times this in its arenas). Each file frees its
    /// text and trees just before the next file wants as much again; handed back at once
    /// (`purge_delay` 0), that memory went back and was faulted in anew batch after batch,
    /// and each `madvise` on two threads also interrupts the other core to flush its TLB.
    /// On 10,000 objects a run has about 4,500 page faults with 1 ms and 4,000 with 10 ms on
    /// one thread (4,340 and 3,930 on two; 30 ms saves 60 more; the parse floor has 140), and
    /// a fault costs this VM about 2.4 µs. 10 ms costs the CLI at most 0.15 MiB at its peak
    /// (JSON report; the human report's peak did not move), 2.35x the input against a memory
    /// goal of 2.5x. Nothing freed in this phase is held past its end ([`files_done`]).
    const PURGE_DELAY_WHILE_FILES_MS: std::ffi::c_long = 10;

    /// Files of at least this much text free memory at once while they are linted. A large
    /// file's buffers and trees grow in steps, each leaving the last behind, and the next file
    /// rarely wants memory of those sizes: kept until the files were done, what a 3 MB file
    /// left took the real-world corpus's peak from 17 MiB to 36.
    const LARGE_FILE_BYTES: u32 = 64 << 10;

    /// Large files being linted now, on any thread; the delay is off while there are any.
    static LARGE_FILES: Mutex<usize> = Mutex::new(0);

    pub fn configure() {
        // mimalloc keeps two emptied pages of every size class for that class alone
        // (`page_full_retain`). A lint frees a file's tree and text in many size classes just
        // before the next file wants other ones, so those kept pages left fresh memory to be
        // faulted in instead: without them a 10,000-object run has 6,244 page faults instead
        // of 8,536 on one thread (6,587 instead of 9,031 on two), and the CLI's peak is
        // 0.1-0.5 MiB lower.
        // SAFETY: sets one integer option; called before any other thread exists, as
        // `mi_option_set` requires.
        unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PAGE_FULL_RETAIN, 0) };
        // Until a run starts, memory goes back at once (the benchmark reads every file first).
        set_purge_delay(0);
    }

    pub fn files_start() {
        // No file of an earlier run is still being linted, even if that run ended in a panic.
        let mut large = LARGE_FILES.lock().unwrap_or_else(|e| e.into_inner());
        *large = 0;
        set_purge_delay(PURGE_DELAY_WHILE_FILES_MS);
    }

    pub fn file_read(bytes: u32) {
        if bytes >= LARGE_FILE_BYTES {
            let mut large = LARGE_FILES.lock().unwrap_or_else(|e| e.into_inner());
            *large += 1;
            if *large == 1 {
                set_purge_delay(0);
                // What the small files before it left goes back before it is parsed.
                collect();
            }
        }
    }

    pub fn file_done(bytes: u32) {
        if bytes >= LARGE_FILE_BYTES {
            let mut large = LARGE_FILES.lock().unwrap_or_else(|e| e.into_inner());
            *large = large.saturating_sub(1);
            if *large == 0 {
                set_purge_delay(PURGE_DELAY_WHILE_FILES_MS);
            }
        }
    }

    pub fn files_done() {
        // The run's peak comes next, in the cross pass: what the files left goes back before
        // it, and what is freed from here (each file's list of findings, as the list of all
        // fills) goes back at once.
        set_purge_delay(0);
        collect();
    }

    fn set_purge_delay(ms: std::ffi::c_long) {
        // SAFETY: stores one aligned integer, which mimalloc reads when it schedules a purge.
        // A thread freeing memory meanwhile reads the old delay or the new one; either is a
        // valid setting. Changes are made under `LARGE_FILES` or outside the per-file phase.
        unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, ms) };
    }

    /// Hands back this thread's emptied pages and every range waiting to be purged.
    fn collect() {
        // SAFETY: a forced collection of this thread's heap; mimalloc allows it at any time.
        unsafe { libmimalloc_sys::mi_collect(true) };
    }
}

#[cfg(all(test, feature = "mimalloc"))]
mod tests {
    use super::*;

    #[allow(unsafe_code)]
    fn purge_delay() -> std::ffi::c_long {
        // SAFETY: reads one integer option.
        unsafe { libmimalloc_sys::mi_option_get(memory::MI_OPTION_PURGE_DELAY) }
    }

    #[test]
    fn memory_goes_back_at_once_while_any_large_file_is_linted() {
        let small = 8 << 10;
        let large = 64 << 10;
        files_start();
        let kept = purge_delay();
        assert!(kept > 0);
        file_read(small);
        assert_eq!(purge_delay(), kept);
        file_read(large);
        assert_eq!(purge_delay(), 0);
        // A second large file on another worker; the first is done before it.
        file_read(large * 4);
        file_done(small);
        file_done(large);
        assert_eq!(purge_delay(), 0);
        file_done(large * 4);
        assert_eq!(purge_delay(), kept);
        files_done();
        assert_eq!(purge_delay(), 0);
        // A run that stopped with a large file in hand does not leave the next run without
        // the delay.
        files_start();
        file_read(large);
        files_start();
        file_read(large);
        assert_eq!(purge_delay(), 0);
        file_done(large);
        assert_eq!(purge_delay(), kept);
        files_done();
    }
}
