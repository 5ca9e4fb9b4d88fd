/*
 * floorheap.c - the fastest heap churn can see: pop and push a per-thread
 * list per 16-byte class, memory from one big reservation, no counters, no
 * reuse across threads. Not a strategy (it is not in allocators/ and is never
 * registered): it measures the churn loop itself, so that a strategy's ops/s
 * can be read against what any allocator could reach on this machine.
 */
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include "cell.h"
#include "floorheap.h"

#define RESERVE ((size_t)8 << 30) /* address space only: MAP_NORESERVE */
#define CHUNK ((size_t)64 << 20)
#define CLASSES (32768 / 16 + 2)

struct floor_heap {
    char *base;
    _Atomic size_t used;
};

static _Thread_local void *lists[CLASSES];
static _Thread_local char *bump, *bump_end;

static void *floor_create(const struct alloc_config *cfg, char err[ALLOC_ERR_LEN])
{
    (void)cfg;
    static struct floor_heap h;
    h.base = mmap(NULL, RESERVE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (h.base == MAP_FAILED) {
        snprintf(err, ALLOC_ERR_LEN, "cannot reserve address space");
        return NULL;
    }
    atomic_store(&h.used, 0);
    return &h;
}

static void floor_destroy(void *self)
{
    struct floor_heap *h = self;
    munmap(h->base, RESERVE);
}

static void *floor_alloc(void *self, size_t size)
{
    size_t c = (size + 15) >> 4;
    if (c >= CLASSES)
        return NULL;
    void *p = lists[c];
    if (p) {
        lists[c] = *(void **)p;
        return p;
    }
    if (!bump || (size_t)(bump_end - bump) < c << 4) {
        struct floor_heap *h = self;
        size_t at = atomic_fetch_add(&h->used, CHUNK);
        if (at + CHUNK > RESERVE)
            return NULL;
        bump = h->base + at;
        bump_end = bump + CHUNK;
    }
    p = bump;
    bump += c << 4;
    return p;
}

static void floor_free(void *self, void *p, size_t size)
{
    (void)self;
    size_t c = (size + 15) >> 4;
    *(void **)p = lists[c];
    lists[c] = p;
}

static const struct allocator floor_heap = {
    .name = "churn_floor",
    .summary = "the churn loop's own cost: a heap that only pops and pushes a per-thread list",
    .model = MODEL_THREADS,
    .create = floor_create,
    .destroy = floor_destroy,
    .alloc = floor_alloc,
    .free = floor_free,
};

int churn_floor_ops_per_sec(struct topo *tp, const struct cell_spec *churn, double out[CHURN_FLOOR_RUNS])
{
    struct cell_spec s = *churn;
    s.group = "calibrate";
    s.strategy = &floor_heap;
    s.model = MODEL_THREADS;
    s.timeout_s = 120;
    memset(&s.config, 0, sizeof s.config); /* the floor heap has no options */
    for (int rep = 0; rep < CHURN_FLOOR_RUNS; rep++) {
        struct cell_result r;
        if (cell_run(&s, tp, &r) != 0 || r.status != CELL_OK)
            return rep;
        out[rep] = r.fig[FIG_OPS_PER_SEC];
    }
    return CHURN_FLOOR_RUNS;
}
