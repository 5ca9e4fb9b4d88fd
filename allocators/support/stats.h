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
/* bytes > 0: allocated; < 0: freed. Counts one operation. */
void stats_record(struct heap_stats *s, int64_t bytes);
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

#endif
