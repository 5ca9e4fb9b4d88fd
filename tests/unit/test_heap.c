/*
 * test_heap.c - every heap strategy through one table of behaviour tests.
 *
 * The table is built from the registry at run time, so a new strategy is
 * tested the moment its file exists. Each block the tests hold is filled with
 * a pattern derived from its identity and checked before it is freed or
 * reallocated, and every live block's address range is kept in an ordered set
 * that refuses an overlap; payload damage and overlapping blocks both fail.
 */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "allocator.h"
#include "replay/replay.h"

struct heap_case {
    const struct allocator *a;
    const char *options;
    char label[96];
};

/* ---- helpers ---- */
static uint64_t rng_next(uint64_t *s) /* splitmix64: small, fast, good enough */
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static size_t random_size(uint64_t *rng)
{
    uint64_t r = rng_next(rng) % 100;
    if (r < 90)
        return 1 + rng_next(rng) % 512;
    if (r < 98)
        return 513 + rng_next(rng) % (32 * 1024);
    return 32 * 1024 + rng_next(rng) % (256 * 1024);
}

static inline uint8_t pattern_byte(uint32_t seed, size_t i) { return (uint8_t)(seed + i * 7 + (i >> 8)); }

static void fill(void *p, size_t n, uint32_t seed)
{
    uint8_t *b = p;
    for (size_t i = 0; i < n; i++)
        b[i] = pattern_byte(seed, i);
}

/* Index of the first damaged byte, or n when intact. */
static size_t first_damage(const void *p, size_t n, uint32_t seed)
{
    const uint8_t *b = p;
    for (size_t i = 0; i < n; i++)
        if (b[i] != pattern_byte(seed, i))
            return i;
    return n;
}

static void *heap_create(const struct heap_case *hc)
{
    const char *why = allocator_unavailable(hc->a);
    if (why) {
        print_message("%s: unavailable here: %s\n", hc->label, why);
        skip();
    }
    char err[ALLOC_ERR_LEN] = "";
    void *h = alloc_create_memory_pass(hc->a, hc->options, THP_DEFAULT, err);
    if (!h)
        fail_msg("%s: create failed: %s", hc->label, err);
    return h;
}

/* ---- the ordered set of live ranges (the grader's own, runner/replay.c) ---- */
static void set_insert(struct live_set *s, void *p, size_t size, const char *label)
{
    uint32_t other;
    if (live_insert(s, p, size, 0, &other) != 0)
        fail_msg("%s: block [%p, %p) overlaps a live block", label, p, (void *)((char *)p + size));
}

static void set_remove(struct live_set *s, void *p)
{
    size_t before = s->n;
    live_remove(s, p);
    assert_int_equal(s->n, before - 1); /* it was live */
}

/* ---- tests ---- */
static void test_alignment(void **state)
{
    const struct heap_case *hc = *state;
    void *h = heap_create(hc);
    static const size_t sizes[] = {1, 7, 8, 15, 16, 17, 24, 31, 33, 48, 100, 127, 129, 255, 257, 1000,
                                   4095, 4097, 32767, 32768, 32769, 65536, 1 << 20};
    void *ptrs[sizeof sizes / sizeof *sizes][8];
    for (size_t i = 0; i < sizeof sizes / sizeof *sizes; i++)
        for (int k = 0; k < 8; k++) {
            ptrs[i][k] = hc->a->alloc(h, sizes[i]);
            assert_non_null(ptrs[i][k]);
            if ((uintptr_t)ptrs[i][k] % ALLOC_ALIGN)
                fail_msg("%s: %zu-byte block at %p is not 16-byte aligned", hc->label, sizes[i], ptrs[i][k]);
            memset(ptrs[i][k], 0xab, sizes[i]); /* the memory must be writable end to end */
        }
    for (size_t i = 0; i < sizeof sizes / sizeof *sizes; i++)
        for (int k = 0; k < 8; k++)
            hc->a->free(h, ptrs[i][k], sizes[i]);
    hc->a->destroy(h);
}

