/*
 * libheap.h - a heap strategy on a malloc-style library: the C library's
 * (system_malloc) or an allocator users install instead (jemalloc, mimalloc,
 * tcmalloc). The library serves the blocks; this counts them.
 *
 * Counting happens only in the untimed memory pass (alloc_config.sample_memory):
 * in a timed phase the strategy is the library's own calls, and its counters
 * read NA but for the bytes reserved now, asked once the phase is over.
 *
 * Bytes live come from per-thread shards (stats.h). Bytes reserved is the
 * library's own figure of what it holds from the OS (for the C library, less
 * what it held when the instance was created); no library keeps a resettable peak, so the peak
 * is the largest value sampled: at every counters() call, and whenever a
 * thread's live bytes have moved STATS_FLUSH_BYTES since its last sample,
 * which is when the heap grows. Sampling calls into the library, so it
 * happens only in the untimed memory pass (alloc_config.sample_memory);
 * elsewhere the peak reads NA. A library that cannot say reads NA.
 *
 * The fast paths are inline, and a strategy passes its ops as a constant:
 * the compiler then calls the library directly (system_malloc's free is a
 * tail call to free()), so the baseline pays no more for being counted than
 * block_suballoc does. In liballoclab.so (ALLOCLAB_PRELOAD) nothing is
 * counted at all: no one reads the counters inside a program, so
 * system_malloc's malloc and free there are glibc's and nothing else.
 */
#ifndef ALLOCLAB_LIBHEAP_H
#define ALLOCLAB_LIBHEAP_H

#include <errno.h>
#include <stdatomic.h>
#include <stdbool.h>

#include "../allocator.h"
#include "stats.h"

struct libheap_ops {
    void *(*alloc)(size_t size);                                  /* 0 < size <= ALLOC_MAX_REQUEST */
    void (*free)(void *ptr, size_t size); /* sized where the library can; size 0: unknown, its plain free */
    void *(*realloc)(void *ptr, size_t old_size, size_t new_size); /* 0 < new_size; old_size 0: unknown */
    void *(*aligned)(size_t align, size_t size); /* align a power of two above ALLOC_ALIGN */
    size_t (*usable)(const void *ptr);
    int64_t (*reserved)(void); /* bytes held from the OS now, -1 when it would not say; NULL: it cannot */
    /* The harness allocates from this library too (the C library's malloc):
     * what it held before the instance was created is not the instance's.
     * A reference allocator serves the strategy alone, and what it reserves
     * when it starts (tcmalloc's first 1 MiB) is the strategy's cost. */
    bool shared_with_harness;
};

struct libheap {
    struct heap_stats stats;
    const struct libheap_ops *ops;
    int64_t baseline_reserved;
    _Atomic int64_t reserved_peak;
    uint64_t gen; /* unique per instance: libheap_tl_gen names the instance */
    /* the memory pass (alloc_config.sample_memory): live bytes counted and
     * reserved bytes sampled. Otherwise the strategy is the library's calls
     * and nothing else: what the harness adds to a timed phase is what the
     * plain-loop control measures, and counting is not the library's cost. */
    bool counting;
};

/* This thread's counter shard for the instance numbered libheap_tl_gen. */
extern _Thread_local uint64_t libheap_tl_gen;
extern _Thread_local struct stat_shard *libheap_tl_shard;

void *libheap_create(const struct libheap_ops *ops, const struct alloc_config *cfg, char err[ALLOC_ERR_LEN]);
void libheap_destroy(void *self);
void libheap_counters(void *self, struct alloc_counters *out);
/* the cold ends of the fast paths, out of line */
void libheap_count_slow(struct libheap *h, int64_t bytes);
void libheap_sample(struct libheap *h);
void libheap_free_first(struct libheap *h, void *ptr, size_t size);
void libheap_free_crossed(struct libheap *h, void *ptr, size_t size, int64_t live);

#ifdef ALLOCLAB_PRELOAD
#define LIBHEAP_COUNTS 0 /* inside a program: nothing counted (see above) */
#else
#define LIBHEAP_COUNTS 1
#endif

static inline __attribute__((always_inline)) void libheap_count(struct libheap *h, int64_t bytes)
{
    if (!LIBHEAP_COUNTS)
        return;
    if (__builtin_expect(libheap_tl_gen != h->gen, 0)) {
        libheap_count_slow(h, bytes);
        return;
    }
    if (__builtin_expect(stats_record_owned(&h->stats, libheap_tl_shard, bytes), 0))
        libheap_sample(h); /* this thread's live bytes moved 64 KiB */
}

/* the memory pass's allocation: the library's, then counted (out of line,
 * so that the timed path below keeps no frame) */
