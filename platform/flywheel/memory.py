"""Giving freed memory back to the system after a large job."""

import ctypes
import ctypes.util
import gc


def release_freed_memory() -> bool:
    """Collect garbage, then ask glibc to return the free parts of its heaps (malloc_trim):
    after a training has freed its arrays, the allocator would otherwise keep their pages in
    the process. False where there is no glibc (nothing to do there)."""
    gc.collect()
    name = ctypes.util.find_library("c")
    if not name:
        return False
    try:
        libc = ctypes.CDLL(name)
        trim = libc.malloc_trim
    except (OSError, AttributeError):
        return False
    trim.argtypes = [ctypes.c_size_t]
    return bool(trim(0))
