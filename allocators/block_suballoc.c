/*
 * block_suballoc - size-class slabs carved from big parent blocks (2 MiB,
 * aligned, cut into 64 KiB slabs: support/slabpool.h), with per-thread
 * caches so that the common case takes no lock at all.
 *
 *   thread cache (one per thread): a free list per size class. alloc pops,
 *   free pushes: no lock, no shared cache line.
 *   depot (one per size class, locked): the slabs that have free objects.
 *   A cache that runs dry takes a batch from the depot; a cache that holds
 *   too many (frees from other threads end up here: each thread frees into
 *   its own cache) gives a batch back, and each object returns to its slab.
 *
 * The alignment of parent blocks is what makes free cheap: the object's slab
 * is found from its address alone (addr & ~(2 MiB - 1), then the 64 KiB index).
 * Sizes 16 B..32 KiB use 40 classes (16-byte steps to 128, then four per
 * power of two); larger requests are mmap'd on their own. A slab left empty
 * goes back to its parent block when the class has other slabs to serve
 * from; a parent block left empty is unmapped once more than `keep_empty`
 * (option, default 1) empty ones are held.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "allocator.h"
#include "support/os.h"
#include "support/slabpool.h"
#include "support/stats.h"

#define MAX_SMALL ((size_t)32 << 10)
#define NCLASS 40
/* A thread cache refills one batch at a time, and gives back down to
 * KEEP_BATCHES once it holds more than MAX_BATCHES. Every batch that goes
 * through the depot may land in another thread's cache, and its objects'
 * cache lines then move between cores: with 2 and 1 (first version), two
 * threads churning reached 1.6x one thread's ops/s on the 2-core VM; with
 * 4 and 2, 2.0x. The price: up to 4 batches (about 32 KiB) per class held. */
#define MAX_BATCHES 4
#define KEEP_BATCHES 2

struct depot {
    pthread_mutex_t lock;
    struct slab *slabs; /* slabs with at least one free object */
} __attribute__((aligned(64)));

struct tcache {
    struct tcache *next, *prev; /* the instance's caches */
    struct block_suballoc *owner;
    struct stat_shard *shard; /* this thread's counters; NULL: the shared shard */
    struct {
        void *head;
        uint32_t count;
        uint32_t limit; /* MAX_BATCHES batches: here, not looked up, on the free path */
    } bin[NCLASS];
};

struct block_suballoc {
    struct depot depot[NCLASS];
    struct heap_stats stats;
    pthread_mutex_t caches_lock;
    struct tcache *caches;
    pthread_key_t key;
    uint64_t gen;
    struct slabpool pool; /* parents, slabs, large mappings; bytes reserved */
};

static uint32_t class_size[NCLASS];
static uint32_t class_batch[NCLASS];
static uint8_t class_index[MAX_SMALL / 16 + 1]; /* by (size + 15) / 16 */
static pthread_once_t classes_once = PTHREAD_ONCE_INIT;
static _Atomic uint64_t next_gen = 1;
static _Thread_local struct tcache *tl_cache;
static _Thread_local uint64_t tl_gen;

static void build_classes(void)
{
    int c = 0;
    for (uint32_t s = 16; s <= 128; s += 16)
        class_size[c++] = s;
    for (uint32_t base = 128; base < MAX_SMALL; base *= 2)
        for (uint32_t step = 1; step <= 4; step++)
            class_size[c++] = base + step * base / 4;
    for (int i = 0, k = 0; i <= (int)(MAX_SMALL / 16); i++) {
        while (class_size[k] < (uint32_t)i * 16)
            k++;
        class_index[i] = (uint8_t)k;
    }
    for (int i = 0; i < NCLASS; i++) {
        uint32_t b = 8192 / class_size[i]; /* move about 8 KiB per depot visit */
        class_batch[i] = b < 2 ? 2 : b > 64 ? 64 : b;
    }
}

static inline int class_of(size_t size) { return class_index[(size + 15) >> 4]; }

