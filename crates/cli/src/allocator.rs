//! The process's memory set-up, shared by the CLI and the benchmark (which includes this file):
//! mimalloc as the allocator, told to hand freed memory back at once (to the OS, and from one
//! size class to the others), and no transparent huge pages. A lint is a short burst of allocations; without this, peak memory is what the run
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
    hand_freed_memory_back();
}

/// mimalloc (v3) keeps freed memory committed for a second (`purge_delay`) in case it is
/// wanted again. A whole lint takes less than that, so every buffer a run ever freed (a large
/// file's text, its tree) would stay resident to the end: 38 MiB instead of 22 at the peak of
/// `shared/corpus`, 33 instead of 28 on 10,000 objects, at no measured cost in time.
///
/// It also keeps two emptied pages of every size class for that class alone
/// (`page_full_retain`). A lint frees a file's tree and text in many size classes just before
/// the next file wants other ones, so those kept pages left fresh memory to be faulted in
/// instead: without them a 10,000-object run has 6,244 page faults instead of 8,536 on one
/// thread (6,587 instead of 9,031 on two), and the CLI's peak is 0.1-0.5 MiB lower.
#[cfg(feature = "mimalloc")]
#[allow(unsafe_code)]
fn hand_freed_memory_back() {
    // Option numbers of mimalloc.h's `mi_option_e`: part of its ABI (retired options keep
    // their slots), but libmimalloc-sys 0.1 has no constants for these.
    const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;
    const MI_OPTION_PAGE_FULL_RETAIN: libmimalloc_sys::mi_option_t = 36;
    // SAFETY: each call sets one integer option; called before any other thread exists, as
    // `mi_option_set` requires.
    unsafe {
        libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, 0);
        libmimalloc_sys::mi_option_set(MI_OPTION_PAGE_FULL_RETAIN, 0);
    }
}
