/*
 * stats.h - live-byte counters that cost no shared cache line.
 *
 * A global atomic counter bumped on every malloc would serialise the threads
 * we are trying to measure, so each thread owns a shard (one cache line) and
 * updates it with plain relaxed stores. Readers sum the shards.
 *
 * bytes_live is exact whenever the threads are quiet. Its peak is exact when
 * one thread used the instance; with several, each shard publishes its live
 * bytes to a global total whenever they moved STATS_FLUSH_BYTES from what it
 * published last, so the peak is within threads x STATS_FLUSH_BYTES of the
 * truth.
 */
#ifndef ALLOCLAB_STATS_H
#define ALLOCLAB_STATS_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#define STATS_SHARDS 64                 /* owned shards; further threads share one more */
#define STATS_FLUSH_BYTES (64 * 1024)

struct stat_shard {
    _Atomic int64_t live;
    /* The fast path makes one comparison per operation: live above `high`
     * (a new peak, or STATS_FLUSH_BYTES more than published) or below `low`
     * (STATS_FLUSH_BYTES less) sends it to stats_crossed(), out of line. With
     * that call kept off the fast path (stats_add), block_suballoc's churn
     * went from 4.5 to 4.0 ns an operation on the 2-core VM. */
    _Atomic int64_t high; /* min(peak, published + STATS_FLUSH_BYTES - 1) */
    _Atomic int64_t low;  /* published - STATS_FLUSH_BYTES + 1 */
    _Atomic int64_t peak;      /* this shard's own high-water mark */
    _Atomic int64_t published; /* live as last added into the global total */
    _Atomic int touched;
} __attribute__((aligned(64)));

struct heap_stats {
    struct stat_shard shard[STATS_SHARDS + 1];
    _Atomic int64_t global_live; /* published totals, for the multi-thread peak */
    _Atomic int64_t global_peak;
    _Atomic int shards_used;
};

void stats_init(struct heap_stats *s);
void stats_read(struct heap_stats *s, uint64_t *live, uint64_t *live_peak);

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
void stats_record_slow(struct heap_stats *s, int64_t bytes);

/* The calling thread's own shard of s, ready for stats_record_owned(), or
 * NULL when the thread has the shared shard (more than STATS_SHARDS threads):
 * use stats_record() then. A heap with a per-thread structure keeps this
 * pointer there, and skips the lookup on every operation. */
struct stat_shard *stats_own_shard(struct heap_stats *s);

/* live left [low, high]: a new peak, or time to publish. Returns whether it
 * published. */
bool stats_crossed(struct heap_stats *s, struct stat_shard *sh, int64_t live);

/* A shard only its thread writes: plain loads and stores (relaxed atomics are
 * plain moves on x86, but the compiler never merges them, so each is written
 * once here). Adds bytes to live; true when live left [low, high] and the
 * caller must call stats_crossed(s, sh, *live). A heap whose fast path must
 * stay free of calls (the call would make it save registers on every
 * operation) tail-calls that from its own cold path. */
static inline __attribute__((always_inline)) bool stats_add(struct stat_shard *sh, int64_t bytes, int64_t *live)
{
    *live = atomic_load_explicit(&sh->live, memory_order_relaxed) + bytes;
    atomic_store_explicit(&sh->live, *live, memory_order_relaxed);
    return bytes > 0 ? __builtin_expect(*live > atomic_load_explicit(&sh->high, memory_order_relaxed), 0)
                     : __builtin_expect(*live < atomic_load_explicit(&sh->low, memory_order_relaxed), 0);
}

/* stats_add and, when due, stats_crossed. Returns true when it published to
 * the global total: the live bytes moved STATS_FLUSH_BYTES, a moment for a
 * caller to sample anything else it tracks the peak of. */
static inline __attribute__((always_inline)) bool stats_record_owned(struct heap_stats *s, struct stat_shard *sh,
                                                                     int64_t bytes)
{
    int64_t live;
    return stats_add(sh, bytes, &live) ? stats_crossed(s, sh, live) : false;
}

/* bytes > 0: allocated; < 0: freed. Always inlined:
 * it is on every allocation's fast path (out of line it cost a tenth of
 * block_suballoc's churn time). A thread's first call, and threads past the
 * owned shards, take the slow path. */
static inline __attribute__((always_inline)) void stats_record(struct heap_stats *s, int64_t bytes)
{
    int me = stats_my_shard;
    if (__builtin_expect(me >= 0 && me < STATS_SHARDS, 1)) {
        struct stat_shard *sh = &s->shard[me];
        if (__builtin_expect(atomic_load_explicit(&sh->touched, memory_order_relaxed), 1)) {
            stats_record_owned(s, sh, bytes);
            return;
        }
    }
    stats_record_slow(s, bytes);
}

#endif