static void test_bad_sizes(void **state)
{
    const struct heap_case *hc = *state;
    void *h = heap_create(hc);
    static const size_t bad[] = {0, SIZE_MAX, SIZE_MAX - 15, ALLOC_MAX_REQUEST + 1, (size_t)1 << 50};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        errno = 0;
        void *p = hc->a->alloc(h, bad[i]);
        if (p || errno != ENOMEM)
            fail_msg("%s: alloc(%zu) gave %p, errno %d; want NULL, ENOMEM", hc->label, bad[i], p, errno);
    }
    if (hc->a->realloc) {
        void *p = hc->a->alloc(h, 100);
        assert_non_null(p);
        fill(p, 100, 42);
        errno = 0;
        assert_null(hc->a->realloc(h, p, 100, SIZE_MAX));
        assert_int_equal(errno, ENOMEM);
        assert_int_equal(first_damage(p, 100, 42), 100); /* a failed realloc keeps the block */
        hc->a->free(h, p, 100);
    }
    struct alloc_counters c;
    alloc_counters_read(hc->a, h, &c);
    assert_int_equal(c.bytes_live, 0);
    hc->a->destroy(h);
}

static void test_realloc_keeps_prefix(void **state)
{
    const struct heap_case *hc = *state;
    if (!hc->a->realloc)
        skip();
    void *h = heap_create(hc);
    static const size_t steps[] = {1, 16, 17, 100, 4000, 40000, 300000, 2000000, 50000, 600, 24, 3, 70000};
    size_t size = steps[0];
    char *p = hc->a->alloc(h, size);
    assert_non_null(p);
    fill(p, size, 7);
    for (size_t i = 1; i < sizeof steps / sizeof *steps; i++) {
        size_t next = steps[i];
        char *q = hc->a->realloc(h, p, size, next);
        assert_non_null(q);
        size_t keep = size < next ? size : next;
        size_t bad = first_damage(q, keep, 7);
        if (bad != keep)
            fail_msg("%s: realloc %zu -> %zu lost byte %zu of the prefix", hc->label, size, next, bad);
        fill(q, next, 7);
        p = q;
        size = next;
    }
    hc->a->free(h, p, size);
    struct alloc_counters c;
    alloc_counters_read(hc->a, h, &c);
    assert_int_equal(c.bytes_live, 0);
    hc->a->destroy(h);
}

#define SLOTS 2000
/* Sanitized builds run 10-50x slower: they replay a quarter of the
 * operations, every check intact (make test runs the full count unsanitized). */
#ifdef ALLOCLAB_SANITIZED
#define RANDOM_OPS 250000
#else
#define RANDOM_OPS 1000000
#endif

struct slot {
    void *p;
    size_t size;
    uint32_t seed;
};

static void verify_slot(const struct heap_case *hc, const struct slot *s, long op)
{
    size_t bad = first_damage(s->p, s->size, s->seed);
    if (bad != s->size)
        fail_msg("%s: op %ld: %zu-byte block at %p damaged at byte %zu", hc->label, op, s->size, s->p, bad);
}

/* RANDOM_OPS random alloc/free/realloc against a shadow table; the counters
 * must agree with what the test itself allocated. */