/* ---- the depot (its class lock held) ---- */
static void depot_link(struct depot *d, struct slab *s)
{
    s->prev = NULL;
    s->next = d->slabs;
    if (d->slabs)
        d->slabs->prev = s;
    d->slabs = s;
    s->in_depot = 1;
}

static void depot_unlink(struct depot *d, struct slab *s)
{
    if (s->prev)
        s->prev->next = s->next;
    else
        d->slabs = s->next;
    if (s->next)
        s->next->prev = s->prev;
    s->in_depot = 0;
}

/* Move up to `want` objects of class cls into a chain; returns how many. */
static uint32_t depot_fetch(struct block_suballoc *h, int cls, uint32_t want, void **chain)
{
    struct depot *d = &h->depot[cls];
    size_t size = class_size[cls];
    uint32_t got = 0;
    void *head = NULL;
    pthread_mutex_lock(&d->lock);
    while (got < want) {
        struct slab *s = d->slabs;
        if (!s) {
            pthread_mutex_unlock(&d->lock); /* never hold a class lock while mapping */
            s = slabpool_take(&h->pool, cls, class_size[cls]);
            pthread_mutex_lock(&d->lock);
            if (!s)
                break;
            depot_link(d, s);
        }
        while (got < want) {
            void *obj;
            if (s->free_list) {
                obj = s->free_list;
                s->free_list = *(void **)obj;
            } else if (s->bump < s->end) {
                obj = s->bump;
                s->bump += size;
            } else {
                break;
            }
            *(void **)obj = head;
            head = obj;
            s->inuse++;
            got++;
        }
        if (!s->free_list && s->bump >= s->end)
            depot_unlink(d, s);
    }
    pthread_mutex_unlock(&d->lock);
    *chain = head;
    return got;
}

/* Give a chain of n objects back to their slabs. */
static void depot_return(struct block_suballoc *h, int cls, void *chain)
{
    struct depot *d = &h->depot[cls];
    struct slab *emptied[SLABS_PER_PARENT * 2];
    int nempty = 0;
    pthread_mutex_lock(&d->lock);
    while (chain) {
        void *obj = chain;
        chain = *(void **)obj;
        struct slab *s = slab_of(obj);
        *(void **)obj = s->free_list;
        s->free_list = obj;
        if (!s->in_depot)
            depot_link(d, s);
        /* An empty slab goes back to its parent if the class has another slab
         * to serve from; keeping one avoids map/unmap ping-pong. */
        if (--s->inuse == 0 && (s->prev || s->next) && nempty < (int)(sizeof emptied / sizeof *emptied)) {
            depot_unlink(d, s);
            emptied[nempty++] = s;
        }
    }
    pthread_mutex_unlock(&d->lock);
    for (int i = 0; i < nempty; i++)
        slabpool_give_back(&h->pool, emptied[i]);
}

/* ---- thread caches ---- */
static void cache_flush_all(struct tcache *tc)
{
    for (int c = 0; c < NCLASS; c++) {
        if (tc->bin[c].head)
            depot_return(tc->owner, c, tc->bin[c].head);
        tc->bin[c].head = NULL;
        tc->bin[c].count = 0;
    }
}

static void cache_unlink(struct block_suballoc *h, struct tcache *tc)
{
    pthread_mutex_lock(&h->caches_lock);
    if (tc->prev)
        tc->prev->next = tc->next;
    else
        h->caches = tc->next;
    if (tc->next)
        tc->next->prev = tc->prev;
    pthread_mutex_unlock(&h->caches_lock);
}

/* pthread key destructor: a thread leaving gives its cached objects back. */
static void cache_retire(void *value)
{
    struct tcache *tc = value;
    cache_flush_all(tc);
    cache_unlink(tc->owner, tc);
    os_unmap(tc, sizeof *tc);
}

