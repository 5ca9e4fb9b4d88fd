/*
 * template - the starting point of your own strategy.
 *
 * `make new-allocator NAME=mine` copies this file to allocators/mine.c with
 * every "template" renamed, and the build registers it: nothing else to edit.
 * `make check ALLOC=mine` grades it on every trace in workloads/traces/.
 *
 * As it stands it is correct and naive: a bump allocator. Memory comes from
 * the OS in chunks (mmap); each request takes the next 16-byte-aligned piece
 * of the current chunk; free() gives nothing back until every block is gone.
 * It passes every check and scores low on utilisation: that is your job.
 * Ideas, in the order of notes/assignments/: an explicit free list with
 * coalescing; segregated size classes; per-thread caches.
 *
 * The rules (allocators/allocator.h): 16-byte alignment; size 0 or absurd
 * sizes give NULL with errno ENOMEM; the size is passed to free(); counters
 * are exact, and what you cannot measure you leave alone: it reads NA.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "allocator.h"
#include "support/os.h"

#define CHUNK ((size_t)1 << 20)

struct chunk {
    struct chunk *next;
    size_t size;
};

struct template_heap {
    pthread_mutex_t lock; /* one lock: simple, and the churn benchmark will show its cost */
    struct chunk *chunks;
    char *bump, *end;
    uint64_t live, live_peak, reserved, reserved_peak;
};

static void *template_create(const struct alloc_config *cfg, char err[ALLOC_ERR_LEN])
{
    (void)cfg; /* options: none yet (see locked_freelist.c for a table of them) */
    struct template_heap *h = os_map(sizeof *h);
    if (!h) {
        snprintf(err, ALLOC_ERR_LEN, "out of memory");
        return NULL;
    }
    memset(h, 0, sizeof *h);
    pthread_mutex_init(&h->lock, NULL);
    return h;
}

static void release_chunks(struct template_heap *h)
{
    while (h->chunks) {
        struct chunk *c = h->chunks;
        h->chunks = c->next;
        h->reserved -= c->size;
        os_unmap(c, c->size);
    }
    h->bump = h->end = NULL;
}

static void template_destroy(void *self)
{
    struct template_heap *h = self;
    release_chunks(h);
    pthread_mutex_destroy(&h->lock);
    os_unmap(h, sizeof *h);
}

static void *template_alloc(void *self, size_t size)
{
    struct template_heap *h = self;
    if (size == 0 || size > ALLOC_MAX_REQUEST) {
        errno = ENOMEM;
        return NULL;
    }
    size_t need = round_up(size, ALLOC_ALIGN);
    pthread_mutex_lock(&h->lock);
    if (!h->bump || (size_t)(h->end - h->bump) < need) {
        size_t len = round_up(need + ALLOC_ALIGN + sizeof(struct chunk), CHUNK);
        struct chunk *c = os_map(len);
        if (!c) {
            pthread_mutex_unlock(&h->lock);
            errno = ENOMEM;
            return NULL;
        }
        c->size = len;
        c->next = h->chunks;
        h->chunks = c;
        h->bump = (char *)c + round_up(sizeof *c, ALLOC_ALIGN);
        h->end = (char *)c + len;
        h->reserved += len;
        if (h->reserved > h->reserved_peak)
            h->reserved_peak = h->reserved;
    }
    void *p = h->bump;
    h->bump += need;
    h->live += size;
    if (h->live > h->live_peak)
        h->live_peak = h->live;
    pthread_mutex_unlock(&h->lock);
    return p;
}

static void template_free(void *self, void *ptr, size_t size)
{
    struct template_heap *h = self;
    if (!ptr)
        return;
    pthread_mutex_lock(&h->lock);
    h->live -= size;
    if (h->live == 0) /* nothing live: every chunk can go */
        release_chunks(h);
    pthread_mutex_unlock(&h->lock);
}

static void template_counters(void *self, struct alloc_counters *out)
{
    struct template_heap *h = self;
    pthread_mutex_lock(&h->lock);
    out->bytes_live = h->live;
    out->bytes_live_peak = h->live_peak;
    out->bytes_reserved = h->reserved;
    out->bytes_reserved_peak = h->reserved_peak;
    pthread_mutex_unlock(&h->lock);
    /* lock_contended is not counted here (NA): see locked_freelist for how */
}

/* fork() in a program that runs this heap as its malloc (liballoclab.so):
 * another thread may hold the lock at that instant, and the child, whose
 * only thread is the one that forked, would find it locked forever. So the
 * lock is held across fork() (prepare), released in the parent and made
 * anew in the child. Every lock your heap gains goes in all three (take
 * them in one order). Without these the library would hold a process-wide
 * lock around every call instead. */
static void template_fork_prepare(void *self) { pthread_mutex_lock(&((struct template_heap *)self)->lock); }
static void template_fork_parent(void *self) { pthread_mutex_unlock(&((struct template_heap *)self)->lock); }
static void template_fork_child(void *self) { pthread_mutex_init(&((struct template_heap *)self)->lock, NULL); }
static const struct alloc_fork template_fork = {template_fork_prepare, template_fork_parent, template_fork_child};

/* The heap checker (`alloclab check --debug` calls it after every
 * operation): what must always be true of this heap, checked by walking it.
 * Extend it as your heap grows: every free block on the free list marked
 * free, no two free neighbours left uncoalesced, the list's links both ways. */
static int template_check_heap(void *self, char *why, size_t len)
{
    struct template_heap *h = self;
    pthread_mutex_lock(&h->lock);
    uint64_t reserved = 0;
    int ok = 1;
    for (struct chunk *c = h->chunks; c && ok; c = c->next) {
        if (c->size < CHUNK || c->size % CHUNK) {
            snprintf(why, len, "chunk %p has size %zu, not a whole number of chunks", (void *)c, c->size);
            ok = 0;
        }
        reserved += c->size;
    }
    if (ok && reserved != h->reserved) {
        snprintf(why, len, "the chunks add up to %llu bytes; reserved says %llu", (unsigned long long)reserved,
                 (unsigned long long)h->reserved);
        ok = 0;
    }
    char *first = (char *)h->chunks;
    if (ok && first && (h->bump < first || h->bump > h->end || h->end != first + h->chunks->size)) {
        snprintf(why, len, "the bump pointer %p is outside the newest chunk", (void *)h->bump);
        ok = 0;
    }
    if (ok && h->live > h->reserved) {
        snprintf(why, len, "%llu bytes live in %llu reserved", (unsigned long long)h->live,
                 (unsigned long long)h->reserved);
        ok = 0;
    }
    pthread_mutex_unlock(&h->lock);
    return ok ? 0 : -1;
}

const struct allocator allocator_template = {
    .name = "template",
    .summary = "a student's strategy, started from the bump-allocator template",
    .model = MODEL_THREADS,
    .create = template_create,
    .destroy = template_destroy,
    .alloc = template_alloc,
    .free = template_free,
    /* no realloc: the driver moves blocks itself (alloc, copy, free) */
    /* no usable_size/alloc_aligned: free needs the size, which liballoclab.so keeps in a header */
    .counters = template_counters,
    .fork = &template_fork,
    .check_heap = template_check_heap,
};