static __attribute__((noinline)) void *libheap_alloc_counted(struct libheap *h, const struct libheap_ops *ops,
                                                             size_t size)
{
    void *p = ops->alloc(size);
    if (p)
        libheap_count(h, (int64_t)size);
    return p;
}

/* In a timed phase this is one compare, one load and a jump to the
 * library's malloc (a tail call): the plain-loop control measures what is
 * left. size - 1 wraps for 0, so one compare refuses 0 and the absurd. */
static inline __attribute__((always_inline)) void *libheap_alloc(void *self, const struct libheap_ops *ops,
                                                                 size_t size)
{
    if (__builtin_expect(size - 1 >= ALLOC_MAX_REQUEST, 0)) {
        errno = ENOMEM;
        return NULL;
    }
    if (__builtin_expect(((struct libheap *)self)->counting, 0))
        return libheap_alloc_counted(self, ops, size);
    return ops->alloc(size);
}

static inline __attribute__((always_inline)) void libheap_free(void *self, const struct libheap_ops *ops,
                                                               void *ptr, size_t size)
{
    struct libheap *h = self;
    if (!ptr)
        return;
    /* a timed phase counts nothing; a size unknown (0) leaves nothing known to take off */
    if (__builtin_expect(!LIBHEAP_COUNTS || !h->counting || size == 0, 1)) {
        ops->free(ptr, size);
        return;
    }
    if (__builtin_expect(libheap_tl_gen != h->gen, 0)) {
        libheap_free_first(h, ptr, size);
        return;
    }
    int64_t live;
    if (__builtin_expect(stats_add(libheap_tl_shard, -(int64_t)size, &live), 0)) {
        libheap_free_crossed(h, ptr, size, live);
        return;
    }
    ops->free(ptr, size);
}

static inline __attribute__((always_inline)) void *libheap_realloc(void *self, const struct libheap_ops *ops,
                                                                   void *ptr, size_t old_size, size_t new_size)
{
    if (!ptr)
        return libheap_alloc(self, ops, new_size);
    if (new_size == 0 || new_size > ALLOC_MAX_REQUEST) {
        errno = ENOMEM;
        return NULL;
    }
    void *p = ops->realloc(ptr, old_size, new_size);
    if (p && old_size && ((struct libheap *)self)->counting) /* an old size unknown (0): nothing known to count */
        libheap_count(self, (int64_t)new_size - (int64_t)old_size);
    return p;
}

static inline __attribute__((always_inline)) void *libheap_aligned(void *self, const struct libheap_ops *ops,
                                                                   size_t align, size_t size)
{
    if (size == 0 || size > ALLOC_MAX_REQUEST || align > ALLOC_MAX_REQUEST) {
        errno = ENOMEM;
        return NULL;
    }
    void *p = ops->aligned(align, size);
    if (p)
        libheap_count(self, (int64_t)size);
    return p;
}

/* A strategy's create, alloc, free, realloc, alloc_aligned, library_calls and usable_size
 * on its ops (a constant, so that the calls are direct): prefix_create,
 * prefix_alloc, ... */
#define LIBHEAP_FUNCTIONS(prefix, ops)                                                                    \
    static void *prefix##_create(const struct alloc_config *cfg, char err[ALLOC_ERR_LEN])                 \
    {                                                                                                     \
        return libheap_create(&(ops), cfg, err);                                                          \
    }                                                                                                     \
    static void *prefix##_alloc(void *self, size_t size) { return libheap_alloc(self, &(ops), size); }   \
    static void prefix##_free(void *self, void *ptr, size_t size) { libheap_free(self, &(ops), ptr, size); } \
    static void *prefix##_realloc(void *self, void *ptr, size_t old_size, size_t new_size)                \
    {                                                                                                     \
        return libheap_realloc(self, &(ops), ptr, old_size, new_size);                                    \
    }                                                                                                     \
    static void *prefix##_alloc_aligned(void *self, size_t align, size_t size)                            \
    {                                                                                                     \
        return libheap_aligned(self, &(ops), align, size);                                                \
    }                                                                                                     \
    static bool prefix##_library_calls(void *self, struct library_calls *out)                             \
    {                                                                                                     \
        if (((struct libheap *)self)->counting)                                                           \
            return false;                                                                                 \
        *out = (struct library_calls){(ops).alloc, (ops).free};                                           \
        return true;                                                                                      \
    }                                                                                                     \
    static size_t prefix##_usable_size(void *self, const void *ptr)                                       \
    {                                                                                                     \
        (void)self;                                                                                       \
        return (ops).usable(ptr);                                                                         \
    }

#endif
