//! Allocator settings, applied once at start before any thread exists. Imports nothing of ours.

/// Blocks of this size or more get a mapping of their own, returned to the system when freed.
pub const MMAP_THRESHOLD_BYTES: usize = 4 * 1024 * 1024;

/// glibc's malloc raises its mmap threshold each time a mapped block is freed, so after the
/// first password hash the 19 MiB argon2id buffers come from per-thread arenas and stay
/// resident: measured on the image, a replica grew by about 19 MiB per sign-in, to about 1 GiB
/// (deploy/tests/scenarios/40-container-contract.sh). Fixing the threshold keeps such blocks
/// mapped and gives them back on free; small allocations are unaffected. Returns whether the
/// allocator accepted the setting.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
pub fn return_large_blocks_to_the_system() -> bool {
    use std::ffi::c_int;
    // M_MMAP_THRESHOLD in glibc's <malloc.h>
    const M_MMAP_THRESHOLD: c_int = -3;
    unsafe extern "C" {
        fn mallopt(param: c_int, value: c_int) -> c_int;
    }
    let bytes = c_int::try_from(MMAP_THRESHOLD_BYTES).unwrap_or(c_int::MAX);
    // SAFETY: mallopt only changes malloc's tuning parameters; it returns 1 on success.
    unsafe { mallopt(M_MMAP_THRESHOLD, bytes) == 1 }
}

/// Other allocators (musl, macOS) do not keep large blocks in arenas this way.
#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
pub fn return_large_blocks_to_the_system() -> bool {
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_allocator_accepts_the_fixed_mmap_threshold() {
        assert!(return_large_blocks_to_the_system());
    }
}
