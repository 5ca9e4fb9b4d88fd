/*
 * jemalloc - FreeBSD's and Meta's allocator (Debian's libjemalloc2), reached
 * through its own entry points: mallocx, sdallocx (sized free: the interface
 * always gives the size), rallocx. It does not replace the harness's malloc
 * (support/dynlib.h). Requests are rounded up to 16 bytes, alloclab's
 * alignment (jemalloc's 8-byte class is 8-aligned); above 16 bytes its size
 * classes are multiples of 16 anyway.
 *
 * Bytes reserved: its own statistics, "stats.mapped" (every byte it holds
 * mapped: arenas' active and dirty pages, metadata), refreshed by "epoch".
 *
 * In liballoclab.so: no header (sallocx tells a block's size, mallocx with
 * MALLOCX_LG_ALIGN serves aligned ones, free frees without the size) and
 * no lock of alloclab's: jemalloc registers its own pthread_atfork handlers
 * when it starts (jemalloc_prefork takes every arena's, bin's and its other
 * mutexes; the child's handler reinitialises them), so its fork hooks have
 * nothing to do.
 */
#include <stdint.h>

#include "allocator.h"
#include "support/dynlib.h"
#include "support/libheap.h"
#include "support/os.h"

static struct {
    void *(*mallocx)(size_t size, int flags);
    void (*sdallocx)(void *ptr, size_t size, int flags);
    void *(*malloc)(size_t size); /* its plain entry points: the fast paths a program's calls take */
    void (*free)(void *ptr);
    size_t (*sallocx)(const void *ptr, int flags);
    void *(*rallocx)(void *ptr, size_t size, int flags);
    int (*mallctl)(const char *name, void *old, size_t *oldlen, void *new, size_t newlen);
} je;

static struct dynlib lib = {
    .soname = "libjemalloc.so.2",
    .package = "libjemalloc2",
    .symbols = (const struct dynsym[]){{"mallocx", (void **)&je.mallocx},
                                       {"sdallocx", (void **)&je.sdallocx},
                                       {"malloc", (void **)&je.malloc},
                                       {"free", (void **)&je.free},
                                       {"sallocx", (void **)&je.sallocx},
                                       {"rallocx", (void **)&je.rallocx},
                                       {"mallctl", (void **)&je.mallctl},
                                       {NULL, NULL}},
};

/* Inside a program (liballoclab.so) its malloc, as the program would call
 * it: mallocx and dallocx skip jemalloc's fast paths (through them the
 * server ran at about 0.6x jemalloc's own speed on the 2-core VM). */
static void *je_alloc(size_t size)
{
#ifdef ALLOCLAB_PRELOAD
    return je.malloc(round_up(size, ALLOC_ALIGN));
#else
    return je.mallocx(round_up(size, ALLOC_ALIGN), 0);
#endif
}
static void je_free(void *ptr, size_t size)
{
    if (size)
        je.sdallocx(ptr, round_up(size, ALLOC_ALIGN), 0);
    else
        je.free(ptr); /* the size unknown: its own free, fast path and all */
}
/* jemalloc.h's MALLOCX_LG_ALIGN: log2 of the alignment in the flags' low bits */
static void *je_aligned(size_t align, size_t size) { return je.mallocx(size, __builtin_ctzll(align)); }
static size_t je_usable(const void *ptr) { return je.sallocx(ptr, 0); }
static void *je_realloc(void *ptr, size_t old_size, size_t new_size)
{
    (void)old_size;
    return je.rallocx(ptr, round_up(new_size, ALLOC_ALIGN), 0);
}
static int64_t je_reserved(void)
{
    uint64_t epoch = 1;
    size_t mapped = 0, len = sizeof epoch;
    je.mallctl("epoch", &epoch, &len, &epoch, sizeof epoch); /* refresh the statistics */
    len = sizeof mapped;
    if (je.mallctl("stats.mapped", &mapped, &len, NULL, 0) != 0)
        return -1; /* a build without statistics: not measured */
    return (int64_t)mapped;
}

static const struct libheap_ops ops = {
    .alloc = je_alloc, .free = je_free, .realloc = je_realloc, .aligned = je_aligned, .usable = je_usable,
    .reserved = je_reserved};

static const char *je_unavailable(void) { return dynlib_load(&lib); }
static const char *je_packaged(char *path, size_t len) { return dynlib_path(&lib, path, len); }

LIBHEAP_FUNCTIONS(je_heap, ops)

static const struct alloc_fork own_handlers = {0}; /* jemalloc's own atfork handlers (above) */

const struct allocator allocator_jemalloc = {
    .name = "jemalloc",
    .summary = "reference: jemalloc 5 (libjemalloc2) through mallocx/sdallocx; views are eager copies",
    .model = MODEL_THREADS,
    .promises = ALLOC_LIBRARY_HEAP | ALLOC_REFERENCE | ALLOC_REENTRANT,
    .unavailable = je_unavailable,
    .packaged = je_packaged,
    .create = je_heap_create,
    .destroy = libheap_destroy,
    .alloc = je_heap_alloc,
    .free = je_heap_free,
    .realloc = je_heap_realloc,
    .usable_size = je_heap_usable_size,
    .library_calls = je_heap_library_calls,
    .alloc_aligned = je_heap_alloc_aligned,
    .fork = &own_handlers,
    .counters = libheap_counters,
};
