/*
 * tracegen.c - `alloclab gen-traces DIR`: the generated malloc-lab traces.
 *
 * Deterministic (a fixed seed per trace), so the committed files in
 * workloads/traces/ can be regenerated and compared byte for byte. What each
 * trace is for is written in workloads/traces/README.md.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "tracegen.h"
#include "workload.h" /* splitmix64 */

struct gen {
    FILE *ops;          /* the operations, written to a memory stream first */
    char *text;
    size_t len;
    size_t nops, nids;
    uint64_t live, peak; /* bytes */
    size_t *size;        /* live size per id (0: free) */
    size_t cap;
    uint64_t rng;
};

static void gen_init(struct gen *g, uint64_t seed)
{
    memset(g, 0, sizeof *g);
    g->ops = open_memstream(&g->text, &g->len);
    g->rng = seed;
}

static size_t new_id(struct gen *g)
{
    if (g->nids == g->cap) {
        g->cap = g->cap ? 2 * g->cap : 1024;
        g->size = realloc(g->size, g->cap * sizeof *g->size);
    }
    g->size[g->nids] = 0;
    return g->nids++;
}

static size_t alloc(struct gen *g, size_t size)
{
    size_t id = new_id(g);
    fprintf(g->ops, "a %zu %zu\n", id, size);
    g->size[id] = size;
    g->live += size;
    g->peak = g->live > g->peak ? g->live : g->peak;
    g->nops++;
    return id;
}

static void release(struct gen *g, size_t id)
{
    fprintf(g->ops, "f %zu\n", id);
    g->live -= g->size[id];
    g->size[id] = 0;
    g->nops++;
}

static void resize(struct gen *g, size_t id, size_t size)
{
    fprintf(g->ops, "r %zu %zu\n", id, size);
    g->live = g->live - g->size[id] + size;
    g->size[id] = size;
    g->peak = g->live > g->peak ? g->live : g->peak;
    g->nops++;
}

static size_t uniform(struct gen *g, size_t lo, size_t hi) { return lo + splitmix64(&g->rng) % (hi - lo + 1); }

/* free whatever is still live, in id order */
static void release_all(struct gen *g)
{
    for (size_t id = 0; id < g->nids; id++)
        if (g->size[id])
            release(g, id);
}

static int gen_write(struct gen *g, const char *dir, const char *name)
{
    fclose(g->ops);
    char path[4200];
    snprintf(path, sizeof path, "%s/%s.rep", dir, name);
    FILE *f = fopen(path, "w");
    int rc = -1;
    if (f) {
        fprintf(f, "%llu\n%zu\n%zu\n1\n", (unsigned long long)g->peak, g->nids, g->nops);
        fwrite(g->text, 1, g->len, f);
        rc = fclose(f) == 0 ? 0 : -1;
    }
    free(g->text);
    free(g->size);
    return rc;
}

/* ---- the traces ---- */
static void t_coalesce(struct gen *g)
{
    /* many neighbours freed one by one, then requests that only fit if the
     * freed neighbours were merged back together */
    size_t ids[4000];
    for (int round = 0; round < 4; round++) {
        for (int i = 0; i < 4000; i++) /* about 2.5 MB live: well over an arena */
            ids[i] = alloc(g, 384 + (size_t)(i % 5) * 128);
        for (int i = 0; i < 4000; i += 2)
            release(g, ids[i]);
        for (int i = 1; i < 4000; i += 2)
            release(g, ids[i]);
        size_t big[40];
        for (int i = 0; i < 40; i++)
            big[i] = alloc(g, 32000 + (size_t)i * 512);
        for (int i = 0; i < 40; i++)
            release(g, big[i]);
    }
}

static void t_binary(struct gen *g)
{
    /* small and large alternate; the large are freed; then slightly larger
     * requests cannot use the holes (CS:APP binary-bal) */
    size_t small[2000], large[2000];
    for (int i = 0; i < 2000; i++) {
        small[i] = alloc(g, 64);
        large[i] = alloc(g, 448);
    }
    for (int i = 0; i < 2000; i++)
        release(g, large[i]);
    for (int i = 0; i < 2000; i++)
        large[i] = alloc(g, 512);
    (void)small;
    release_all(g);
}

static void t_buddy_killer(struct gen *g)
{
    /* just over a power of two: a buddy allocator rounds each up and wastes
     * nearly half */
    size_t ids[3000];
    for (int i = 0; i < 3000; i++)
        ids[i] = alloc(g, ((size_t)1 << (4 + i % 9)) + 1 + (size_t)(i % 3));
    for (int i = 0; i < 3000; i += 3)
        release(g, ids[i]);
    for (int i = 0; i < 1000; i++)
        alloc(g, ((size_t)1 << (5 + i % 8)) + 8);
    release_all(g);
}

static void t_realloc_grow(struct gen *g)
{
    /* one buffer grows by small steps while small blocks land after it, so
     * growing in place is not always possible (CS:APP realloc-bal) */
    size_t buf = alloc(g, 512);
    size_t size = 512;
    for (int i = 0; i < 3000; i++) {
        size += 128;
        resize(g, buf, size);
        size_t tmp = alloc(g, 128);
        if (i % 2)
            release(g, tmp);
    }
    release_all(g);
}

static void t_realloc_shrink_grow(struct gen *g)
{
    /* many buffers, each resized up and down at random */
    size_t ids[500];
    for (int i = 0; i < 500; i++)
        ids[i] = alloc(g, uniform(g, 16, 2048));
    for (int k = 0; k < 8000; k++)
        resize(g, ids[uniform(g, 0, 499)], uniform(g, 1, 8192));
    release_all(g);
}

