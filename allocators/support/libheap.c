/* libheap.c - the cold paths and the counters of a heap on a malloc-style
 * library (libheap.h). */
#include <stdio.h>
#include <stdlib.h>

#include "libheap.h"

#define SAMPLE_EVERY 65536
static _Thread_local unsigned ops_since_sample; /* threads on the shared shard */
static _Atomic uint64_t next_gen = 1;
_Thread_local uint64_t libheap_tl_gen;
_Thread_local struct stat_shard *libheap_tl_shard;

static int64_t reserved_now(const struct libheap *h) { return h->ops->reserved ? h->ops->reserved() : 0; }

void libheap_sample(struct libheap *h)
{
    /* Asking a library what it reserved walks its arenas (mallinfo2) or
     * merges its statistics (jemalloc's epoch): in a timed phase that would
     * measure the asking. Only the untimed memory pass samples. */
    if (!h->counting)
        return;
    int64_t now = reserved_now(h);
    if (h->ops->reserved && now >= 0)
        atomic_max_i64(&h->reserved_peak, now - h->baseline_reserved);
}

void *libheap_create(const struct libheap_ops *ops, const struct alloc_config *cfg, char err[ALLOC_ERR_LEN])
{
    struct libheap *h = aligned_alloc(64, sizeof *h);
    if (!h) {
        snprintf(err, ALLOC_ERR_LEN, "out of memory");
        return NULL;
    }
    stats_init(&h->stats);
    h->ops = ops;
    /* inside a program (liballoclab.so) no one reads the counters */
#ifdef ALLOCLAB_PRELOAD
    h->counting = false && cfg->sample_memory;
#else
    h->counting = cfg->sample_memory;
#endif
    h->gen = atomic_fetch_add(&next_gen, 1);
    h->baseline_reserved = ops->shared_with_harness ? reserved_now(h) : 0;
    atomic_init(&h->reserved_peak, 0);
    return h;
}

void libheap_destroy(void *self) { free(self); }

void libheap_count_slow(struct libheap *h, int64_t bytes)
{
    struct stat_shard *sh = stats_own_shard(&h->stats);
    if (sh) {
        libheap_tl_shard = sh;
        libheap_tl_gen = h->gen;
        if (stats_record_owned(&h->stats, sh, bytes))
            libheap_sample(h);
        return;
    }
    stats_record(&h->stats, bytes); /* the shared shard */
    if (++ops_since_sample >= SAMPLE_EVERY) {
        ops_since_sample = 0;
        libheap_sample(h);
    }
}

void libheap_free_first(struct libheap *h, void *ptr, size_t size)
{
    libheap_count_slow(h, -(int64_t)size);
    h->ops->free(ptr, size);
}

void libheap_free_crossed(struct libheap *h, void *ptr, size_t size, int64_t live)
{
    if (stats_crossed(&h->stats, libheap_tl_shard, live))
        libheap_sample(h);
    h->ops->free(ptr, size);
}

void libheap_counters(void *self, struct alloc_counters *out)
{
    struct libheap *h = self;
    libheap_sample(h);
    uint64_t live, peak;
    stats_read(&h->stats, &live, &peak);
    if (h->counting) { /* otherwise nothing counted them: NA */
        out->bytes_live = (double)live;
        out->bytes_live_peak = (double)peak;
    }
    /* a library's locks are not observable: no lock figures */
    int64_t now = reserved_now(h);
    if (!h->ops->reserved || now < 0 || h->baseline_reserved < 0)
        return; /* not measured: NA */
    int64_t reserved = now - h->baseline_reserved;
    out->bytes_reserved = reserved > 0 ? (double)reserved : 0;
    /* unsampled, the peak between two reads is unknown: NA, not the last value */
    if (h->counting)
        out->bytes_reserved_peak = (double)atomic_load(&h->reserved_peak);
}
