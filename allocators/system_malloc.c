/*
 * system_malloc - the C library's malloc/free behind the alloclab interface.
 *
 * The baseline every other strategy is compared with. Views are eager copies
 * (malloc + memcpy, see support/view.c).
 *
 * Counters: bytes live come from per-thread shards. Bytes
 * reserved is glibc's whole heap as mallinfo2() reports it (arena memory plus
 * mmapped chunks) less what it held when the instance was created; glibc keeps
 * no resettable peak, so the peak is the largest value sampled: at every
 * counters() call, and whenever a thread's live bytes have moved 64 KiB
 * (STATS_FLUSH_BYTES) since its last sample, which is when the heap grows.
 */
#include <errno.h>
#include <malloc.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>

#include "allocator.h"
#include "support/os.h"
#include "support/stats.h"

struct system_malloc {
    struct heap_stats stats;
    int64_t baseline_reserved;
    _Atomic int64_t reserved_peak;
    uint64_t gen; /* unique per instance: tl_gen below names the instance */
};

/* Under AddressSanitizer or ThreadSanitizer malloc is the sanitizer's, and
 * mallinfo2() reports zeros: the heap size is then not measured (NA). */
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define HEAP_SIZE_OBSERVABLE 0
#else
#define HEAP_SIZE_OBSERVABLE 1
#endif

#define SAMPLE_EVERY 65536
static _Thread_local unsigned ops_since_sample; /* threads on the shared shard */
static _Atomic uint64_t next_gen = 1;
/* This thread's counter shard for the instance numbered tl_gen: the count on
 * every call costs what block_suballoc's does, so the baseline is not slowed
 * by instrumentation the strategy it is compared with does not pay. */
static _Thread_local uint64_t tl_gen;
static _Thread_local struct stat_shard *tl_shard;

static int64_t heap_size_now(void)
{
    struct mallinfo2 mi = mallinfo2();
    return (int64_t)(mi.arena + mi.hblkhd);
}

static void sample_reserved(struct system_malloc *m)
{
    atomic_max_i64(&m->reserved_peak, heap_size_now() - m->baseline_reserved);
}

static void *sm_create(const struct alloc_config *cfg, char err[ALLOC_ERR_LEN])
{
    (void)cfg;
    struct system_malloc *m = aligned_alloc(64, sizeof *m);
    if (!m) {
        snprintf(err, ALLOC_ERR_LEN, "out of memory");
        return NULL;
    }
    stats_init(&m->stats);
    m->gen = atomic_fetch_add(&next_gen, 1);
    m->baseline_reserved = heap_size_now();
    atomic_init(&m->reserved_peak, 0);
    return m;
}

static void sm_destroy(void *self) { free(self); }

static __attribute__((noinline)) void count_slow(struct system_malloc *m, int64_t bytes)
{
    struct stat_shard *sh = stats_own_shard(&m->stats);
    if (sh) {
        tl_shard = sh;
        tl_gen = m->gen;
        if (stats_record_owned(&m->stats, sh, bytes))
            sample_reserved(m);
        return;
    }
    stats_record(&m->stats, bytes); /* the shared shard */
    if (++ops_since_sample >= SAMPLE_EVERY) {
        ops_since_sample = 0;
        sample_reserved(m);
    }
}

static inline void count(struct system_malloc *m, int64_t bytes)
{
    if (__builtin_expect(tl_gen != m->gen, 0)) {
        count_slow(m, bytes);
        return;
    }
    if (__builtin_expect(stats_record_owned(&m->stats, tl_shard, bytes), 0))
        sample_reserved(m); /* this thread's live bytes moved 64 KiB */
}

/* Cold ends of sm_free's count, out of line: sm_free then saves no register
 * and ends in a tail call to free(), as lean as block_suballoc's fast path. */
static __attribute__((noinline)) void free_first_count(struct system_malloc *m, void *ptr, size_t size)
{
    count_slow(m, -(int64_t)size);
    free(ptr);
}

static __attribute__((noinline)) void free_crossed(struct system_malloc *m, void *ptr, int64_t live)
{
    if (stats_crossed(&m->stats, tl_shard, live))
        sample_reserved(m);
    free(ptr);
}

static void *sm_alloc(void *self, size_t size)
{
    if (size == 0 || size > ALLOC_MAX_REQUEST) {
        errno = ENOMEM;
        return NULL;
    }
    void *p = malloc(size);
    if (p)
        count(self, (int64_t)size);
    return p;
}

static void sm_free(void *self, void *ptr, size_t size)
{
    struct system_malloc *m = self;
    if (!ptr)
        return;
    if (__builtin_expect(tl_gen != m->gen, 0)) {
        free_first_count(m, ptr, size);
        return;
    }
    int64_t live;
    if (__builtin_expect(stats_add(tl_shard, -(int64_t)size, &live), 0)) {
        free_crossed(m, ptr, live);
        return;
    }
    free(ptr);
}

static void *sm_realloc(void *self, void *ptr, size_t old_size, size_t new_size)
{
    if (!ptr)
        return sm_alloc(self, new_size);
    if (new_size == 0 || new_size > ALLOC_MAX_REQUEST) {
        errno = ENOMEM;
        return NULL;
    }
    void *p = realloc(ptr, new_size);
    if (p)
        count(self, (int64_t)new_size - (int64_t)old_size);
    return p;
}

static void sm_counters(void *self, struct alloc_counters *out)
{
    struct system_malloc *m = self;
    sample_reserved(m);
    uint64_t live, peak;
    stats_read(&m->stats, &live, &peak);
    out->bytes_live = (double)live;
    out->bytes_live_peak = (double)peak;
    /* glibc's arena locks are not observable: no lock figures */
    if (!HEAP_SIZE_OBSERVABLE)
        return;
    int64_t reserved = heap_size_now() - m->baseline_reserved;
    out->bytes_reserved = reserved > 0 ? (double)reserved : 0;
    out->bytes_reserved_peak = (double)atomic_load(&m->reserved_peak);
}

const struct allocator allocator_system_malloc = {
    .name = "system_malloc",
    .summary = "the C library's malloc/free (baseline); views are eager copies",
    .model = MODEL_THREADS,
    .promises = ALLOC_C_LIBRARY_HEAP,
    .create = sm_create,
    .destroy = sm_destroy,
    .alloc = sm_alloc,
    .free = sm_free,
    .realloc = sm_realloc,
    .counters = sm_counters,
};
