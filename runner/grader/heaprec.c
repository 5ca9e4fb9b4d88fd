/*
 * heaprec.c - a heap's blocks and mappings recorded operation by operation
 * (heaprec.h says what a record is and where mappings come from).
 */
#include "heaprec.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "support/ledger.h"

/* ---- arrays in memory of their own: never the watched heap's ---- */
static int arr_init(struct hm_array *a, size_t elem, size_t cap)
{
    cap = cap ? cap : 64;
    void *p = mmap(NULL, cap * elem, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        return -1;
    *a = (struct hm_array){p, 0, cap, elem};
    return 0;
}

/* room for one more; its index, or -1 */
static long arr_push(struct hm_array *a)
{
    if (a->n == a->cap) {
        void *p = mremap(a->p, a->cap * a->elem, 2 * a->cap * a->elem, MREMAP_MAYMOVE);
        if (p == MAP_FAILED)
            return -1;
        a->p = p;
        a->cap *= 2;
    }
    return (long)a->n++;
}

static void arr_free(struct hm_array *a)
{
    if (a->p)
        munmap(a->p, a->cap * a->elem);
    a->p = NULL;
    a->n = a->cap = 0;
}

#define OPEN_AT(arr, i) (((uint32_t *)(arr)->p)[i])
#define LISTED_AT(r, i) (((struct ledger_range *)(r)->listed.p)[i])

int heaprec_init(struct heaprec *r, const struct allocator *a, const struct trace *t, long at)
{
    memset(r, 0, sizeof *r);
    r->a = a;
    r->ledger = !(a->promises & ALLOC_LIBRARY_HEAP);
    r->num_ops = t->num_ops;
    r->num_ids = t->num_ids;
    r->at = at;
    r->stride = t->num_ops / HEAPREC_SAMPLES + 1;
    r->peak_mapped = NA;
    size_t ids_bytes = (t->num_ids + 1) * sizeof *r->open_block;
    r->open_block = mmap(NULL, ids_bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (r->open_block == MAP_FAILED) {
        r->open_block = NULL;
        return -1;
    }
    if (arr_init(&r->blocks, sizeof(struct hm_block), t->num_ops / 2 + 16) ||
        arr_init(&r->maps, sizeof(struct hm_map), 64) ||
        arr_init(&r->samples, sizeof(struct hm_sample), HEAPREC_SAMPLES + 16) ||
        arr_init(&r->open, sizeof(uint32_t), 64) || arr_init(&r->spare, sizeof(uint32_t), 64) ||
        arr_init(&r->listed, sizeof(struct ledger_range), 64)) {
        heaprec_free(r);
        return -1;
    }
    if (r->ledger) /* from before create: an arena mapped up front is the heap's */
        ledger_open();
    return 0;
}

/* ---- mappings: the list now against the records open ---- */

/* Open records are kept by address; the list now (r->listed) is too. A
 * record the list still holds, unchanged, stays open; any other closes at
 * k, and each range listed that no record holds opens one. */
static void diff_open(struct heaprec *r, uint32_t k)
{
    size_t i = 0, j = 0, n = r->listed.n;
    r->spare.n = 0;
    while (i < n || j < r->open.n) {
        struct hm_map *m = j < r->open.n ? HM_MAP(r, OPEN_AT(&r->open, j)) : NULL;
        struct ledger_range *l = i < n ? &LISTED_AT(r, i) : NULL;
        long at;
        if (m && l && m->lo == l->lo && m->hi == l->hi) {
            if ((at = arr_push(&r->spare)) >= 0)
                OPEN_AT(&r->spare, at) = OPEN_AT(&r->open, j);
            i++, j++;
        } else if (m && (!l || m->lo <= l->lo)) {
            m->to = k;
            j++;
        } else {
            long rec = arr_push(&r->maps);
            if (rec >= 0 && (at = arr_push(&r->spare)) >= 0) {
                *HM_MAP(r, rec) = (struct hm_map){l->lo, l->hi, k, HEAPREC_OPEN};
                OPEN_AT(&r->spare, at) = (uint32_t)rec;
            }
            i++;
        }
    }
    struct hm_array swap = r->open;
    r->open = r->spare;
    r->spare = swap;
}

static void ledger_refresh(struct heaprec *r, uint32_t k)
{
    uint64_t gen = ledger_generation();
    if (gen == r->gen)
        return;
    size_t n;
    while ((n = ledger_list(r->listed.p, r->listed.cap)) > r->listed.cap) {
        r->listed.n = r->listed.cap;
        if (arr_push(&r->listed) < 0) /* doubles it */
            break;
    }
    r->listed.n = n < r->listed.cap ? n : r->listed.cap;
    r->gen = gen;
    diff_open(r, k);
}

/* Is [p, p+1) in an open mapping? */
static bool in_open(const struct heaprec *r, uintptr_t p)
{
    size_t lo = 0, hi = r->open.n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        const struct hm_map *m = HM_MAP(r, OPEN_AT(&r->open, mid));
        if (m->hi <= p)
            lo = mid + 1;
        else if (m->lo > p)
            hi = mid;
        else
            return true;
    }
    return false;
}

/* The kernel's mappings, by address: those that overlap an open record or
 * hold p (0: none) are listed. The file is read with read(2): no stdio
 * buffer from the watched heap. */
static void vma_refresh(struct heaprec *r, uint32_t k, uintptr_t p)
{
    static char buf[1 << 19];
    int fd = open("/proc/self/maps", O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return;
    size_t len = 0;
    ssize_t got;
    while (len < sizeof buf - 1 && (got = read(fd, buf + len, sizeof buf - 1 - len)) > 0)
        len += (size_t)got;
    close(fd);
    buf[len] = '\0';
    r->listed.n = 0;
    size_t j = 0; /* open records are by address, as the kernel's lines are */
    for (char *line = buf; *line;) {
        char *end;
        uintptr_t lo = (uintptr_t)strtoull(line, &end, 16), hi = *end == '-' ? (uintptr_t)strtoull(end + 1, NULL, 16) : 0;
        while (j < r->open.n && HM_MAP(r, OPEN_AT(&r->open, j))->hi <= lo)
            j++;
        bool held = (p && lo <= p && p < hi) || (j < r->open.n && HM_MAP(r, OPEN_AT(&r->open, j))->lo < hi);
        long at;
        if (held && hi > lo && (at = arr_push(&r->listed)) >= 0)
            LISTED_AT(r, at) = (struct ledger_range){lo, hi};
        char *next = strchr(line, '\n');
        line = next ? next + 1 : line + strlen(line);
    }
    diff_open(r, k);
}

void heaprec_start(struct heaprec *r, void *self)
{
    r->self = self;
    if (r->ledger)
        ledger_refresh(r, 0);
}

/* ---- blocks, utilisation, the moment kept ---- */

static void sample(struct heaprec *r, size_t k)
{
    double mapped = NA;
    if (r->ledger) {
        mapped = (double)ledger_now();
    } else {
        struct alloc_counters c;
        alloc_counters_read(r->a, r->self, &c);
        mapped = c.bytes_reserved; /* the library's own figure, as check takes it */
    }
    long at = arr_push(&r->samples);
    if (at >= 0)
        *HM_SAMPLE(r, at) = (struct hm_sample){(uint32_t)k, r->live, mapped};
    if (!is_na(mapped) && !(mapped <= r->peak_mapped)) /* NA compares false */
        r->peak_mapped = mapped;
}

static int by_addr(const void *x, const void *y)
{
    uintptr_t a = (uintptr_t)((const struct heap_block *)x)->addr, b = (uintptr_t)((const struct heap_block *)y)->addr;
    return a < b ? -1 : a > b;
}

static void keep_moment(struct heaprec *r)
{
    if (!r->a->free_blocks)
        return;
    size_t bytes = HEAPREC_MAX_FREE * sizeof *r->free_at;
    /* one array, kept: step keeps a moment at every operation */
    void *p = r->free_at ? (void *)r->free_at : mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        return;
    r->free_at = p;
    r->nfree_at = r->a->free_blocks(r->self, r->free_at, HEAPREC_MAX_FREE);
    r->nfree_at = r->nfree_at < 0 ? 0 : r->nfree_at;
    qsort(r->free_at, (size_t)r->nfree_at, sizeof *r->free_at, by_addr);
    r->free_listed = true;
}

void heaprec_op(struct heaprec *r, size_t k, uint32_t id, const void *before, const void *after, size_t size)
{
    uint32_t open = id <= r->num_ids ? r->open_block[id] : 0;
    struct hm_block *old = open ? HM_BLOCK(r, open - 1) : NULL;
    bool changed = !old || old->addr != (uintptr_t)after || old->size != size || !after;
    if (old && before && changed) {
        old->to = (uint32_t)k;
        r->live -= (double)old->size;
        r->open_block[id] = 0;
    }
    long at;
    if (after && changed && id <= r->num_ids && (at = arr_push(&r->blocks)) >= 0) {
        *HM_BLOCK(r, at) = (struct hm_block){(uintptr_t)after, size, id, (uint32_t)k, HEAPREC_OPEN};
        r->open_block[id] = (uint32_t)at + 1;
        r->live += (double)size;
        r->peak_live = r->live > r->peak_live ? r->live : r->peak_live;
    }
    if (r->ledger) { /* the ledger's own peak: mappings made and unmapped within one operation count */
        ledger_refresh(r, (uint32_t)k);
        r->peak_mapped = (double)ledger_peak();
    }
    else if ((after && !in_open(r, (uintptr_t)after)) || k % HEAPREC_VMA_EVERY == 0 || (long)k == r->at)
        vma_refresh(r, (uint32_t)k, after && !in_open(r, (uintptr_t)after) ? (uintptr_t)after : 0);
    if (k % r->stride == 0 || (long)k == r->at || k + 1 == r->num_ops)
        sample(r, k);
    if ((long)k == r->at)
        keep_moment(r);
    r->done = k + 1;
}

/* One operation, as the driver does it (step.c the same): a strategy
 * without realloc has its block moved by the driver. */
static void *perform(struct heaprec *r, const struct trace_op *op, void **ptr, size_t *size)
{
    const struct allocator *a = r->a;
    void *old = ptr[op->id], *p = NULL;
    if (op->kind == OP_FREE) {
        if (old)
            a->free(r->self, old, size[op->id]);
        size[op->id] = 0;
        return ptr[op->id] = NULL;
    }
    if (op->kind == OP_ALLOC || !old)
        p = a->alloc(r->self, op->size);
    else if (a->realloc)
        p = a->realloc(r->self, old, size[op->id], op->size);
    else if ((p = a->alloc(r->self, op->size))) {
        memcpy(p, old, size[op->id] < op->size ? size[op->id] : op->size);
        a->free(r->self, old, size[op->id]);
    }
    if (p || op->kind == OP_ALLOC || !old) { /* a refused realloc leaves its block as it was */
        ptr[op->id] = p;
        size[op->id] = p ? op->size : 0;
    }
    return ptr[op->id];
}

void heaprec_replay(struct heaprec *r, const struct trace *t, volatile uint64_t *watch)
{
    size_t bytes = (t->num_ids + 1) * (sizeof(void *) + sizeof(size_t));
    char *room = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (room == MAP_FAILED)
        return;
    void **ptr = (void **)room;
    size_t *size = (size_t *)(room + (t->num_ids + 1) * sizeof(void *));
    for (size_t k = 0; k < t->num_ops; k++) {
        if (watch)
            *watch = k;
        const struct trace_op *op = &t->ops[k];
        void *before = ptr[op->id];
        errno = 0;
        void *after = perform(r, op, ptr, size);
        heaprec_op(r, k, op->id, before, after, size[op->id]);
    }
    if (watch)
        *watch = t->num_ops;
    for (size_t id = 0; id <= t->num_ids; id++)
        if (ptr[id])
            r->a->free(r->self, ptr[id], size[id]);
    munmap(room, bytes);
}

void heaprec_stop(struct heaprec *r)
{
    if (r->ledger && ledger_is_open())
        ledger_close();
}

void heaprec_free(struct heaprec *r)
{
    heaprec_stop(r);
    arr_free(&r->blocks);
    arr_free(&r->maps);
    arr_free(&r->samples);
    arr_free(&r->open);
    arr_free(&r->spare);
    arr_free(&r->listed);
    if (r->open_block)
        munmap(r->open_block, (r->num_ids + 1) * sizeof *r->open_block);
    if (r->free_at)
        munmap(r->free_at, HEAPREC_MAX_FREE * sizeof *r->free_at);
    r->open_block = NULL;
    r->free_at = NULL;
}
