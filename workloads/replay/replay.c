/*
 * replay.c - replay a malloc-lab trace through a heap strategy, checking
 * every result as a malloc lab driver does: alignment, that the block lies
 * in memory the process has mapped read-write, no overlap with a live block,
 * payloads intact at free and realloc (each block is filled with a pattern
 * of its own), realloc keeping the prefix, NULL only for a zero-byte request.
 */
#include "replay.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <sys/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "support/ledger.h" /* allocators/support */
#include "support/os.h"

/* ---- parsing ---- */
/* The four header lines: heap size hint, ids, operations, weight. 0, or -1
 * with err; the counts must fit what the file can hold, so that memory is
 * bounded by the file (a line of at least 4 bytes per operation, an id used
 * by at least one operation). */
static int read_header(FILE *f, const char *path, struct trace *t, int *lineno, char *err, size_t errlen)
{
    char line[256];
    unsigned long header[4];
    for (int h = 0; h < 4; h++) {
        ++*lineno;
        char *end;
        if (!fgets(line, sizeof line, f) || (header[h] = strtoul(line, &end, 10), end == line) ||
            (*end && *end != '\n' && *end != ' ' && *end != '\r')) {
            snprintf(err, errlen, "%s:%d: malformed header (want 4 numbers: heap size, ids, ops, weight)", path,
                     *lineno);
            return -1;
        }
    }
    t->num_ids = header[1];
    t->num_ops = header[2];
    struct stat st;
    size_t room = fstat(fileno(f), &st) == 0 ? (size_t)st.st_size / 4 : 0;
    const char *bad = t->num_ops == 0 ? "no operations: an empty trace grades nothing"
                      : t->num_ops > room ? "the header declares more operations than the file can hold"
                      : t->num_ids > t->num_ops ? "the header declares more ids than operations"
                                                : NULL;
    if (bad) {
        snprintf(err, errlen, "%s:3: %s (%zu ids, %zu operations)", path, bad, t->num_ids, t->num_ops);
        return -1;
    }
    return 0;
}

int trace_load(const char *path, struct trace *t, char *err, size_t errlen)
{
    memset(t, 0, sizeof *t);
    const char *base = strrchr(path, '/');
    snprintf(t->name, sizeof t->name, "%s", base ? base + 1 : path);
    FILE *f = fopen(path, "r");
    char found[4096];
    if (!f && path[0] != '/' && os_project_path(path, found, sizeof found) == 0)
        f = fopen(found, "r"); /* a project file named from another folder */
    if (!f) {
        snprintf(err, errlen, "cannot read trace '%s': %s", path, strerror(errno));
        return -1;
    }
    char line[256];
    int lineno = 0;
    if (read_header(f, path, t, &lineno, err, errlen) != 0) {
        fclose(f);
        return -1;
    }
    t->ops = calloc(t->num_ops + 1, sizeof *t->ops);
    size_t *held = calloc(t->num_ids + 1, sizeof *held); /* size + 1 while live, else 0 */
    /* What no strategy could serve here is the trace's fault, not the
     * strategy's: the checked replay writes and verifies every live byte,
     * so a trace may hold a quarter of this machine's memory at once. */
    double memory = (double)sysconf(_SC_PHYS_PAGES) * (double)sysconf(_SC_PAGESIZE) / 4, live_bytes = 0;
    char big[160];
    size_t n = 0;
    while (fgets(line, sizeof line, f)) {
        lineno++;
        if (line[0] == '\n' || line[0] == '#')
            continue;
        char kind;
        unsigned long id, size = 0;
        int used = 0, fields = sscanf(line, " %c %lu%n %lu%n", &kind, &id, &used, &size, &used);
        const char *why = NULL;
        if (!strchr(line, '\n') && !feof(f))
            why = "a line over 255 characters";
        else if (fields < 2 || (kind != 'a' && kind != 'r' && kind != 'f') || (kind != 'f') != (fields == 3))
            why = "want 'a id size', 'r id size' or 'f id'";
        else if (line[used + strspn(line + used, " \t\r\n")])
            why = "something after the operation";
        else if (id >= t->num_ids)
            why = "id beyond the header's id count";
        else if (n >= t->num_ops)
            why = "more operations than the header says";
        else if (kind == 'a' && held[id])
            why = "allocates an id that is still live";
        else if (kind != 'a' && !held[id])
            why = "frees or reallocates an id that is not live";
        else if (size > ALLOC_MAX_REQUEST)
            why = "absurd size";
        else if (memory > 0 && live_bytes - (held[id] ? (double)held[id] - 1 : 0) + (double)size > memory) {
            snprintf(big, sizeof big, "the trace would hold %.1f GiB live here, over a quarter of this machine's "
                     "memory (%.1f GiB): the checker writes every live byte", (live_bytes + (double)size) / (1 << 30),
                     memory / (1 << 30));
            why = big;
        }
        if (why) {
            snprintf(err, errlen, "%s:%d: %s", path, lineno, why);
            free(held);
            trace_free(t);
            fclose(f);
            return -1;
        }
        live_bytes -= held[id] ? (double)held[id] - 1 : 0;
        held[id] = kind == 'f' ? 0 : size + 1;
        live_bytes += kind == 'f' ? 0 : (double)size;
        t->ops[n++] = (struct trace_op){kind, (uint32_t)id, size};
    }
    free(held);
    fclose(f);
    if (n != t->num_ops) {
        snprintf(err, errlen, "%s: the header says %zu operations, the file has %zu", path, t->num_ops, n);
        trace_free(t);
        return -1;
    }
    return 0;
}

