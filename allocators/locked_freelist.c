/*
 * locked_freelist - one heap, one explicit free list, one global mutex.
 *
 * The textbook allocator (CS:APP 9.9) made thread-safe the simple way, so that
 * its lock contention can be measured:
 *
 *   arena (mmap'd, grows by whole arenas, no malloc underneath)
 *   +-------+----------+--------+--------+-----+--------+----------+
 *   | links | prologue | block  | block  | ... | block  | epilogue |
 *   +-------+----------+--------+--------+-----+--------+----------+
 *   block: [header: size|alloc][payload ...............][footer: size|alloc]
 *   free block payload: [next free][prev free]
 *
 * Boundary tags (header and footer) let free() coalesce with both neighbours
 * at once; free blocks sit on one doubly-linked list searched first-fit by
 * default (options: fit=first|best|next, arena=<bytes>, and coalesce=no to
 * see what a heap is without it: alloclab heapmap draws the difference). A
 * whole arena that becomes free goes back to the OS, except the last one.
 *
 * One pthread mutex guards everything. lock() tries the mutex first and counts
 * the acquisitions that had to wait. It reads no clock: a clock read after
 * pthread_mutex_lock() returns would run while the lock is held and lengthen
 * every contended hold it measures. The time the threads lost is measured
 * from outside instead (the runner's off_cpu_share, from the task clock).
 */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "allocator.h"
#include "support/os.h"

#define WORD 8
#define MIN_BLOCK 32        /* header + two links + footer */
#define ARENA_LINKS 24      /* next, prev, size: puts the first payload on 16 bytes */
#define PROLOGUE_SIZE 16
#define ARENA_OVERHEAD (ARENA_LINKS + PROLOGUE_SIZE + WORD) /* + epilogue header */
#define ALLOCATED ((size_t)1)

enum fit { FIT_FIRST, FIT_BEST, FIT_NEXT };

struct arena {
    struct arena *next, *prev;
    size_t size;
};

struct free_links {
    char *next, *prev; /* block (header) addresses */
};

struct locked_freelist {
    pthread_mutex_t lock;
    enum fit fit;
    bool coalescing; /* coalesce=yes, the default */
    size_t arena_size;
    struct arena *arenas;
    char *free_head; /* block addresses */
    char *rover;     /* next-fit position */
    /* counters: all guarded by the lock */
    uint64_t live, live_peak, reserved, reserved_peak;
    uint64_t lock_contended;
};

/* ---- block accessors: a block is addressed by its header ---- */
static inline size_t hdr(const char *b) { return *(const size_t *)b; }
static inline size_t block_size(const char *b) { return hdr(b) & ~(size_t)15; }
static inline int is_alloc(const char *b) { return (int)(hdr(b) & ALLOCATED); }
static inline void *payload(char *b) { return b + WORD; }
static inline char *block_of(void *p) { return (char *)p - WORD; }
static inline char *next_block(char *b) { return b + block_size(b); }
static inline char *prev_block(char *b) { return b - (*(size_t *)(b - WORD) & ~(size_t)15); }
static inline struct free_links *links(char *b) { return (struct free_links *)(b + WORD); }

static inline void set_tags(char *b, size_t size, size_t alloc)
{
    *(size_t *)b = size | alloc;
    *(size_t *)(b + size - WORD) = size | alloc;
}

/* ---- the free list ---- */
static void list_insert(struct locked_freelist *h, char *b)
{
    links(b)->prev = NULL;
    links(b)->next = h->free_head;
    if (h->free_head)
        links(h->free_head)->prev = b;
    h->free_head = b;
}

static void list_remove(struct locked_freelist *h, char *b)
{
    struct free_links *l = links(b);
    if (h->rover == b)
        h->rover = l->next;
    if (l->prev)
        links(l->prev)->next = l->next;
    else
        h->free_head = l->next;
    if (l->next)
        links(l->next)->prev = l->prev;
}

