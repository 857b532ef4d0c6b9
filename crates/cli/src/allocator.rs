//! The process's memory set-up, shared by the CLI and the benchmark (which includes this file):
//! mimalloc as the allocator, each file's scratch in a heap of its own, freed memory handed
//! back at once, and no transparent huge pages. A lint is a short burst of allocations;
//! without this, peak memory is what the run ever held rather than what it holds.

#[cfg(feature = "mimalloc")]
#[global_allocator]
static GLOBAL: heaps::RunAllocator = heaps::RunAllocator;

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
    heaps::configure();
}

#[cfg(feature = "mimalloc")]
#[allow(unsafe_code)]
mod heaps {
    use std::alloc::{GlobalAlloc, Layout};
    use std::sync::atomic::{AtomicPtr, Ordering};

    use libmimalloc_sys::{
        mi_heap_malloc_aligned, mi_heap_new, mi_heap_realloc_aligned, mi_heap_t,
        mi_heap_zalloc_aligned, mi_option_set, mi_option_t,
    };
    use mimalloc::MiMalloc;

    /// mimalloc, with what a thread allocates inside [`kubelint_core::scratch::with`] (a
    /// file's text and trees) in pages apart from the run's objects and findings.
    ///
    /// Mixed in the same pages, every file left a few long-lived blocks among its freed tree,
    /// so pages the next file could have reused stayed partly full, and pages that did empty
    /// were handed back and faulted in again: on 10,000 objects, 3,430 `madvise` calls and
    /// about 6,700 page faults a run. Apart, 414 and 4,100, and parsing inside a lint runs in
    /// the floor's time again (`docs/performance.md`).
    pub struct RunAllocator;

    /// Set once in [`configure`], before any other thread exists; null until then (and in a
    /// process that never calls it), which sends scratch to the main heap.
    static SCRATCH_HEAP: AtomicPtr<mi_heap_t> = AtomicPtr::new(std::ptr::null_mut());

    /// The heap for this allocation: null for mimalloc's default.
    #[inline]
    fn heap_now() -> *mut mi_heap_t {
        if kubelint_core::scratch::active() {
            SCRATCH_HEAP.load(Ordering::Relaxed)
        } else {
            std::ptr::null_mut()
        }
    }

    // SAFETY: every block comes from mimalloc, of one heap or the other, with the layout's
    // alignment; `mi_free` (behind `MiMalloc::dealloc`) and `mi_heap_realloc_aligned` take a
    // block of any heap, from any thread.
    unsafe impl GlobalAlloc for RunAllocator {
        #[inline]
        unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
            let heap = heap_now();
            if heap.is_null() {
                unsafe { MiMalloc.alloc(layout) }
            } else {
                unsafe { mi_heap_malloc_aligned(heap, layout.size(), layout.align()).cast() }
            }
        }

        #[inline]
        unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
            let heap = heap_now();
            if heap.is_null() {
                unsafe { MiMalloc.alloc_zeroed(layout) }
            } else {
                unsafe { mi_heap_zalloc_aligned(heap, layout.size(), layout.align()).cast() }
            }
        }

        #[inline]
        unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
            unsafe { MiMalloc.dealloc(ptr, layout) }
        }

        #[inline]
        unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
            let heap = heap_now();
            if heap.is_null() {
                unsafe { MiMalloc.realloc(ptr, layout, new_size) }
            } else {
                unsafe {
                    mi_heap_realloc_aligned(heap, ptr.cast(), new_size, layout.align()).cast()
                }
            }
        }
    }

    pub fn configure() {
        // SAFETY: sets one integer option and creates a heap (mimalloc v3 heaps serve every
        // thread); called before any other thread exists, as `mi_option_set` requires.
        unsafe {
            mi_option_set(MI_OPTION_PURGE_DELAY, 0);
            if SCRATCH_HEAP.load(Ordering::Relaxed).is_null() {
                SCRATCH_HEAP.store(mi_heap_new(), Ordering::Relaxed);
            }
        }
    }

    /// mimalloc (v3) keeps freed memory committed for a second (`purge_delay`) in case it is
    /// wanted again. A whole lint takes less than that, so every buffer a run ever freed (a
    /// large file's text, its tree) would stay resident to the end: 38 MiB instead of 22 at
    /// the peak of `shared/corpus`, 33 instead of 28 on 10,000 objects, at no measured cost
    /// in time. The option's number is `mi_option_purge_delay` of mimalloc.h: option numbers
    /// are part of its ABI (retired options keep their slots), but libmimalloc-sys 0.1 has no
    /// constant for this one.
    const MI_OPTION_PURGE_DELAY: mi_option_t = 15;

    #[cfg(test)]
    mod tests {
        use super::*;

        unsafe extern "C" {
            // mimalloc v3's `mi_heap_of`, which libmimalloc-sys declares for v2 only.
            fn mi_heap_of(p: *const std::ffi::c_void) -> *mut mi_heap_t;
        }

        #[test]
        fn scratch_blocks_live_in_their_own_heap_and_move_freely() {
            configure();
            let scratch = SCRATCH_HEAP.load(Ordering::Relaxed);
            assert!(!scratch.is_null());
            // SAFETY: asked only of live blocks of this allocator.
            let in_scratch = |p: *const u8| unsafe { mi_heap_of(p.cast()) } == scratch;
            let mut text = kubelint_core::scratch::with(|| {
                let mut text = String::with_capacity(100);
                text.push_str("kind: Pod");
                text
            });
            assert!(in_scratch(text.as_ptr()));
            let kept = text.clone();
            assert!(!in_scratch(kept.as_ptr()));
            // A scratch block grown outside scratch moves to the main heap, and back.
            text.reserve(100_000);
            assert!(!in_scratch(text.as_ptr()));
            kubelint_core::scratch::with(|| text.reserve(1_000_000));
            assert!(in_scratch(text.as_ptr()));
            assert_eq!(text, kept);
            let zeroed = kubelint_core::scratch::with(|| vec![0u64; 4096]);
            assert!(in_scratch(zeroed.as_ptr().cast()));
            assert!(zeroed.iter().all(|&x| x == 0));
        }
    }
}