void trace_free(struct trace *t)
{
    free(t->ops);
    t->ops = NULL;
}

/* ---- the process's read-write mappings, from /proc/self/maps ---- */
struct mapped {
    struct live_range *r;
    size_t n;
};

static void mapped_load(struct mapped *m)
{
    free(m->r);
    m->r = NULL;
    m->n = 0;
    FILE *f = fopen("/proc/self/maps", "r");
    char line[512];
    size_t cap = 0;
    while (f && fgets(line, sizeof line, f)) {
        unsigned long lo, hi;
        char perms[8];
        if (sscanf(line, "%lx-%lx %7s", &lo, &hi, perms) != 3 || perms[0] != 'r' || perms[1] != 'w')
            continue;
        if (m->n == cap)
            m->r = realloc(m->r, (cap = cap ? 2 * cap : 256) * sizeof *m->r);
        m->r[m->n++] = (struct live_range){lo, hi, 0};
    }
    if (f)
        fclose(f);
}

/* 1 if [p, p+size) lies in read-write mappings (adjacent ones count as one) */
static int mapped_holds(const struct mapped *m, uintptr_t p, size_t size)
{
    uintptr_t end = p + size;
    for (size_t i = 0; i < m->n; i++)
        if (m->r[i].start <= p && p < m->r[i].end) {
            while (m->r[i].end < end && i + 1 < m->n && m->r[i + 1].start == m->r[i].end)
                i++;
            return m->r[i].end >= end;
        }
    return 0;
}

/* ---- the checked replay ---- */
/* Threads sharing one heap (replay_share): each writes its own patterns, so
 * a block handed to two threads at once is damaged for one of them, and
 * hands the blocks of odd ids to the next thread, which frees them. */
static _Thread_local uint32_t salt;
static _Thread_local struct replay_handoff *mine, *next_thread;

void replay_share(uint32_t thread_salt, struct replay_handoff *own, struct replay_handoff *next)
{
    salt = thread_salt;
    mine = own;
    next_thread = next;
}

/* false when there is no room (out of memory): the caller frees the block itself */
static bool handoff_push(struct replay_handoff *h, void *p, size_t size)
{
    pthread_mutex_lock(&h->lock);
    if (h->n == h->cap) {
        size_t cap = h->cap ? 2 * h->cap : 256;
        struct replay_handed *q = realloc(h->q, cap * sizeof *q);
        if (q) {
            h->q = q;
            h->cap = cap;
        }
    }
    bool room = h->n < h->cap;
    if (room)
        h->q[h->n++] = (struct replay_handed){p, size};
    pthread_mutex_unlock(&h->lock);
    return room;
}

void replay_handoff_drain(const struct allocator *a, void *self, struct replay_handoff *h)
{
    if (!h)
        return;
    pthread_mutex_lock(&h->lock);
    for (size_t i = 0; i < h->n; i++)
        a->free(self, h->q[i].p, h->q[i].size);
    h->n = 0;
    pthread_mutex_unlock(&h->lock);
}

static inline uint8_t pattern(uint32_t id, uint32_t gen, size_t i)
{
    return (uint8_t)(id * 131 + gen * 7 + i + salt * 61);
}

static void fill(uint8_t *p, size_t n, uint32_t id, uint32_t gen)
{
    for (size_t i = 0; i < n; i++)
        p[i] = pattern(id, gen, i);
}

static size_t damaged_at(const uint8_t *p, size_t n, uint32_t id, uint32_t gen)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] != pattern(id, gen, i))
            return i;
    return n;
}

