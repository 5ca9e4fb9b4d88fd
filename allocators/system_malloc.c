/*
 * system_malloc - the C library's malloc/free behind the alloclab interface.
 *
 * The baseline every other strategy is compared with. Views are eager copies
 * (malloc + memcpy, see support/view.c).
 *
 * Counters (support/libheap.h): bytes live from per-thread shards; bytes
 * reserved is glibc's whole heap as mallinfo2() reports it (arena memory
 * plus mmapped chunks) less what it held when the instance was created.
 *
 * As a program's malloc (liballoclab.so) it is glibc as packaged: no header
 * (malloc_usable_size and aligned_alloc tell and serve any block, free needs
 * no size) and no lock of alloclab's (glibc's fork() itself takes every
 * arena's lock after the atfork handlers and reinitialises them in the
 * child: its fork hooks have nothing to do).
 */
#include <malloc.h>
#include <stdlib.h>

#include "allocator.h"
#include "support/libheap.h"

/* Under AddressSanitizer or ThreadSanitizer malloc is the sanitizer's, and
 * mallinfo2() reports zeros: the heap size is then not measured (NA). */
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define HEAP_SIZE_OBSERVABLE 0
#else
#define HEAP_SIZE_OBSERVABLE 1
#endif

static void glibc_free(void *ptr, size_t size)
{
    (void)size; /* glibc 2.36 has no sized free */
    free(ptr);
}
static void *glibc_realloc(void *ptr, size_t old_size, size_t new_size)
{
    (void)old_size;
    return realloc(ptr, new_size);
}
static void *glibc_aligned(size_t align, size_t size)
{
#ifdef ALLOCLAB_PRELOAD
    return aligned_alloc(align, size); /* renamed to glibc's own (__libc_memalign): memalign is the library's */
#else
    return memalign(align, size); /* AddressSanitizer's aligned_alloc wants a multiple of align (C11) */
#endif
}
static size_t glibc_usable(const void *ptr) { return malloc_usable_size((void *)ptr); }
static int64_t glibc_reserved(void)
{
    struct mallinfo2 mi = mallinfo2();
    return (int64_t)(mi.arena + mi.hblkhd);
}

static const struct libheap_ops glibc = {
    .alloc = malloc, /* the library's own entry: a timed loop calls it directly (library_calls) */
    .free = glibc_free,
    .realloc = glibc_realloc,
    .aligned = glibc_aligned,
    .usable = glibc_usable,
    .reserved = HEAP_SIZE_OBSERVABLE ? glibc_reserved : NULL,
    .shared_with_harness = true,
};

LIBHEAP_FUNCTIONS(sm, glibc)

static const struct alloc_fork glibc_forks = {0}; /* glibc's fork() looks after its arenas (above) */

/* as packaged, a program's malloc is glibc's: nothing to preload */
static const char *glibc_packaged(char *path, size_t len)
{
    if (len)
        path[0] = '\0';
    return NULL;
}

const struct allocator allocator_system_malloc = {
    .name = "system_malloc",
    .summary = "the C library's malloc/free (baseline); views are eager copies",
    .model = MODEL_THREADS,
    .promises = ALLOC_LIBRARY_HEAP | ALLOC_REENTRANT,
    .create = sm_create,
    .destroy = libheap_destroy,
    .alloc = sm_alloc,
    .free = sm_free,
    .realloc = sm_realloc,
    .usable_size = sm_usable_size,
    .library_calls = sm_library_calls,
    .alloc_aligned = sm_alloc_aligned,
    .fork = &glibc_forks,
    .packaged = glibc_packaged,
    .counters = libheap_counters,
};