static void test_random_ops(void **state)
{
    const struct heap_case *hc = *state;
    void *h = heap_create(hc);
    struct slot *slots = calloc(SLOTS, sizeof *slots);
    struct live_set set = {0};
    uint64_t rng = 12345;
    uint64_t live = 0, live_peak = 0;
    uint32_t seed = 1;
    for (long op = 0; op < RANDOM_OPS; op++) {
        struct slot *s = &slots[rng_next(&rng) % SLOTS];
        if (!s->p) {
            s->size = random_size(&rng);
            s->p = hc->a->alloc(h, s->size);
            if (!s->p)
                fail_msg("%s: op %ld: alloc(%zu) failed", hc->label, op, s->size);
            if ((uintptr_t)s->p % ALLOC_ALIGN)
                fail_msg("%s: op %ld: %p not aligned", hc->label, op, s->p);
            set_insert(&set, s->p, s->size, hc->label);
            s->seed = seed++;
            fill(s->p, s->size, s->seed);
            live += s->size;
        } else if (hc->a->realloc && rng_next(&rng) % 4 == 0) {
            verify_slot(hc, s, op);
            size_t next = random_size(&rng);
            set_remove(&set, s->p);
            void *q = hc->a->realloc(h, s->p, s->size, next);
            if (!q)
                fail_msg("%s: op %ld: realloc(%zu -> %zu) failed", hc->label, op, s->size, next);
            size_t keep = s->size < next ? s->size : next;
            size_t bad = first_damage(q, keep, s->seed);
            if (bad != keep)
                fail_msg("%s: op %ld: realloc %zu -> %zu lost byte %zu", hc->label, op, s->size, next, bad);
            set_insert(&set, q, next, hc->label);
            live = live - s->size + next;
            s->p = q;
            s->size = next;
            s->seed = seed++;
            fill(s->p, s->size, s->seed);
        } else {
            verify_slot(hc, s, op);
            set_remove(&set, s->p);
            hc->a->free(h, s->p, s->size);
            live -= s->size;
            s->p = NULL;
        }
        if (live > live_peak)
            live_peak = live;
    }
    struct alloc_counters c;
    alloc_counters_read(hc->a, h, &c);
    assert_int_equal(c.bytes_live, live);
    /* one thread: the peak is exact */
    assert_int_equal(c.bytes_live_peak, live_peak);
    for (size_t i = 0; i < SLOTS; i++)
        if (slots[i].p) {
            verify_slot(hc, &slots[i], -1);
            hc->a->free(h, slots[i].p, slots[i].size);
        }
    alloc_counters_read(hc->a, h, &c);
    assert_int_equal(c.bytes_live, 0);
    if (!is_na(c.bytes_reserved_peak)) /* NA: not measurable in this build */
        assert_true(c.bytes_reserved_peak >= c.bytes_reserved);
    hc->a->destroy(h);
    free(slots);
    live_free(&set);
}

/* ---- 4 threads x 250,000 operations, blocks freed by other threads ---- */
#define THREADS 4
#ifdef ALLOCLAB_SANITIZED
#define THREAD_OPS 100000
#else
#define THREAD_OPS 250000
#endif
#define EXCHANGE 1024
#define THREAD_SLOTS 256

struct shared {
    const struct heap_case *hc;
    void *heap;
    pthread_mutex_t lock;
    struct slot exchange[EXCHANGE];
    size_t exchanged;
    char failure[256];
};

static void record_failure(struct shared *sh, const char *fmt, ...)
{
    pthread_mutex_lock(&sh->lock);
    if (!sh->failure[0]) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(sh->failure, sizeof sh->failure, fmt, ap);
        va_end(ap);
    }
    pthread_mutex_unlock(&sh->lock);
}

static int release(struct shared *sh, struct slot *s)
{
    size_t bad = first_damage(s->p, s->size, s->seed);
    if (bad != s->size) {
        record_failure(sh, "%s: %zu-byte block %p damaged at byte %zu", sh->hc->label, s->size, s->p, bad);
        return -1;
    }
    sh->hc->a->free(sh->heap, s->p, s->size);
    s->p = NULL;
    return 0;
}

static void *thread_main(void *arg)
{
    struct shared *sh = ((void **)arg)[0];
    uint64_t rng = (uint64_t)(uintptr_t)((void **)arg)[1];
    const struct allocator *a = sh->hc->a;
    struct slot mine[THREAD_SLOTS] = {0};
    for (long op = 0; op < THREAD_OPS && !sh->failure[0]; op++) {
        struct slot *s = &mine[rng_next(&rng) % THREAD_SLOTS];
        uint64_t r = rng_next(&rng) % 10;
        if (!s->p) {
            s->size = 1 + rng_next(&rng) % 1024;
            s->seed = (uint32_t)rng_next(&rng);
            s->p = a->alloc(sh->heap, s->size);
            if (!s->p) {
                record_failure(sh, "%s: alloc failed in a thread", sh->hc->label);
                break;
            }
            fill(s->p, s->size, s->seed);
        } else if (r == 0) { /* hand the block to whichever thread takes it */
            pthread_mutex_lock(&sh->lock);
            if (sh->exchanged < EXCHANGE) {
                sh->exchange[sh->exchanged++] = *s;
                s->p = NULL;
            }
            pthread_mutex_unlock(&sh->lock);
        } else if (r == 1) { /* free a block another thread allocated */
            struct slot taken = {0};
            pthread_mutex_lock(&sh->lock);
            if (sh->exchanged)
                taken = sh->exchange[--sh->exchanged];
            pthread_mutex_unlock(&sh->lock);
            if (taken.p && release(sh, &taken))
                break;
        } else if (release(sh, s)) {
            break;
        }
    }
    for (int i = 0; i < THREAD_SLOTS; i++)
        if (mine[i].p)
            release(sh, &mine[i]);
    return NULL;
}

