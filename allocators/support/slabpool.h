/*
 * slabpool.h - the memory block_suballoc holds from the OS: 2 MiB aligned
 * parent blocks cut into 64 KiB slabs of one size class each, and a mapping
 * of its own for each large request. It counts every byte mapped (bytes
 * reserved and their peak) and hands an empty parent back to the OS once
 * more than keep_empty are held.
 *
 *   parent block: 2 MiB from mmap, 2 MiB aligned, cut into 32 slabs of 64 KiB
 *   +-----------+--------+--------+-----+--------+
 *   | metadata  | slab 1 | slab 2 | ... | slab 31|   slab = objects of one size class
 *   +-----------+--------+--------+-----+--------+
 *
 * The alignment is what makes a free cheap: an object's slab is found from
 * its address alone (slab_of).
 */
#ifndef ALLOCLAB_SLABPOOL_H
#define ALLOCLAB_SLABPOOL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

#include "../allocator.h"

#define PARENT_SIZE ((size_t)2 << 20)
#define SLAB_SIZE ((size_t)64 << 10)
#define SLABS_PER_PARENT ((int)(PARENT_SIZE / SLAB_SIZE)) /* slab 0 holds the metadata */

struct slab {
    struct slab *next, *prev; /* in its class's depot while it has free objects */
    void *free_list;          /* objects given back to this slab */
    char *bump, *end;         /* never-used objects, carved lazily */
    uint32_t inuse;           /* objects out in caches or in use */
    uint16_t cls;
    uint8_t in_depot;
};

struct parent {
    struct parent *next, *prev;             /* all parents */
    struct parent *avail_next, *avail_prev; /* parents with a free slab */
    uint32_t free_mask;                     /* bit i: slab i free */
    int in_avail;
    struct slab slab[SLABS_PER_PARENT];
};

struct slabpool {
    pthread_mutex_t lock; /* parents, avail list, empty count */
    struct parent *parents, *avail;
    int empty_parents, keep_empty;
    enum thp_mode thp;
    _Atomic int64_t reserved, reserved_peak;
};

void slabpool_init(struct slabpool *pool, int keep_empty, enum thp_mode thp);
/* every parent back to the OS (large mappings are their owners' to free) */
void slabpool_destroy(struct slabpool *pool);
/* a free slab set up for class cls of object_size-byte objects, or NULL */
struct slab *slabpool_take(struct slabpool *pool, int cls, uint32_t object_size);
/* a slab whose objects all came home */
void slabpool_give_back(struct slabpool *pool, struct slab *s);
/* a large request's own mapping (size rounded up to pages), counted; NULL with errno */
void *slabpool_map_large(struct slabpool *pool, size_t size);
void slabpool_unmap_large(struct slabpool *pool, void *p, size_t size);
void *slabpool_remap_large(struct slabpool *pool, void *p, size_t old_size, size_t new_size);

static inline struct slab *slab_of(void *obj)
{
    struct parent *p = (struct parent *)((uintptr_t)obj & ~(uintptr_t)(PARENT_SIZE - 1));
    return &p->slab[((uintptr_t)obj - (uintptr_t)p) / SLAB_SIZE];
}

#endif