static struct tcache *cache_get_slow(struct block_suballoc *h)
{
    struct tcache *tc = pthread_getspecific(h->key);
    if (!tc) {
        tc = os_map(sizeof *tc);
        if (!tc)
            return NULL;
        tc->owner = h;
        for (int c = 0; c < NCLASS; c++)
            tc->bin[c].limit = MAX_BATCHES * class_batch[c];
        tc->shard = stats_own_shard(&h->stats);
        pthread_mutex_lock(&h->caches_lock);
        tc->prev = NULL;
        tc->next = h->caches;
        if (h->caches)
            h->caches->prev = tc;
        h->caches = tc;
        pthread_mutex_unlock(&h->caches_lock);
        pthread_setspecific(h->key, tc);
    }
    /* The fast paths trust tl_gen to mean "cache and owned shard ready". A
     * thread past the owned shards never sets it: it always comes here. */
    if (tc->shard) {
        tl_cache = tc;
        tl_gen = h->gen;
    }
    return tc;
}

static inline struct tcache *cache_get(struct block_suballoc *h)
{
    return tl_gen == h->gen ? tl_cache : cache_get_slow(h);
}

/* ---- the interface ---- */
enum { OPT_KEEP_EMPTY, OPT_COUNT };
static const struct param bs_options[OPT_COUNT + 1] = {
    [OPT_KEEP_EMPTY] = {.name = "keep_empty", .type = PARAM_COUNT, .def = "1", .min = 0, .max = 1024,
                        .help = "empty slabs a size class keeps before handing them back"},
};

static void *bs_create(const struct alloc_config *cfg, char err[ALLOC_ERR_LEN])
{
    int keep_empty = (int)cfg->opt[OPT_KEEP_EMPTY].n;
    pthread_once(&classes_once, build_classes);
    struct block_suballoc *h = os_map(round_up(sizeof *h, os_page_size()));
    if (!h) {
        snprintf(err, ALLOC_ERR_LEN, "out of memory");
        return NULL;
    }
    if (pthread_key_create(&h->key, cache_retire) != 0) {
        os_unmap(h, round_up(sizeof *h, os_page_size()));
        snprintf(err, ALLOC_ERR_LEN, "no thread-specific key left");
        return NULL;
    }
    for (int c = 0; c < NCLASS; c++)
        pthread_mutex_init(&h->depot[c].lock, NULL);
    slabpool_init(&h->pool, keep_empty, cfg->thp);
    pthread_mutex_init(&h->caches_lock, NULL);
    stats_init(&h->stats);
    h->gen = atomic_fetch_add(&next_gen, 1);
    return h;
}

static void bs_destroy(void *self)
{
    struct block_suballoc *h = self;
    pthread_key_delete(h->key); /* threads still alive will not call cache_retire */
    if (tl_gen == h->gen)
        tl_gen = 0;
    while (h->caches) {
        struct tcache *tc = h->caches;
        h->caches = tc->next;
        os_unmap(tc, sizeof *tc);
    }
    slabpool_destroy(&h->pool);
    os_unmap(h, round_up(sizeof *h, os_page_size()));
}

/* Out of line, so that the fast paths below stay a few instructions. */
static __attribute__((noinline)) void *refill_and_pop(struct block_suballoc *h, struct tcache *tc, int c)
{
    tc->bin[c].count = depot_fetch(h, c, class_batch[c], &tc->bin[c].head);
    void *obj = tc->bin[c].head;
    if (!obj)
        return NULL;
    tc->bin[c].head = *(void **)obj;
    tc->bin[c].count--;
    return obj;
}

/* keep KEEP_BATCHES in the cache, give the rest back */
static __attribute__((noinline)) void flush_excess(struct block_suballoc *h, struct tcache *tc, int c)
{
    void *keep_tail = tc->bin[c].head;
    for (uint32_t i = 1; i < KEEP_BATCHES * class_batch[c]; i++)
        keep_tail = *(void **)keep_tail;
    void *rest = *(void **)keep_tail;
    *(void **)keep_tail = NULL;
    tc->bin[c].count = KEEP_BATCHES * class_batch[c];
    depot_return(h, c, rest);
}

static __attribute__((noinline)) void free_without_cache(struct block_suballoc *h, void *ptr, size_t size)
{
    if (size > MAX_SMALL) {
        slabpool_unmap_large(&h->pool, ptr, size);
        return;
    }
    *(void **)ptr = NULL; /* no cache could be made: hand it straight back */
    depot_return(h, class_of(size), ptr);
}