static void test_threads_cross_free(void **state)
{
    const struct heap_case *hc = *state;
    void *heap = heap_create(hc); /* first: it may skip the test */
    struct shared *sh = calloc(1, sizeof *sh);
    sh->hc = hc;
    sh->heap = heap;
    pthread_mutex_init(&sh->lock, NULL);
    pthread_t t[THREADS];
    void *args[THREADS][2];
    for (int i = 0; i < THREADS; i++) {
        args[i][0] = sh;
        args[i][1] = (void *)(uintptr_t)(1000 + i);
        assert_int_equal(pthread_create(&t[i], NULL, thread_main, args[i]), 0);
    }
    for (int i = 0; i < THREADS; i++)
        pthread_join(t[i], NULL);
    while (sh->exchanged)
        release(sh, &sh->exchange[--sh->exchanged]);
    if (sh->failure[0])
        fail_msg("%s", sh->failure);
    struct alloc_counters c;
    alloc_counters_read(hc->a, sh->heap, &c);
    assert_int_equal(c.bytes_live, 0);
    /* a strategy that counts its lock's waits saw the four threads collide on it */
    if (!is_na(c.lock_contended))
        assert_true(c.lock_contended > 0);
    hc->a->destroy(sh->heap);
    pthread_mutex_destroy(&sh->lock);
    free(sh);
}

/* Memory comes back: a thread fills 64 MiB with small blocks, frees them all
 * and exits (so per-thread caches drain); most of it must leave the heap.
 * Held to strategies that promise it: glibc's malloc keeps freed memory
 * below a trim threshold that grows with the largest block freed so far. */
struct fill_job {
    const struct heap_case *hc;
    void *heap;
};

static void *fill_and_free(void *arg)
{
    struct fill_job *job = arg;
    enum { N = 64 * 1024 * 1024 / 256 };
    void **blocks = malloc(N * sizeof *blocks);
    for (size_t i = 0; i < N; i++) {
        blocks[i] = job->hc->a->alloc(job->heap, 256);
        if (blocks[i])
            memset(blocks[i], 1, 256);
    }
    for (size_t i = 0; i < N; i++)
        job->hc->a->free(job->heap, blocks[i], 256);
    free(blocks);
    return NULL;
}

static void test_memory_returned(void **state)
{
    const struct heap_case *hc = *state;
    struct fill_job job = {hc, heap_create(hc)};
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, fill_and_free, &job), 0);
    pthread_join(t, NULL);
    struct alloc_counters c;
    alloc_counters_read(hc->a, job.heap, &c);
    assert_int_equal(c.bytes_live, 0);
    assert_int_equal(c.bytes_live_peak, 64u << 20);
    if (is_na(c.bytes_reserved_peak) || !(hc->a->promises & ALLOC_RETURNS_MEMORY)) {
        hc->a->destroy(job.heap);
        skip(); /* not measurable in this build, or not promised */
    }
    if (c.bytes_reserved_peak < c.bytes_live_peak || c.bytes_reserved > c.bytes_reserved_peak / 4)
        fail_msg("%s: reserved %.0f bytes after freeing everything (peak %.0f, live peak %.0f)", hc->label,
                 c.bytes_reserved, c.bytes_reserved_peak, c.bytes_live_peak);
    hc->a->destroy(job.heap);
}

