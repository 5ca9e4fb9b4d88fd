/*
 * misuse_cases.c - each misuse, then what a program would do next.
 *
 * Every case allocates a few blocks first (bystanders, four before the
 * block it misuses and four after, so that one is its neighbour), does the
 * misuse, then carries on as a program would: it allocates 48 blocks of
 * mixed sizes (the misused size among them), frees half the bystanders, asks
 * the heap's own checker if it has one, frees everything and allocates
 * 2,000 blocks of the misused size (enough to reach a block misused on a
 * free list behind a page's worth of fresh ones). Every block it holds carries a pattern of its own; the first thing
 * found wrong ends the case: a new block overlapping one it holds (or the
 * stack or static buffer the program owns), a held block's data changed,
 * the checker failing, or a block granted for a request no machine can
 * serve. A heap that stops the process (a message and an abort, or a
 * crash) ends it sooner; the watcher sees that from outside.
 */
#include "misuse_cases.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

const struct misuse_case_def misuse_case_defs[MISUSE_CASES] = {
    [MISUSE_DOUBLE_FREE] = {"double_free", "double free", "a 64-byte block freed twice in a row"},
    [MISUSE_DOUBLE_FREE_LATER] = {"double_free_later", "double free, later",
                                  "a 64-byte block freed, another freed, then the first again"},
    [MISUSE_FREE_NEVER_ALLOCATED] = {"free_never_allocated", "free of a pointer never allocated",
                                     "free of a pointer into a static buffer, 64 bytes in"},
    [MISUSE_FREE_INTERIOR] = {"free_interior", "free of an interior pointer",
                              "free of a 64-byte block's address plus 16"},
    [MISUSE_FREE_STACK] = {"free_stack", "free of a stack address", "free of a pointer into a local array"},
    [MISUSE_OVERFLOW_ONE] = {"overflow_one", "one byte past a block",
                             "a 0 written one byte past a 24-byte block (a string's terminator), then its "
                             "neighbour freed"},
    [MISUSE_WRITE_AFTER_FREE] = {"write_after_free", "write after free",
                                 "two 64-byte blocks freed, 16 bytes written into the one freed last, then "
                                 "allocations"},
    [MISUSE_HUGE] = {"huge", "huge request", "a request for 2^62 bytes, more than any address space"},
    [MISUSE_ZERO_WRITE] = {"zero_write", "write to malloc(0)",
                           "16 bytes written into the block malloc(0) returned, between 8-byte blocks"},
};

int misuse_case_find(const char *name)
{
    for (int c = 0; c < MISUSE_CASES; c++)
        if (!strcmp(misuse_case_defs[c].name, name))
            return c;
    return -1;
}

#define HELD_MAX 4096
#define DRAIN 2000 /* blocks of the misused size at the end: more than a page of them (mimalloc: 1,024 of 64 bytes) */

struct held {
    unsigned char *p;
    size_t size;
    unsigned seed;
    const char *name;
    int block; /* a block of the heap (freed at the end), not a buffer the program owns */
};

struct world {
    const struct misuse_heap *h;
    int fd;
    struct held held[HELD_MAX];
    int n;
    unsigned seed;
    int found; /* a finding was written: the case is over */
};