static inline __attribute__((always_inline)) void *cache_pop(struct tcache *tc, int c)
{
    void *obj = tc->bin[c].head;
    if (__builtin_expect(obj != NULL, 1)) {
        tc->bin[c].head = *(void **)obj;
        tc->bin[c].count--;
    }
    return obj;
}

/* Push; true when the bin went over its limit and must be flushed. */
static inline __attribute__((always_inline)) bool cache_push(struct tcache *tc, int c, void *ptr)
{
    *(void **)ptr = tc->bin[c].head;
    tc->bin[c].head = ptr;
    return __builtin_expect(++tc->bin[c].count > tc->bin[c].limit, 0);
}

/* The heap without the counters, for realloc and the slow paths. */
static void *heap_alloc(struct block_suballoc *h, size_t size)
{
    if (size > MAX_SMALL)
        return slabpool_map_large(&h->pool, size);
    struct tcache *tc = cache_get(h);
    if (!tc)
        return NULL;
    int c = class_of(size);
    void *obj = cache_pop(tc, c);
    return obj ? obj : refill_and_pop(h, tc, c);
}

static void heap_free(struct block_suballoc *h, void *ptr, size_t size)
{
    struct tcache *tc = size <= MAX_SMALL ? cache_get(h) : NULL;
    if (!tc)
        free_without_cache(h, ptr, size);
    else if (cache_push(tc, class_of(size), ptr))
        flush_excess(h, tc, class_of(size));
}

/* Count one operation in this thread's shard, found through its cache
 * (tl_gen set means the cache holds an owned shard). */
static void count(struct block_suballoc *h, int64_t bytes)
{
    if (tl_gen == h->gen)
        stats_record_owned(&h->stats, tl_cache->shard, bytes);
    else
        stats_record(&h->stats, bytes);
}

static __attribute__((noinline)) void *alloc_slow(struct block_suballoc *h, size_t size)
{
    if (size == 0 || size > ALLOC_MAX_REQUEST) {
        errno = ENOMEM;
        return NULL;
    }
    void *obj = heap_alloc(h, size);
    if (!obj) {
        errno = ENOMEM;
        return NULL;
    }
    count(h, (int64_t)size);
    return obj;
}

static __attribute__((noinline)) void free_slow(struct block_suballoc *h, void *ptr, size_t size)
{
    if (!ptr)
        return;
    heap_free(h, ptr, size);
    count(h, -(int64_t)size);
}

/* The fast paths' cold ends, out of line and reached by tail calls: a call
 * the fast path returned from would make it save registers every time. */
static __attribute__((noinline)) void *alloc_crossed(struct block_suballoc *h, struct stat_shard *sh, int64_t live,
                                                     void *obj)
{
    stats_crossed(&h->stats, sh, live);
    return obj;
}

static __attribute__((noinline)) void free_flush(struct block_suballoc *h, struct tcache *tc, int c, size_t size)
{
    flush_excess(h, tc, c);
    stats_record_owned(&h->stats, tc->shard, -(int64_t)size);
}

/* The fast paths: a small size, this thread's cache and counter shard already
 * known for this heap (tl_gen), an object in the bin, a cache under its limit.
 * Everything else (first call, refill, flush, large, bad sizes) goes the slow
 * way. */
static void *bs_alloc(void *self, size_t size)
{
    struct block_suballoc *h = self;
    if (__builtin_expect(tl_gen == h->gen && size - 1 < MAX_SMALL, 1)) {
        struct tcache *tc = tl_cache;
        void *obj = cache_pop(tc, class_of(size));
        if (__builtin_expect(obj != NULL, 1)) {
            int64_t live;
            if (__builtin_expect(stats_add(tc->shard, (int64_t)size, &live), 0))
                return alloc_crossed(h, tc->shard, live, obj);
            return obj;
        }
    }
    return alloc_slow(h, size);
}