/* ---- registry-wide checks ---- */
static void test_registry_names(void **state)
{
    (void)state;
    size_t n = 0;
    for (size_t i = 0; allocator_registry[i]; i++, n++) {
        const struct allocator *a = allocator_registry[i];
        assert_non_null(a->name);
        assert_true(a->summary && a->summary[0]);
        assert_ptr_equal(allocator_find(a->name), a);
        assert_non_null(a->create);
        struct alloc_config cfg; /* its options' defaults are within their own ranges */
        char err[ALLOC_ERR_LEN];
        if (alloc_config_parse(a, NULL, THP_DEFAULT, &cfg, err) != 0)
            fail_msg("%s: %s", a->name, err);
        assert_true(allocator_has_heap(a) || a->view_open); /* it must serve something */
    }
    assert_true(n >= 3);
    assert_null(allocator_find("no_such_strategy"));
}

static void test_bad_options_refused(void **state)
{
    (void)state;
    for (size_t i = 0; allocator_registry[i]; i++) {
        const struct allocator *a = allocator_registry[i];
        char err[ALLOC_ERR_LEN] = "";
        void *h = alloc_create(a, "no_such_option=1", THP_DEFAULT, err);
        if (h)
            fail_msg("%s accepted an unknown option", a->name);
        assert_true(err[0] != '\0');
    }
}

int main(void)
{
    static const char *const variants[][2] = {
        {"locked_freelist", "fit=best"},
        {"locked_freelist", "fit=next"},
        {"locked_freelist", "fit=first,arena=65536"}, /* many arenas: growth and release */
        {"block_suballoc", "keep_empty=0"},
    };
    static struct {
        const char *what;
        CMUnitTestFunction fn;
        bool threads; /* ThreadSanitizer runs these only: the others have one thread */
    } const behaviours[] = {
        {"16-byte alignment", test_alignment, false},
        {"size 0 and absurd sizes", test_bad_sizes, false},
        {"realloc keeps the prefix", test_realloc_keeps_prefix, false},
        {"random ops vs shadow table", test_random_ops, false},
        {"4 threads, cross-thread frees", test_threads_cross_free, true},
        {"freed memory goes back to the OS", test_memory_returned, true},
    };
#if defined(__SANITIZE_THREAD__)
    const bool threads_only = true;
#else
    const bool threads_only = false;
#endif
    /* ALLOCLAB_ONLY=S: the one strategy S (make check-heap ALLOC=S) */
    const char *only = getenv("ALLOCLAB_ONLY");
    if (only && !(allocator_find(only) && allocator_has_heap(allocator_find(only)))) {
        fprintf(stderr, "test_heap: '%s' is not a heap strategy of this build (see: build/alloclab list)\n", only);
        return 2;
    }
    static struct heap_case cases[64];
    size_t ncases = 0;
    for (size_t i = 0; allocator_registry[i]; i++)
        if (allocator_has_heap(allocator_registry[i]) && (!only || !strcmp(only, allocator_registry[i]->name)))
            cases[ncases++] = (struct heap_case){allocator_registry[i], NULL, ""};
    for (size_t i = 0; i < sizeof variants / sizeof *variants; i++) {
        const struct allocator *a = allocator_find(variants[i][0]);
        if (a && (!only || !strcmp(only, a->name)))
            cases[ncases++] = (struct heap_case){a, variants[i][1], ""};
    }
    size_t nb = sizeof behaviours / sizeof *behaviours;
    struct CMUnitTest *tests = calloc(ncases * nb + 2, sizeof *tests);
    size_t n = 0;
    if (!threads_only) {
        tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_registry_names);
        tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_bad_options_refused);
    }
    for (size_t c = 0; c < ncases; c++) {
        snprintf(cases[c].label, sizeof cases[c].label, "%s%s%s", cases[c].a->name,
                 cases[c].options ? " " : "", cases[c].options ? cases[c].options : "");
        for (size_t b = 0; b < nb; b++) {
            char *name;
            if (threads_only && !behaviours[b].threads)
                continue;
            if (asprintf(&name, "%s: %s", cases[c].label, behaviours[b].what) < 0)
                return 1;
            tests[n++] = (struct CMUnitTest){name, behaviours[b].fn, NULL, NULL, &cases[c]};
        }
    }
    return _cmocka_run_group_tests("heap strategies", tests, n, NULL, NULL);
}