static char *find_fit(struct locked_freelist *h, size_t asize)
{
    switch (h->fit) {
    case FIT_BEST: {
        char *best = NULL;
        for (char *b = h->free_head; b; b = links(b)->next) {
            size_t s = block_size(b);
            if (s >= asize && (!best || s < block_size(best))) {
                best = b;
                if (s == asize)
                    break;
            }
        }
        return best;
    }
    case FIT_NEXT: {
        char *start = h->rover ? h->rover : h->free_head;
        for (char *b = start; b; b = links(b)->next)
            if (block_size(b) >= asize)
                return h->rover = b;
        for (char *b = h->free_head; b && b != start; b = links(b)->next)
            if (block_size(b) >= asize)
                return h->rover = b;
        return NULL;
    }
    default:
        for (char *b = h->free_head; b; b = links(b)->next)
            if (block_size(b) >= asize)
                return b;
        return NULL;
    }
}

/* Merge a free block (not on the list) with free neighbours; returns the
 * merged block, still not on the list. */
static char *coalesce(struct locked_freelist *h, char *b)
{
    size_t size = block_size(b);
    char *next = next_block(b);
    if (!is_alloc(next)) {
        list_remove(h, next);
        size += block_size(next);
    }
    char *prev = prev_block(b);
    if (!is_alloc(prev)) {
        list_remove(h, prev);
        size += block_size(prev);
        b = prev;
    }
    set_tags(b, size, 0);
    return b;
}

/* ---- arenas ---- */
static struct arena *arena_of_lone_block(char *b)
{
    /* A free block that fills its arena sits right after the prologue and
     * right before the epilogue (size 0). Only the prologue has size 16. */
    if (*(size_t *)(b - WORD) != (PROLOGUE_SIZE | ALLOCATED) || block_size(next_block(b)) != 0)
        return NULL;
    return (struct arena *)(b - PROLOGUE_SIZE - ARENA_LINKS);
}

static char *arena_grow(struct locked_freelist *h, size_t asize)
{
    size_t want = asize + ARENA_OVERHEAD;
    size_t size = want > h->arena_size ? round_up(want, os_page_size()) : h->arena_size;
    struct arena *a = os_map(size);
    if (!a)
        return NULL;
    a->size = size;
    a->prev = NULL;
    a->next = h->arenas;
    if (h->arenas)
        h->arenas->prev = a;
    h->arenas = a;
    char *prologue = (char *)a + ARENA_LINKS;
    set_tags(prologue, PROLOGUE_SIZE, ALLOCATED);
    char *b = prologue + PROLOGUE_SIZE;
    size_t bsize = size - ARENA_OVERHEAD;
    set_tags(b, bsize, 0);
    *(size_t *)(b + bsize) = 0 | ALLOCATED; /* epilogue header */
    h->reserved += size;
    if (h->reserved > h->reserved_peak)
        h->reserved_peak = h->reserved;
    list_insert(h, b);
    return b;
}

static void arena_release(struct locked_freelist *h, struct arena *a)
{
    if (a->prev)
        a->prev->next = a->next;
    else
        h->arenas = a->next;
    if (a->next)
        a->next->prev = a->prev;
    h->reserved -= a->size;
    os_unmap(a, a->size);
}

/* ---- the heap, with the lock held ---- */
static size_t adjusted_size(size_t size)
{
    size_t a = round_up(size + 2 * WORD, ALLOC_ALIGN);
    return a < MIN_BLOCK ? MIN_BLOCK : a;
}

/* Carve asize bytes from the front of free block b (already off the list). */
static void place(struct locked_freelist *h, char *b, size_t asize)
{
    size_t size = block_size(b);
    if (size - asize >= MIN_BLOCK) {
        set_tags(b, asize, ALLOCATED);
        char *rest = b + asize;
        set_tags(rest, size - asize, 0);
        list_insert(h, rest);
    } else {
        set_tags(b, size, ALLOCATED);
    }
}

static void *alloc_locked(struct locked_freelist *h, size_t size)
{
    size_t asize = adjusted_size(size);
    char *b = find_fit(h, asize);
    if (!b && !(b = arena_grow(h, asize)))
        return NULL;
    list_remove(h, b);
    place(h, b, asize);
    h->live += size;
    if (h->live > h->live_peak)
        h->live_peak = h->live;
    return payload(b);
}

static void free_locked(struct locked_freelist *h, void *p, size_t size)
{
    char *b = block_of(p);
    set_tags(b, block_size(b), 0);
    if (h->coalescing)
        b = coalesce(h, b);
    struct arena *a = arena_of_lone_block(b);
    /* keep the last ordinary arena (the next malloc would map it again), but
     * not an oversized one made for a single large block */
    if (a && (h->arenas->next || a->size != h->arena_size))
        arena_release(h, a);
    else
        list_insert(h, b);
    h->live -= size;
}