struct block {
    uint8_t *p;
    size_t size;
    uint32_t gen;
};

static int fail(struct replay_result *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The first violation: recorded, and the replay stops. Always -1. */
static int fail(struct replay_result *r, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->violation, sizeof r->violation, fmt, ap);
    va_end(ap);
    r->correct = 0;
    return -1;
}

/* Free or move the trace's block as op says; the new block (NULL for a free
 * or a refusal) and, for a realloc, how many bytes must have survived. An id
 * whose zero-byte allocation was answered NULL has no block: freeing it is
 * nothing, reallocating it allocates (the C library's free(NULL) and
 * realloc(NULL, n)), and the strategy never sees the NULL. */
static uint8_t *perform(const struct allocator *a, void *self, const struct trace_op *op, struct block *b,
                        struct live_set *set, size_t *keep)
{
    *keep = 0;
    if (op->kind == OP_ALLOC || !b->p)
        return op->kind == OP_FREE ? NULL : a->alloc(self, op->size);
    live_remove(set, b->p);
    if (op->kind == OP_FREE) {
        if (!(next_thread && op->id % 2 && handoff_push(next_thread, b->p, b->size))) /* else freed on another thread */
            a->free(self, b->p, b->size);
        b->p = NULL;
        return NULL;
    }
    *keep = b->size < op->size ? b->size : op->size;
    if (a->realloc)
        return a->realloc(self, b->p, b->size, op->size);
    uint8_t *p = a->alloc(self, op->size); /* no realloc of its own: the driver moves the block */
    if (p) {
        memcpy(p, b->p, *keep);
        a->free(self, b->p, b->size);
    }
    return p;
}

/* Every check of a block the strategy handed out for op k; 0, or -1 with r's violation. */
static int check_block(struct replay_result *r, const struct trace *t, size_t k, const uint8_t *p, size_t keep,
                       struct mapped *maps, struct live_set *set, const struct block *blocks)
{
    const struct trace_op *op = &t->ops[k];
    const struct block *b = &blocks[op->id];
    uint32_t other;
    if ((uintptr_t)p % ALLOC_ALIGN)
        return fail(r, "trace %s, op %zu (%c id %u size %zu): %p is not %d-byte aligned", t->name, k, op->kind, op->id,
                    op->size, (const void *)p, ALLOC_ALIGN);
    enum ledger_owner owner = ledger_is_open() ? ledger_owns(p, op->size) : LEDGER_UNKNOWN;
    if (owner == LEDGER_NOT_OWNED)
        return fail(r, "trace %s, op %zu (%c id %u size %zu): [%p, %p) is not memory the strategy mapped (through "
                    "os_map): past the end of its own memory, or someone else's",
                    t->name, k, op->kind, op->id, op->size, (const void *)p, (const void *)(p + op->size));
    if (owner == LEDGER_UNKNOWN && !mapped_holds(maps, (uintptr_t)p, op->size)) {
        mapped_load(maps); /* the heap may have grown since */
        if (!mapped_holds(maps, (uintptr_t)p, op->size))
            return fail(r, "trace %s, op %zu (%c id %u size %zu): [%p, %p) is not memory the process has mapped "
                        "read-write",
                        t->name, k, op->kind, op->id, op->size, (const void *)p, (const void *)(p + op->size));
    }
    if (live_insert(set, p, op->size, op->id, &other) != 0)
        return fail(r, "trace %s, op %zu (%c id %u size %zu): block [%p, %p) overlaps live block id %u at %p", t->name, k,
                    op->kind, op->id, op->size, (const void *)p, (const void *)(p + op->size), other,
                    (void *)blocks[other].p);
    size_t bad = op->kind == OP_REALLOC ? damaged_at(p, keep, op->id, b->gen) : keep;
    if (bad != keep)
        return fail(r, "trace %s, op %zu (r id %u size %zu): realloc lost the prefix at byte %zu of %zu (%p -> %p)",
                    t->name, k, op->id, op->size, bad, keep, (void *)b->p, (const void *)p);
    return 0;
}

/* A request the contract refuses (0 bytes, or over ALLOC_MAX_REQUEST): NULL
 * with ENOMEM, and a block being reallocated stays as it was, still live.
 * 0, or -1 with r's violation. */
