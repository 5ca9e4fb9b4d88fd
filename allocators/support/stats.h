/*
 * stats.h - live-byte and operation counters that cost no shared cache line.
 *
 * A global atomic counter bumped on every malloc would serialise the threads
 * we are trying to measure, so each thread owns a shard (one cache line) and
 * updates it with plain relaxed stores. Readers sum the shards.
 *
 * bytes_live is exact whenever the threads are quiet. Its peak is exact when
 * one thread used the instance; with several, each shard publishes its change
 * to a global total every STATS_FLUSH_BYTES, so the peak is within
 * threads x STATS_FLUSH_BYTES of the truth.
 */
#ifndef ALLOCLAB_STATS_H
#define ALLOCLAB_STATS_H

#include <stdatomic.h>
#include <stdint.h>

#define STATS_SHARDS 64                 /* owned shards; further threads share one more */
#define STATS_FLUSH_BYTES (64 * 1024)

struct stat_shard {
    _Atomic int64_t live;
    _Atomic int64_t peak;    /* this shard's own high-water mark */
    _Atomic int64_t pending; /* change not yet published to the global total */
    _Atomic uint64_t ops;
    _Atomic int touched;
} __attribute__((aligned(64)));

struct heap_stats {
    struct stat_shard shard[STATS_SHARDS + 1];
    _Atomic int64_t global_live; /* published totals, for the multi-thread peak */
    _Atomic int64_t global_peak;
    _Atomic int shards_used;
};

void stats_init(struct heap_stats *s);
void stats_read(struct heap_stats *s, uint64_t *live, uint64_t *live_peak, uint64_t *ops);

/* Peak tracking for a value every thread may change (e.g. bytes reserved). */
static inline void atomic_max_i64(_Atomic int64_t *peak, int64_t value)
{
    int64_t old = atomic_load_explicit(peak, memory_order_relaxed);
    while (value > old &&
           !atomic_compare_exchange_weak_explicit(peak, &old, value, memory_order_relaxed,
                                                  memory_order_relaxed))
        ;
}

/* the slow paths of stats_record, out of line */
extern _Thread_local int stats_my_shard;
int stats_claim_shard(void);
void stats_first_touch(struct heap_stats *s, struct stat_shard *sh);
void stats_flush(struct heap_stats *s, struct stat_shard *sh);

static inline void stats_add_owned(_Atomic int64_t *v, int64_t d)
{
    atomic_store_explicit(v, atomic_load_explicit(v, memory_order_relaxed) + d, memory_order_relaxed);
}

/* bytes > 0: allocated; < 0: freed. Counts one operation. Inline: it is on
 * every allocation's fast path. */
static inline void stats_record(struct heap_stats *s, int64_t bytes)
{
    if (__builtin_expect(stats_my_shard < 0, 0))
        stats_my_shard = stats_claim_shard();
    struct stat_shard *sh = &s->shard[stats_my_shard];
    if (__builtin_expect(!atomic_load_explicit(&sh->touched, memory_order_relaxed), 0))
        stats_first_touch(s, sh);
    int64_t live;
    if (__builtin_expect(stats_my_shard == STATS_SHARDS, 0)) { /* shared: every update atomic */
        atomic_fetch_add_explicit(&sh->ops, 1, memory_order_relaxed);
        live = atomic_fetch_add_explicit(&sh->live, bytes, memory_order_relaxed) + bytes;
        atomic_max_i64(&sh->peak, live);
        atomic_fetch_add_explicit(&sh->pending, bytes, memory_order_relaxed);
    } else {
        atomic_store_explicit(&sh->ops, atomic_load_explicit(&sh->ops, memory_order_relaxed) + 1,
                              memory_order_relaxed);
        stats_add_owned(&sh->live, bytes);
        live = atomic_load_explicit(&sh->live, memory_order_relaxed);
        if (live > atomic_load_explicit(&sh->peak, memory_order_relaxed))
            atomic_store_explicit(&sh->peak, live, memory_order_relaxed);
        stats_add_owned(&sh->pending, bytes);
    }
    int64_t pending = atomic_load_explicit(&sh->pending, memory_order_relaxed);
    if (__builtin_expect(pending >= STATS_FLUSH_BYTES || pending <= -STATS_FLUSH_BYTES, 0))
        stats_flush(s, sh);
}

#endif