static void t_many_small(struct gen *g)
{
    /* forty thousand tiny objects (1.3 MB live): per-block overhead decides
     * utilisation; freed every other one, then the rest */
    for (int i = 0; i < 40000; i++)
        alloc(g, uniform(g, 1, 64));
    for (size_t id = 0; id < g->nids; id += 2)
        release(g, id);
    for (size_t id = 1; id < g->nids; id += 2)
        release(g, id);
}

static void t_random_mix(struct gen *g)
{
    /* random allocations and frees, sizes 1 B to 4 KiB */
    size_t live[2000];
    size_t n = 0;
    for (int k = 0; k < 20000; k++) {
        if (n < 2000 && (n == 0 || splitmix64(&g->rng) % 100 < 55)) {
            live[n++] = alloc(g, uniform(g, 1, 4096));
        } else {
            size_t j = uniform(g, 0, n - 1);
            release(g, live[j]);
            live[j] = live[--n];
        }
    }
    release_all(g);
}

static void t_heavy_tail(struct gen *g)
{
    /* Pareto sizes: mostly small, a few very large */
    size_t live[6000];
    size_t n = 0;
    for (int k = 0; k < 30000; k++) {
        if (n < 6000 && (n == 0 || splitmix64(&g->rng) % 100 < 55)) {
            double u = ((double)(splitmix64(&g->rng) >> 11) + 1.0) / 9007199254740993.0;
            double s = 64.0 / pow(u, 1.0 / 1.1);
            live[n++] = alloc(g, s > 1048576 ? 1048576 : (size_t)s);
        } else {
            size_t j = uniform(g, 0, n - 1);
            release(g, live[j]);
            live[j] = live[--n];
        }
    }
    release_all(g);
}

static void t_lifo(struct gen *g)
{
    /* stack discipline: the last allocated is the first freed; the stack is
     * 4,000 deep first (about 2 MB live), then moves up and down */
    size_t stack[8192];
    int top = 0;
    while (top < 4000)
        stack[top++] = alloc(g, uniform(g, 8, 1024));
    for (int k = 0; k < 20000; k++) {
        if (top < 8192 && (top == 0 || splitmix64(&g->rng) % 2))
            stack[top++] = alloc(g, uniform(g, 8, 1024));
        else
            release(g, stack[--top]);
    }
    release_all(g);
}

static void t_fifo(struct gen *g)
{
    /* queue discipline: the oldest is freed first, so holes open at the far
     * end; 4,000 queued first (about 2 MB live) */
    size_t queue[8192];
    size_t head = 0, tail = 0;
    while (tail < 4000)
        queue[tail++] = alloc(g, uniform(g, 8, 1024));
    for (int k = 0; k < 20000; k++) {
        if (tail - head < 8192 && (tail == head || splitmix64(&g->rng) % 2))
            queue[tail++ % 8192] = alloc(g, uniform(g, 8, 1024));
        else
            release(g, queue[head++ % 8192]);
    }
    release_all(g);
}

static void t_large_blocks(struct gen *g)
{
    /* 100 KiB to 2 MiB blocks: the paths that map memory directly */
    size_t live[32];
    size_t n = 0;
    for (int k = 0; k < 600; k++) {
        if (n < 32 && (n == 0 || splitmix64(&g->rng) % 2))
            live[n++] = alloc(g, uniform(g, 100 * 1024, 2 * 1024 * 1024));
        else {
            size_t j = uniform(g, 0, n - 1);
            release(g, live[j]);
            live[j] = live[--n];
        }
    }
    release_all(g);
}

static void t_sawtooth(struct gen *g)
{
    /* build up a large heap, free all of it, again and again: memory should
     * be reused (and may go back to the OS) */
    for (int round = 0; round < 6; round++) {
        for (int i = 0; i < 5000; i++)
            alloc(g, uniform(g, 64, 2048));
        release_all(g);
    }
}

static const struct {
    const char *name;
    void (*make)(struct gen *);
} traces[] = {
    {"coalesce", t_coalesce},       {"binary", t_binary},       {"buddy_killer", t_buddy_killer},
    {"realloc_grow", t_realloc_grow}, {"realloc_shrink_grow", t_realloc_shrink_grow},
    {"many_small", t_many_small},   {"random_mix", t_random_mix}, {"heavy_tail", t_heavy_tail},
    {"lifo", t_lifo},               {"fifo", t_fifo},           {"large_blocks", t_large_blocks},
    {"sawtooth", t_sawtooth},
};

int tracegen_main(int argc, char **argv)
{
    if (argc != 2)
        die_usage("gen-traces: give the folder to write into (e.g. workloads/traces)");
    struct stat st;
    if (stat(argv[1], &st) != 0 || !S_ISDIR(st.st_mode))
        die_usage("gen-traces: '%s' is not a folder", argv[1]);
    for (size_t i = 0; i < sizeof traces / sizeof *traces; i++) {
        struct gen g;
        gen_init(&g, 0x5eed0000u + i);
        traces[i].make(&g);
        if (gen_write(&g, argv[1], traces[i].name) != 0) {
            fprintf(stderr, "alloclab: cannot write %s/%s.rep: %s\n", argv[1], traces[i].name, strerror(errno));
            return EXIT_MEASURE;
        }
    }
    printf("%zu traces written to %s\n", sizeof traces / sizeof *traces, argv[1]);
    return EXIT_OK;
}
