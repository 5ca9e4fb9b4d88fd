#include "stats.h"

#include <pthread.h>
#include <string.h>

/* Shard indices are process-wide: a thread claims one on first use and gives
 * it back when it exits, so a shard has one writer at a time. */
static _Atomic uint64_t shard_in_use;
static pthread_key_t shard_key;
static pthread_once_t shard_once = PTHREAD_ONCE_INIT;
_Thread_local int stats_my_shard = -1;

static void release_shard(void *value)
{
    int idx = (int)(intptr_t)value - 1;
    if (idx >= 0 && idx < STATS_SHARDS)
        atomic_fetch_and(&shard_in_use, ~((uint64_t)1 << idx));
}

static void make_key(void) { pthread_key_create(&shard_key, release_shard); }

static int stats_claim_shard(void)
{
    pthread_once(&shard_once, make_key);
    uint64_t used = atomic_load(&shard_in_use);
    for (;;) {
        if (used == UINT64_MAX)
            return STATS_SHARDS; /* the shared overflow shard */
        int idx = __builtin_ctzll(~used);
        if (atomic_compare_exchange_weak(&shard_in_use, &used, used | ((uint64_t)1 << idx))) {
            pthread_setspecific(shard_key, (void *)(intptr_t)(idx + 1));
            return idx;
        }
    }
}

static void stats_first_touch(struct heap_stats *s, struct stat_shard *sh)
{
    atomic_store(&sh->touched, 1);
    atomic_fetch_add(&s->shards_used, 1);
}

static void stats_publish(struct heap_stats *s, struct stat_shard *sh, int64_t live)
{
    int64_t moved = live - atomic_exchange_explicit(&sh->published, live, memory_order_relaxed);
    int64_t total = atomic_fetch_add(&s->global_live, moved) + moved;
    atomic_max_i64(&s->global_peak, total);
}

/* the bounds stats_record_owned compares live with, from peak and published */
static void set_bounds(struct stat_shard *sh)
{
    int64_t peak = atomic_load_explicit(&sh->peak, memory_order_relaxed);
    int64_t published = atomic_load_explicit(&sh->published, memory_order_relaxed);
    int64_t flush_at = published + STATS_FLUSH_BYTES - 1;
    atomic_store_explicit(&sh->high, peak < flush_at ? peak : flush_at, memory_order_relaxed);
    atomic_store_explicit(&sh->low, published - STATS_FLUSH_BYTES + 1, memory_order_relaxed);
}

void stats_init(struct heap_stats *s)
{
    memset(s, 0, sizeof *s);
    for (int i = 0; i <= STATS_SHARDS; i++)
        set_bounds(&s->shard[i]);
}

bool stats_crossed(struct heap_stats *s, struct stat_shard *sh, int64_t live)
{
    if (live > atomic_load_explicit(&sh->peak, memory_order_relaxed))
        atomic_store_explicit(&sh->peak, live, memory_order_relaxed);
    int64_t moved = live - atomic_load_explicit(&sh->published, memory_order_relaxed);
    bool publish = moved >= STATS_FLUSH_BYTES || moved <= -STATS_FLUSH_BYTES;
    if (publish)
        stats_publish(s, sh, live);
    set_bounds(sh);
    return publish;
}

void stats_read(struct heap_stats *s, uint64_t *live, uint64_t *live_peak)
{
    int64_t sum = 0, single_peak = 0;
    for (int i = 0; i <= STATS_SHARDS; i++) {
        sum += atomic_load_explicit(&s->shard[i].live, memory_order_relaxed);
        if (atomic_load_explicit(&s->shard[i].touched, memory_order_relaxed))
            single_peak = atomic_load_explicit(&s->shard[i].peak, memory_order_relaxed);
    }
    int64_t peak = atomic_load(&s->shards_used) <= 1 ? single_peak : atomic_load(&s->global_peak);
    if (peak < sum)
        peak = sum;
    *live = sum > 0 ? (uint64_t)sum : 0;
    *live_peak = (uint64_t)peak;
}

/* This thread's shard of s, claimed and marked in use. */
static struct stat_shard *my_shard(struct heap_stats *s)
{
    if (stats_my_shard < 0)
        stats_my_shard = stats_claim_shard();
    struct stat_shard *sh = &s->shard[stats_my_shard];
    if (!atomic_load_explicit(&sh->touched, memory_order_relaxed))
        stats_first_touch(s, sh);
    return sh;
}

void stats_record_slow(struct heap_stats *s, int64_t bytes)
{
    struct stat_shard *sh = my_shard(s);
    if (stats_my_shard < STATS_SHARDS) {
        stats_record_owned(s, sh, bytes);
        return;
    }
    /* the shared shard: every update atomic, published at once */
    int64_t live = atomic_fetch_add_explicit(&sh->live, bytes, memory_order_relaxed) + bytes;
    atomic_max_i64(&sh->peak, live);
    int64_t total = atomic_fetch_add(&s->global_live, bytes) + bytes;
    atomic_max_i64(&s->global_peak, total);
}

struct stat_shard *stats_own_shard(struct heap_stats *s)
{
    struct stat_shard *sh = my_shard(s);
    return stats_my_shard < STATS_SHARDS ? sh : NULL;
}
