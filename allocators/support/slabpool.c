/* slabpool.c - parent blocks, slabs and large mappings (slabpool.h). */
#include <string.h>

#include "os.h"
#include "slabpool.h"
#include "stats.h"

#define ALL_SLABS_FREE ((uint32_t)(((uint64_t)1 << SLABS_PER_PARENT) - 2)) /* slab 0 is metadata */

static void reserved_add(struct slabpool *pool, int64_t bytes)
{
    int64_t now = atomic_fetch_add(&pool->reserved, bytes) + bytes;
    atomic_max_i64(&pool->reserved_peak, now);
}

void slabpool_init(struct slabpool *pool, int keep_empty, enum thp_mode thp)
{
    pthread_mutex_init(&pool->lock, NULL);
    pool->parents = pool->avail = NULL;
    pool->empty_parents = 0;
    pool->keep_empty = keep_empty;
    pool->thp = thp;
    atomic_init(&pool->reserved, 0);
    atomic_init(&pool->reserved_peak, 0);
}

void slabpool_destroy(struct slabpool *pool)
{
    while (pool->parents) {
        struct parent *p = pool->parents;
        pool->parents = p->next;
        os_unmap(p, PARENT_SIZE);
    }
}

/* ---- parent blocks (the pool's lock held) ---- */
static void avail_push(struct slabpool *pool, struct parent *p)
{
    p->avail_prev = NULL;
    p->avail_next = pool->avail;
    if (pool->avail)
        pool->avail->avail_prev = p;
    pool->avail = p;
    p->in_avail = 1;
}

static void avail_remove(struct slabpool *pool, struct parent *p)
{
    if (p->avail_prev)
        p->avail_prev->avail_next = p->avail_next;
    else
        pool->avail = p->avail_next;
    if (p->avail_next)
        p->avail_next->avail_prev = p->avail_prev;
    p->in_avail = 0;
}

static struct parent *parent_new(struct slabpool *pool)
{
    struct parent *p = os_map_aligned(PARENT_SIZE, PARENT_SIZE);
    if (!p)
        return NULL;
    os_advise_thp(p, PARENT_SIZE, pool->thp);
    reserved_add(pool, (int64_t)PARENT_SIZE);
    p->free_mask = ALL_SLABS_FREE;
    p->prev = NULL;
    p->next = pool->parents;
    if (pool->parents)
        pool->parents->prev = p;
    pool->parents = p;
    avail_push(pool, p);
    pool->empty_parents++;
    return p;
}

struct slab *slabpool_take(struct slabpool *pool, int cls, uint32_t object_size)
{
    pthread_mutex_lock(&pool->lock);
    struct parent *p = pool->avail ? pool->avail : parent_new(pool);
    if (!p) {
        pthread_mutex_unlock(&pool->lock);
        return NULL;
    }
    if (p->free_mask == ALL_SLABS_FREE)
        pool->empty_parents--;
    int i = __builtin_ctz(p->free_mask);
    p->free_mask &= ~((uint32_t)1 << i);
    if (!p->free_mask)
        avail_remove(pool, p);
    pthread_mutex_unlock(&pool->lock);

    struct slab *s = &p->slab[i];
    char *start = (char *)p + (size_t)i * SLAB_SIZE;
    memset(s, 0, sizeof *s);
    s->cls = (uint16_t)cls;
    s->bump = start;
    s->end = start + (SLAB_SIZE / object_size) * object_size;
    return s;
}

void slabpool_give_back(struct slabpool *pool, struct slab *s)
{
    struct parent *p = (struct parent *)((uintptr_t)s & ~(uintptr_t)(PARENT_SIZE - 1));
    int i = (int)(s - p->slab);
    pthread_mutex_lock(&pool->lock);
    p->free_mask |= (uint32_t)1 << i;
    if (!p->in_avail)
        avail_push(pool, p);
    if (p->free_mask == ALL_SLABS_FREE && ++pool->empty_parents > pool->keep_empty) {
        avail_remove(pool, p);
        if (p->prev)
            p->prev->next = p->next;
        else
            pool->parents = p->next;
        if (p->next)
            p->next->prev = p->prev;
        pool->empty_parents--;
        os_unmap(p, PARENT_SIZE);
        reserved_add(pool, -(int64_t)PARENT_SIZE);
    }
    pthread_mutex_unlock(&pool->lock);
}

/* ---- large requests: a mapping each ---- */
void *slabpool_map_large(struct slabpool *pool, size_t size)
{
    size_t len = round_up(size, os_page_size());
    void *p = os_map(len);
    if (!p)
        return NULL;
    os_advise_thp(p, len, pool->thp);
    reserved_add(pool, (int64_t)len);
    return p;
}

void slabpool_unmap_large(struct slabpool *pool, void *p, size_t size)
{
    size_t len = round_up(size, os_page_size());
    os_unmap(p, len);
    reserved_add(pool, -(int64_t)len);
}

void *slabpool_remap_large(struct slabpool *pool, void *p, size_t old_size, size_t new_size)
{
    size_t old_len = round_up(old_size, os_page_size()), new_len = round_up(new_size, os_page_size());
    void *q = os_remap(p, old_len, new_len); /* the kernel moves the pages */
    if (q)
        reserved_add(pool, (int64_t)new_len - (int64_t)old_len);
    return q;
}