static int refused(struct replay_result *r, const struct trace *t, size_t k, const uint8_t *p, int err,
                   struct block *b, struct live_set *set)
{
    const struct trace_op *op = &t->ops[k];
    if (p)
        return fail(r, "trace %s, op %zu (%c id %u size %zu): returned a block (%p); the contract for 0 bytes or over "
                    "%zu is NULL with errno ENOMEM",
                    t->name, k, op->kind, op->id, op->size, (const void *)p, (size_t)ALLOC_MAX_REQUEST);
    if (err != ENOMEM)
        return fail(r, "trace %s, op %zu (%c id %u size %zu): returned NULL with errno %d; the contract says ENOMEM",
                    t->name, k, op->kind, op->id, op->size, err);
    if (op->kind != OP_REALLOC || !b->p)
        return 0; /* no block: freeing the id is nothing, reallocating it allocates */
    uint32_t other;
    size_t bad = damaged_at(b->p, b->size, op->id, b->gen);
    if (bad != b->size)
        return fail(r, "trace %s, op %zu (r id %u size %zu): a refused realloc damaged the block at byte %zu", t->name,
                    k, op->id, op->size, bad);
    if (live_insert(set, b->p, b->size, op->id, &other) != 0) /* perform() took it out */
        return fail(r, "trace %s, op %zu (r id %u size %zu): after a refused realloc the block overlaps id %u", t->name,
                    k, op->id, op->size, other);
    return 0;
}

/* The live blocks on either side of address `at` are intact right after op
 * k freed or moved a block there: a heap that writes past a block as it
 * frees it is named at that free, not at the neighbour's own, much later.
 * 0, or -1 with r's violation. */
static int neighbours_intact(struct replay_result *r, const struct trace *t, size_t k, const struct block *blocks,
                             const struct live_set *set, const void *at)
{
    const struct trace_op *op = &t->ops[k];
    uint32_t side[2];
    live_neighbours(set, at, &side[0], &side[1]);
    for (int i = 0; i < 2; i++) {
        const struct block *n = side[i] == UINT32_MAX || side[i] == op->id ? NULL : &blocks[side[i]];
        size_t bad = n ? damaged_at(n->p, n->size, side[i], n->gen) : 0;
        if (n && bad != n->size)
            return fail(r, "trace %s, op %zu (%c id %u): right after it, the neighbouring block id %u at %p is damaged "
                        "at byte %zu of %zu: this %s wrote outside its block",
                        t->name, k, op->kind, op->id, side[i], (void *)n->p, bad, n->size,
                        op->kind == OP_FREE ? "free" : "realloc");
    }
    return 0;
}

static bool debugging; /* replay_debug */
void replay_debug(bool on) { debugging = on; }

/* --debug: the strategy's own heap check after every operation */
static int heap_checked(const struct allocator *a, void *self, struct replay_result *r, const struct trace *t,
                        size_t k)
{
    char why[256] = "";
    if (!debugging || !a->check_heap || a->check_heap(self, why, sizeof why) == 0)
        return 0;
    const struct trace_op *op = &t->ops[k];
    return fail(r, "trace %s, op %zu (%c id %u size %zu): the strategy's own heap check failed right after it: %s",
                t->name, k, op->kind, op->id, op->kind == OP_FREE ? (size_t)0 : op->size, why);
}

/* One operation of the trace, checked; 0, or -1 with r's violation. */
static int replay_op(const struct allocator *a, void *self, const struct trace *t, size_t k, struct block *blocks,
                     struct live_set *set, struct mapped *maps, uint64_t *live, struct replay_result *r)
{
    const struct trace_op *op = &t->ops[k];
    struct block *b = &blocks[op->id];
    if (op->kind != OP_ALLOC && b->p) {
        size_t bad = damaged_at(b->p, b->size, op->id, b->gen);
        if (bad != b->size)
            return fail(r, "trace %s, op %zu (%c id %u): payload of the %zu-byte block at %p damaged at byte %zu before "
                        "it was %s",
                        t->name, k, op->kind, op->id, b->size, (void *)b->p, bad,
                        op->kind == OP_FREE ? "freed" : "reallocated");
    }
    size_t keep, old = op->kind == OP_ALLOC || !b->p ? 0 : b->size;
    const void *was = op->kind == OP_ALLOC ? NULL : b->p;
    errno = 0;
    uint8_t *p = perform(a, self, op, b, set, &keep);
    if (op->kind != OP_FREE && (op->size == 0 || op->size > ALLOC_MAX_REQUEST))
        return refused(r, t, k, p, errno, b, set) != 0 ? -1 : heap_checked(a, self, r, t, k);
    *live -= old;
    if (op->kind == OP_FREE) {
        b->size = 0;
        if (was && neighbours_intact(r, t, k, blocks, set, was) != 0)
            return -1;
        return heap_checked(a, self, r, t, k);
    }
    if (!p)
        return fail(r, "trace %s, op %zu (%c id %u size %zu): returned NULL (errno %d)", t->name, k, op->kind, op->id,
                    op->size, errno);
    if (check_block(r, t, k, p, keep, maps, set, blocks) != 0)
        return -1;
    *b = (struct block){p, op->size, b->gen + 1};
    fill(p, op->size, op->id, b->gen);
    *live += op->size;
    if (*live > r->peak_live)
        r->peak_live = *live;
    if (was && neighbours_intact(r, t, k, blocks, set, was) != 0)
        return -1;
    return heap_checked(a, self, r, t, k);
}

