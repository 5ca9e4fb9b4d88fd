/*
 * system_malloc - the C library's malloc/free behind the alloclab interface.
 *
 * The baseline every other strategy is compared with. Views are eager copies
 * (malloc + memcpy, see support/view.c).
 *
 * Counters (support/libheap.h): bytes live from per-thread shards; bytes
 * reserved is glibc's whole heap as mallinfo2() reports it (arena memory
 * plus mmapped chunks) less what it held when the instance was created.
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

static void *glibc_alloc(size_t size) { return malloc(size); }
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
static int64_t glibc_reserved(void)
{
    struct mallinfo2 mi = mallinfo2();
    return (int64_t)(mi.arena + mi.hblkhd);
}

static const struct libheap_ops glibc = {
    .alloc = glibc_alloc,
    .free = glibc_free,
    .realloc = glibc_realloc,
    .reserved = HEAP_SIZE_OBSERVABLE ? glibc_reserved : NULL,
    .shared_with_harness = true,
};

LIBHEAP_FUNCTIONS(sm, glibc)

const struct allocator allocator_system_malloc = {
    .name = "system_malloc",
    .summary = "the C library's malloc/free (baseline); views are eager copies",
    .model = MODEL_THREADS,
    .promises = ALLOC_LIBRARY_HEAP,
    .create = sm_create,
    .destroy = libheap_destroy,
    .alloc = sm_alloc,
    .free = sm_free,
    .realloc = sm_realloc,
    .counters = libheap_counters,
};