static void say(struct world *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void say(struct world *w, const char *fmt, ...)
{
    char line[300];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(line, sizeof line - 1, fmt, ap);
    va_end(ap);
    n = n < 0 ? 0 : n > (int)sizeof line - 2 ? (int)sizeof line - 2 : n;
    line[n++] = '\n';
    if (write(w->fd, line, (size_t)n) < 0)
        return; /* the watcher is gone: nothing to tell */
}

static void found(struct world *w, const char *kind, const char *what)
{
    if (w->found)
        return;
    say(w, "finding %s %s", kind, what);
    w->found = 1;
}

static unsigned char pattern(unsigned seed, size_t i) { return (unsigned char)(((seed * 37u + i * 7u) & 0x7f) | 0x80); }

static void fill(struct held *b)
{
    for (size_t i = 0; i < b->size; i++)
        b->p[i] = pattern(b->seed, i);
}

static void hold(struct world *w, void *p, size_t size, const char *name, int block)
{
    if (w->n == HELD_MAX)
        return;
    struct held *b = &w->held[w->n++];
    *b = (struct held){p, size, ++w->seed, name, block};
    fill(b);
}

/* Every held block's pattern intact, or a finding. */
static void verify(struct world *w)
{
    for (int i = 0; i < w->n && !w->found; i++)
        for (size_t k = 0; k < w->held[i].size; k++)
            if (w->held[i].p[k] != pattern(w->held[i].seed, k)) {
                char what[200];
                snprintf(what, sizeof what, "%s (%zu bytes) changed at byte %zu", w->held[i].name, w->held[i].size, k);
                found(w, "data", what);
                break;
            }
}

/* A new block: refused (NULL), or held after checking it overlaps nothing held. */
static unsigned char *take(struct world *w, size_t size, const char *name)
{
    unsigned char *p = w->found ? NULL : w->h->alloc(w->h->ctx, size);
    if (!p)
        return NULL;
    uintptr_t lo = (uintptr_t)p, hi = lo + (size ? size : 1);
    for (int i = 0; i < w->n; i++) {
        uintptr_t olo = (uintptr_t)w->held[i].p, ohi = olo + w->held[i].size;
        if (lo < ohi && olo < hi) {
            char what[200], where[64];
            long off = (long)(lo - olo);
            if (off == 0)
                snprintf(where, sizeof where, "at the same address");
            else
                snprintf(where, sizeof where, "%ld bytes %s", off < 0 ? -off : off, off < 0 ? "before it" : "into it");
            snprintf(what, sizeof what, "a new %zu-byte block overlaps %s (%zu bytes), %s", size, w->held[i].name,
                     w->held[i].size, where);
            found(w, "overlap", what);
            return NULL;
        }
    }
    hold(w, p, size, name, 1);
    return p;
}

static void release(struct world *w, int i)
{
    w->h->free(w->h->ctx, w->held[i].p, w->held[i].size);
    w->held[i] = w->held[--w->n];
}

static const char BEFORE[] = "a block allocated before the misuse", AFTER[] = "a block allocated after the misuse";

/* What a program does next: frees, allocations, the checker, frees again. */
static void aftermath(struct world *w, size_t size, unsigned char *free_first)
{
    static const size_t sizes[] = {0, 16, 24, 32, 0, 48, 64, 100, 0, 128, 256, 8};
    say(w, "stage allocs");
    verify(w);
    for (int i = 0; i < 48 && !w->found; i++)
        take(w, sizes[i % 12] ? sizes[i % 12] : size, AFTER);
    verify(w);
    say(w, "stage frees");
    for (int i = w->n - 1; i >= 0 && !w->found; i--)
        if (w->held[i].p == free_first || (w->held[i].block && w->held[i].name == BEFORE && i % 2))
            release(w, i);
    verify(w);
    char why[256] = "";
    say(w, "stage check");
    if (!w->found && w->h->check && w->h->check(w->h->ctx, why, sizeof why) != 0)
        found(w, "checker", why);
    say(w, "stage final");
    for (int i = w->n - 1; i >= 0 && !w->found; i--)
        if (w->held[i].block)
            release(w, i);
    for (int i = 0; i < DRAIN && !w->found; i++) /* a block freed twice waits behind the free ones */
        take(w, size, AFTER);
    verify(w);
    found(w, "ok", "");
}

static _Alignas(64) unsigned char static_buffer[4096]; /* never allocated: the program's own */

struct victims {
    unsigned char *p, *q; /* the blocks misused */
    unsigned char *stack_buffer;
    size_t stack_size;
};

/* The blocks the misuse will need, allocated between the bystanders. */
static void prepare(struct world *w, int c, struct victims *v)
{
    const struct misuse_heap *h = w->h;
    if (c == MISUSE_DOUBLE_FREE || c == MISUSE_DOUBLE_FREE_LATER || c == MISUSE_FREE_INTERIOR ||
        c == MISUSE_WRITE_AFTER_FREE)
        v->p = h->alloc(h->ctx, 64);
    if (c == MISUSE_DOUBLE_FREE_LATER || c == MISUSE_WRITE_AFTER_FREE)
        v->q = h->alloc(h->ctx, 64);
    for (unsigned char *b = v->p; b; b = b == v->p ? v->q : NULL) /* used, as a program uses its blocks */
        if (c != MISUSE_OVERFLOW_ONE && c != MISUSE_ZERO_WRITE)
            memset(b, 0x5a, 64);
    if (c == MISUSE_OVERFLOW_ONE) { /* the block, and its neighbour allocated right after it */
        v->p = take(w, 24, "the block written past");
        v->q = take(w, 24, "the block allocated right after it");
    }
    if (c == MISUSE_ZERO_WRITE)
        v->p = h->alloc(h->ctx, 0);
    if (c == MISUSE_FREE_NEVER_ALLOCATED)
        hold(w, static_buffer, sizeof static_buffer, "the static buffer (the program's own)", 0);
    if (c == MISUSE_FREE_STACK)
        hold(w, v->stack_buffer, v->stack_size, "the stack buffer (the program's own)", 0);
}

/* The misuse itself. */
static void misuse(struct world *w, int c, struct victims *v)
{
    const struct misuse_heap *h = w->h;
    unsigned char *p = v->p, *q = v->q;
    say(w, "stage misuse");
    switch (c) {
    case MISUSE_DOUBLE_FREE: h->free(h->ctx, p, 64), h->free(h->ctx, p, 64); break;
    case MISUSE_DOUBLE_FREE_LATER: h->free(h->ctx, p, 64), h->free(h->ctx, q, 64), h->free(h->ctx, p, 64); break;
    case MISUSE_FREE_NEVER_ALLOCATED: h->free(h->ctx, static_buffer + 64, 64); break;
    case MISUSE_FREE_INTERIOR: h->free(h->ctx, p + 16, 64); break;
    case MISUSE_FREE_STACK: h->free(h->ctx, v->stack_buffer + 64, 64); break;
    case MISUSE_OVERFLOW_ONE: p[24] = 0; break;
    case MISUSE_WRITE_AFTER_FREE: /* another block of its size freed first: its free list is not empty */
        h->free(h->ctx, q, 64), h->free(h->ctx, p, 64), memset(p, 0x41, 16);
        break;
    case MISUSE_HUGE:
        if ((v->p = h->alloc(h->ctx, MISUSE_HUGE_REQUEST)))
            found(w, "granted", "a block for 2^62 bytes");
        else
            found(w, "refused", "NULL, as it should");
        break;
    case MISUSE_ZERO_WRITE:
        if (p)
            memset(p, 0x5a, 16);
        else
            found(w, "refused", "NULL: nothing to write into");
        break;
    }
}

void misuse_run(int c, const struct misuse_heap *h, int fd)
{
    _Alignas(64) unsigned char stack_buffer[512]; /* lives until the case is over */
    static struct world w;
    w = (struct world){.h = h, .fd = fd};
    size_t size = c == MISUSE_OVERFLOW_ONE ? 24 : c == MISUSE_ZERO_WRITE ? 8 : 64; /* the bystanders' */
    struct victims v = {.stack_buffer = stack_buffer, .stack_size = sizeof stack_buffer};
    for (int i = 0; i < 4; i++)
        take(&w, size, BEFORE);
    prepare(&w, c, &v);
    for (int i = 0; i < 4; i++)
        take(&w, size, BEFORE);
    if ((c == MISUSE_DOUBLE_FREE || c == MISUSE_DOUBLE_FREE_LATER || c == MISUSE_FREE_INTERIOR ||
         c == MISUSE_WRITE_AFTER_FREE || c == MISUSE_OVERFLOW_ONE) &&
        (!v.p || ((c == MISUSE_DOUBLE_FREE_LATER || c == MISUSE_WRITE_AFTER_FREE) && !v.q)))
        found(&w, "refused", "an ordinary request refused before the misuse"); /* nothing to misuse */
    else
        misuse(&w, c, &v);
    aftermath(&w, size, c == MISUSE_OVERFLOW_ONE ? v.q : NULL);
    say(&w, "end");
}