static volatile uint64_t *watch;

void replay_watch(volatile uint64_t *op) { watch = op; }

void replay_on(const struct allocator *a, void *self, const struct trace *t, struct replay_result *r)
{
    memset(r, 0, sizeof *r);
    r->correct = 1;
    r->peak_reserved = r->peak_mapped = NA;
    struct block *blocks = calloc(t->num_ids + 1, sizeof *blocks);
    struct live_set set = {0};
    struct mapped maps = {0};
    mapped_load(&maps);
    uint64_t live = 0;
    for (size_t k = 0; k < t->num_ops && r->correct; k++) {
        if (watch)
            *watch = k;
        if (mine && k % 64 == 0)
            replay_handoff_drain(a, self, mine);
        replay_op(a, self, t, k, blocks, &set, &maps, &live, r);
    }
    for (size_t id = 0; id < t->num_ids && r->correct; id++) /* what the trace left live */
        if (blocks[id].p) {
            size_t bad = damaged_at(blocks[id].p, blocks[id].size, (uint32_t)id, blocks[id].gen);
            if (bad != blocks[id].size) {
                fail(r, "trace %s, end: payload of id %zu at %p damaged at byte %zu", t->name, id, (void *)blocks[id].p,
                     bad);
                break;
            }
            a->free(self, blocks[id].p, blocks[id].size);
            blocks[id].p = NULL;
        }
    free(blocks);
    live_free(&set);
    free(maps.r);
}

/* One unchecked pass of the trace on self, everything freed at the end: seconds. */
static double timed_pass(const struct allocator *a, void *self, const struct trace *t, void **ptr, size_t *size)
{
    memset(size, 0, (t->num_ids + 1) * sizeof *size); /* nothing from the last pass */
    uint64_t t0 = os_now_ns();
    for (size_t k = 0; k < t->num_ops; k++) {
        const struct trace_op *op = &t->ops[k];
        uint32_t id = op->id;
        if (op->kind == OP_ALLOC || (op->kind == OP_REALLOC && !ptr[id] && op->size)) {
            ptr[id] = a->alloc(self, op->size); /* realloc of no block allocates, as in replay_checked */
        } else if (op->kind == OP_FREE) {
            if (ptr[id])
                a->free(self, ptr[id], size[id]);
            ptr[id] = NULL;
        } else if (op->size == 0) {
            continue;
        } else if (a->realloc) {
            void *q = a->realloc(self, ptr[id], size[id], op->size);
            ptr[id] = q ? q : ptr[id];
        } else {
            void *q = a->alloc(self, op->size);
            if (q) {
                memcpy(q, ptr[id], size[id] < op->size ? size[id] : op->size);
                a->free(self, ptr[id], size[id]);
                ptr[id] = q;
            }
        }
        if (op->kind != OP_FREE && ptr[id])
            size[id] = op->size;
    }
    double s = (double)(os_now_ns() - t0) / 1e9;
    for (size_t id = 0; id < t->num_ids; id++)
        if (ptr[id]) {
            a->free(self, ptr[id], size[id]);
            ptr[id] = NULL;
        }
    return s;
}

/* One instance for every pass, and a warm-up pass first: the strategy's heap
 * is as warm as the C library's, which outlives its instances. */
double replay_timed(const struct allocator *a, const char *options, const struct trace *t, int times)
{
    double best = -1;
    void **ptr = calloc(t->num_ids + 1, sizeof *ptr);
    size_t *size = calloc(t->num_ids + 1, sizeof *size);
    char err[ALLOC_ERR_LEN];
    void *self = ptr && size ? alloc_create(a, options, THP_DEFAULT, err) : NULL;
    for (int pass = 0; self && pass <= times; pass++) {
        double s = timed_pass(a, self, t, ptr, size);
        if (pass > 0 && (best < 0 || s < best))
            best = s;
    }
    if (self)
        a->destroy(self);
    free(ptr);
    free(size);
    return best;
}