static void bs_free(void *self, void *ptr, size_t size)
{
    struct block_suballoc *h = self;
    if (__builtin_expect(tl_gen == h->gen && ptr && size - 1 < MAX_SMALL, 1)) {
        struct tcache *tc = tl_cache;
        int c = class_of(size);
        if (cache_push(tc, c, ptr)) {
            free_flush(h, tc, c, size);
            return;
        }
        int64_t live;
        if (__builtin_expect(stats_add(tc->shard, -(int64_t)size, &live), 0))
            stats_crossed(&h->stats, tc->shard, live);
        return;
    }
    free_slow(h, ptr, size);
}

static void *bs_realloc(void *self, void *ptr, size_t old_size, size_t new_size)
{
    struct block_suballoc *h = self;
    if (!ptr)
        return bs_alloc(self, new_size);
    if (new_size == 0 || new_size > ALLOC_MAX_REQUEST) {
        errno = ENOMEM;
        return NULL;
    }
    int same_class = old_size <= MAX_SMALL && new_size <= MAX_SMALL && class_of(old_size) == class_of(new_size);
    if (same_class) {
        count(h, (int64_t)new_size - (int64_t)old_size);
        return ptr;
    }
    if (old_size > MAX_SMALL && new_size > MAX_SMALL) { /* let the kernel move the pages */
        void *p = slabpool_remap_large(&h->pool, ptr, old_size, new_size);
        if (!p) {
            errno = ENOMEM;
            return NULL;
        }
        count(h, (int64_t)new_size - (int64_t)old_size);
        return p;
    }
    void *p = heap_alloc(h, new_size);
    if (!p) {
        errno = ENOMEM;
        return NULL;
    }
    memcpy(p, ptr, old_size < new_size ? old_size : new_size);
    heap_free(h, ptr, old_size);
    count(h, (int64_t)new_size - (int64_t)old_size);
    return p;
}

/* fork(): every lock held across it (the cache list's, each class's, the
 * pool's; no path holds two at once, so any order is safe), so that the
 * child's copy is whole; the child starts from fresh locks. Other threads'
 * caches stay on the list in the child, their objects never handed out. */
static void bs_fork_prepare(void *self)
{
    struct block_suballoc *h = self;
    pthread_mutex_lock(&h->caches_lock);
    for (int c = 0; c < NCLASS; c++)
        pthread_mutex_lock(&h->depot[c].lock);
    pthread_mutex_lock(&h->pool.lock);
}

static void bs_fork_parent(void *self)
{
    struct block_suballoc *h = self;
    pthread_mutex_unlock(&h->pool.lock);
    for (int c = NCLASS - 1; c >= 0; c--)
        pthread_mutex_unlock(&h->depot[c].lock);
    pthread_mutex_unlock(&h->caches_lock);
}

static void bs_fork_child(void *self)
{
    struct block_suballoc *h = self;
    pthread_mutex_init(&h->caches_lock, NULL);
    for (int c = 0; c < NCLASS; c++)
        pthread_mutex_init(&h->depot[c].lock, NULL);
    pthread_mutex_init(&h->pool.lock, NULL);
}

static const struct alloc_fork bs_fork = {bs_fork_prepare, bs_fork_parent, bs_fork_child};

static void bs_counters(void *self, struct alloc_counters *out)
{
    struct block_suballoc *h = self;
    uint64_t live, peak;
    stats_read(&h->stats, &live, &peak);
    out->bytes_live = (double)live;
    out->bytes_live_peak = (double)peak;
    out->bytes_reserved = (double)atomic_load(&h->pool.reserved);
    out->bytes_reserved_peak = (double)atomic_load(&h->pool.reserved_peak);
    /* no lock figures: the fast path has no lock to wait for */
}

const struct allocator allocator_block_suballoc = {
    .name = "block_suballoc",
    .summary = "size-class slabs in 2 MiB parent blocks, lock-free per-thread caches, shared depot",
    .model = MODEL_THREADS,
    .promises = ALLOC_RETURNS_MEMORY,
    .options = bs_options,
    .create = bs_create,
    .destroy = bs_destroy,
    .alloc = bs_alloc,
    .free = bs_free,
    .realloc = bs_realloc,
    .counters = bs_counters,
    .fork = &bs_fork,
};