static void lock(struct locked_freelist *h)
{
    if (pthread_mutex_trylock(&h->lock) == 0)
        return;
    pthread_mutex_lock(&h->lock);
    h->lock_contended++;
}

static void unlock(struct locked_freelist *h) { pthread_mutex_unlock(&h->lock); }

/* fork(): the one lock held across it, so that the child's copy of the heap
 * is whole; the child's only thread then starts from a fresh lock */
static void lf_fork_prepare(void *self) { pthread_mutex_lock(&((struct locked_freelist *)self)->lock); }
static void lf_fork_parent(void *self) { unlock(self); }
static void lf_fork_child(void *self) { pthread_mutex_init(&((struct locked_freelist *)self)->lock, NULL); }
static const struct alloc_fork lf_fork = {lf_fork_prepare, lf_fork_parent, lf_fork_child};

/* ---- for the driver: the free list, and the heap checked ---- */
static int lf_free_blocks(void *self, struct heap_block *out, int max)
{
    struct locked_freelist *h = self;
    int n = 0;
    pthread_mutex_lock(&h->lock);
    for (char *b = h->free_head; b && n < max; b = links(b)->next)
        out[n++] = (struct heap_block){b, block_size(b)};
    pthread_mutex_unlock(&h->lock);
    return n;
}

/* Every block of every arena, walked by its tags: header and footer agree,
 * sizes add up to the arena, no two free neighbours (when it coalesces), and the
 * free list holds exactly the free blocks, linked both ways. */
static int lf_check_heap(void *self, char *why, size_t len)
{
    struct locked_freelist *h = self;
    size_t free_blocks = 0, listed = 0;
    int bad = 0;
    pthread_mutex_lock(&h->lock);
    for (struct arena *a = h->arenas; a && !bad; a = a->next) {
        char *b = (char *)a + ARENA_LINKS + PROLOGUE_SIZE, *end = (char *)a + a->size - WORD;
        int prev_free = 0;
        for (; !bad && b < end && block_size(b); b = next_block(b)) {
            size_t s = block_size(b);
            if (s % ALLOC_ALIGN || b + s > end || *(size_t *)(b + s - WORD) != hdr(b))
                bad = snprintf(why, len, "block %p: header %#zx and footer disagree, or it runs past its arena",
                               (void *)b, hdr(b));
            else if (!is_alloc(b) && prev_free && h->coalescing)
                bad = snprintf(why, len, "free blocks left uncoalesced at %p", (void *)b);
            prev_free = !is_alloc(b);
            free_blocks += !is_alloc(b);
        }
        if (!bad && b != end)
            bad = snprintf(why, len, "arena %p: its blocks do not end at its epilogue", (void *)a);
    }
    for (char *b = h->free_head, *prev = NULL; !bad && b; prev = b, b = links(b)->next, listed++)
        if (is_alloc(b) || links(b)->prev != prev || listed > free_blocks)
            bad = snprintf(why, len, "free list entry %p: marked allocated, or its links are broken", (void *)b);
    if (!bad && listed != free_blocks)
        bad = snprintf(why, len, "%zu free blocks in the arenas, %zu on the free list", free_blocks, listed);
    pthread_mutex_unlock(&h->lock);
    return bad ? -1 : 0;
}

/* ---- the interface ---- */
enum { OPT_FIT, OPT_ARENA, OPT_COALESCE, OPT_COUNT };
static const struct param lf_options[OPT_COUNT + 1] = {
    [OPT_FIT] = {.name = "fit", .type = PARAM_CHOICE, .def = "first", .choices = "first|best|next",
                 .help = "which free block a request takes: the first that fits, the smallest, or the next after the last"},
    [OPT_ARENA] = {.name = "arena", .type = PARAM_SIZE, .def = "1M", .min = PAGE_BYTES, .max = (double)(1ull << 36),
                   .help = "bytes mapped from the OS at a time (rounded up to a page)"},
    [OPT_COALESCE] = {.name = "coalesce", .type = PARAM_CHOICE, .def = "yes", .choices = "yes|no",
                      .help = "merge a freed block with its free neighbours (no: every block stays its own size, "
                              "for comparison)"},
};

static void *lf_create(const struct alloc_config *cfg, char err[ALLOC_ERR_LEN])
{
    enum fit fit = (enum fit[]){FIT_FIRST, FIT_BEST, FIT_NEXT}[cfg->opt[OPT_FIT].choice];
    size_t arena_size = round_up((size_t)cfg->opt[OPT_ARENA].n, os_page_size());
    struct locked_freelist *h = os_map(sizeof *h);
    if (!h) {
        snprintf(err, ALLOC_ERR_LEN, "out of memory");
        return NULL;
    }
    memset(h, 0, sizeof *h);
    pthread_mutex_init(&h->lock, NULL);
    h->fit = fit;
    h->coalescing = cfg->opt[OPT_COALESCE].choice == 0;
    h->arena_size = arena_size;
    return h;
}

static void lf_destroy(void *self)
{
    struct locked_freelist *h = self;
    while (h->arenas)
        arena_release(h, h->arenas);
    pthread_mutex_destroy(&h->lock);
    os_unmap(h, sizeof *h);
}

static void *lf_alloc(void *self, size_t size)
{
    if (size == 0 || size > ALLOC_MAX_REQUEST) {
        errno = ENOMEM;
        return NULL;
    }
    struct locked_freelist *h = self;
    lock(h);
    void *p = alloc_locked(h, size);
    unlock(h);
    if (!p)
        errno = ENOMEM;
    return p;
}

static void lf_free(void *self, void *ptr, size_t size)
{
    if (!ptr)
        return;
    struct locked_freelist *h = self;
    lock(h);
    free_locked(h, ptr, size);
    unlock(h);
}

static void *lf_realloc(void *self, void *ptr, size_t old_size, size_t new_size)
{
    if (!ptr)
        return lf_alloc(self, new_size);
    if (new_size == 0 || new_size > ALLOC_MAX_REQUEST) {
        errno = ENOMEM;
        return NULL;
    }
    struct locked_freelist *h = self;
    size_t asize = adjusted_size(new_size);
    lock(h);
    char *b = block_of(ptr);
    size_t have = block_size(b);
    char *next = next_block(b);
    if (asize > have && !is_alloc(next) && have + block_size(next) >= asize) {
        list_remove(h, next); /* grow in place into the free neighbour */
        have += block_size(next);
        set_tags(b, have, ALLOCATED);
    }
    if (asize <= have) {
        if (have - asize >= MIN_BLOCK) { /* give the tail back */
            set_tags(b, asize, ALLOCATED);
            char *rest = b + asize;
            set_tags(rest, have - asize, 0);
            list_insert(h, h->coalescing ? coalesce(h, rest) : rest);
        }
        h->live += new_size - old_size;
        if (h->live > h->live_peak)
            h->live_peak = h->live;
        unlock(h);
        return ptr;
    }
    void *moved = alloc_locked(h, new_size);
    if (moved) {
        memcpy(moved, ptr, old_size < new_size ? old_size : new_size);
        free_locked(h, ptr, old_size);
    }
    unlock(h);
    if (!moved)
        errno = ENOMEM;
    return moved;
}

static void lf_counters(void *self, struct alloc_counters *out)
{
    struct locked_freelist *h = self;
    pthread_mutex_lock(&h->lock);
    out->bytes_live = h->live;
    out->bytes_live_peak = h->live_peak;
    out->bytes_reserved = h->reserved;
    out->bytes_reserved_peak = h->reserved_peak;
    out->lock_contended = h->lock_contended;
    pthread_mutex_unlock(&h->lock);
}

const struct allocator allocator_locked_freelist = {
    .name = "locked_freelist",
    .summary = "explicit free list with boundary tags, first/best/next fit, one global mutex",
    .model = MODEL_THREADS,
    .promises = ALLOC_RETURNS_MEMORY,
    .options = lf_options,
    .create = lf_create,
    .destroy = lf_destroy,
    .alloc = lf_alloc,
    .free = lf_free,
    .realloc = lf_realloc,
    .counters = lf_counters,
    .fork = &lf_fork,
    .free_blocks = lf_free_blocks,
    .check_heap = lf_check_heap,
};
