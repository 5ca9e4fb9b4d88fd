/*
 * test_stress.c - the stress workloads do what their names say, on heaps
 * built here to make it visible:
 *
 *   larson, producer_consumer   a heap that remembers which thread allocated
 *                               each block: frees by another thread happen
 *                               (all of producer_consumer's), every block is
 *                               freed once, and a heap that hands one block
 *                               out twice fails the cell;
 *   false_sharing               a heap that packs every thread's objects
 *                               side by side shares lines, one with a page
 *                               per thread does not, and one that keeps a
 *                               remote free in the freeing thread's list
 *                               shares them in scratch mode only;
 *   memory_over_time            a heap that unmaps each block gives the
 *                               burst back, one that never frees keeps it,
 *                               and the samples come at their fixed times.
 *
 * Cells run in a child process: the heaps count into a shared mapping that
 * the test reads afterwards.
 */
#include <math.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <cmocka.h>

#include "broken_strategies.h"
#include "cell.h"
#include "cell_fixture.h"
#include "support/os.h"
#include "topo_fixture.h"
#include "workload.h"

/* ---- what the heaps count, in memory the cell's process shares ---- */
struct tally {
    _Atomic long allocs, frees, remote_frees, bad_frees;
};
static struct tally *tally;
static _Atomic unsigned long next_thread_id;
static _Thread_local unsigned long thread_id; /* unique for the process's life: a pthread_t is reused */

static unsigned long me(void)
{
    if (!thread_id)
        thread_id = atomic_fetch_add(&next_thread_id, 1) + 1;
    return thread_id;
}

static void *token_create(const struct alloc_config *cfg, char err[ALLOC_ERR_LEN])
{
    (void)cfg, (void)err;
    static int token;
    return &token;
}
static void token_destroy(void *self) { (void)self; }

/* ---- a heap that remembers the allocating thread in a header ---- */
#define MAGIC_LIVE 0x11fe11fe11fe11feull
struct header {
    uint64_t magic;
    unsigned long owner;
};

static void *tracking_alloc(void *self, size_t size)
{
    (void)self;
    struct header *h = malloc(sizeof *h + size);
    if (!h)
        return NULL;
    *h = (struct header){MAGIC_LIVE, me()};
    atomic_fetch_add(&tally->allocs, 1);
    return h + 1;
}

static void tracking_free(void *self, void *p, size_t size)
{
    (void)self, (void)size;
    struct header *h = (struct header *)p - 1;
    if (h->magic != MAGIC_LIVE) {
        atomic_fetch_add(&tally->bad_frees, 1);
        return;
    }
    if (h->owner != me())
        atomic_fetch_add(&tally->remote_frees, 1);
    h->magic = 0;
    atomic_fetch_add(&tally->frees, 1);
    free(h);
}

static const struct allocator tracking_heap = {
    .name = "fixture_tracking", .summary = "test fixture", .model = MODEL_THREADS, .create = token_create,
    .destroy = token_destroy, .alloc = tracking_alloc, .free = tracking_free};

/* ---- placement heaps for false_sharing (16-byte slots) ---- */
#define SLOTS (1 << 20)
static char *slots;       /* one region, 16-byte slots */
static _Atomic size_t next_slot;
static pthread_mutex_t list_lock = PTHREAD_MUTEX_INITIALIZER;
static void *shared_list; /* packed: one LIFO list for every thread */
static _Thread_local void *own_list; /* remote-keeping: the freeing thread's own list */
static _Thread_local char *own_page; /* per-thread pages */
static _Thread_local size_t own_used;

static void *region_create(const struct alloc_config *cfg, char err[ALLOC_ERR_LEN])
{
    slots = os_map(SLOTS * 16);
    next_slot = 0;
    shared_list = NULL;
    return slots ? token_create(cfg, err) : NULL;
}
static void region_destroy(void *self)
{
    (void)self;
    os_unmap(slots, SLOTS * 16);
}

static void *pop(void **list)
{
    void *p = *list;
    if (p)
        *list = *(void **)p;
    return p;
}

/* packed: every thread's next object is the next free slot, side by side */
static void *packed_alloc(void *self, size_t size)
{
    (void)self;
    if (size > 16)
        return NULL;
    pthread_mutex_lock(&list_lock);
    void *p = pop(&shared_list);
    pthread_mutex_unlock(&list_lock);
    size_t k = p ? 0 : atomic_fetch_add(&next_slot, 1);
    return p ? p : k < SLOTS ? slots + 16 * k : NULL;
}
static void packed_free(void *self, void *p, size_t size)
{
    (void)self, (void)size;
    pthread_mutex_lock(&list_lock);
    *(void **)p = shared_list;
    shared_list = p;
    pthread_mutex_unlock(&list_lock);
}

/* thread-caching: a thread's own list first (whoever allocated what is on
 * it, as a free goes to the freeing thread's list), then a page of its own */
static void *caching_alloc(void *self, size_t size)
{
    (void)self;
    void *p = pop(&own_list);
    if (p || size > 16)
        return p;
    if (!own_page || own_used == 4096) {
        size_t k = atomic_fetch_add(&next_slot, 256); /* a whole page of slots */
        if (k + 256 > SLOTS)
            return NULL;
        own_page = slots + 16 * k;
        own_used = 0;
    }
    own_used += 16;
    return own_page + own_used - 16;
}
static void caching_free(void *self, void *p, size_t size)
{
    (void)self, (void)size;
    *(void **)p = own_list;
    own_list = p;
}

static const struct allocator packed_heap = {
    .name = "fixture_packed", .summary = "test fixture", .model = MODEL_THREADS, .create = region_create,
    .destroy = region_destroy, .alloc = packed_alloc, .free = packed_free};
static const struct allocator caching_heap = {
    .name = "fixture_caching", .summary = "test fixture", .model = MODEL_THREADS, .create = region_create,
    .destroy = region_destroy, .alloc = caching_alloc, .free = caching_free};

/* ---- heaps for memory_over_time: a mapping per block, or never a free ---- */
static void *mapping_alloc(void *self, size_t size)
{
    (void)self;
    return os_map((size + 4095) & ~(size_t)4095);
}
static void mapping_free(void *self, void *p, size_t size)
{
    (void)self;
    os_unmap(p, (size + 4095) & ~(size_t)4095);
}
static void *keeping_alloc(void *self, size_t size)
{
    (void)self;
    size_t k = atomic_fetch_add(&next_slot, (size + 15) / 16);
    return k + (size + 15) / 16 <= SLOTS ? slots + 16 * k : NULL;
}
static void keeping_free(void *self, void *p, size_t size) { (void)self, (void)p, (void)size; }

static const struct allocator mapping_heap = {
    .name = "fixture_mapping", .summary = "test fixture", .model = MODEL_THREADS, .create = token_create,
    .destroy = token_destroy, .alloc = mapping_alloc, .free = mapping_free};
static const struct allocator keeping_heap = {
    .name = "fixture_keeping", .summary = "test fixture", .model = MODEL_THREADS, .create = region_create,
    .destroy = region_destroy, .alloc = keeping_alloc, .free = keeping_free};

/* a heap that runs dry for one thread: the second thread to allocate gets
 * NULL from its 101st request on; the first is served throughout */
static _Thread_local long served;
static void *dry_alloc(void *self, size_t size)
{
    (void)self;
    return me() == 2 && ++served > 100 ? NULL : malloc(size);
}
static void dry_free(void *self, void *p, size_t size) { (void)self, (void)size, free(p); }
static const struct allocator dry_heap = {
    .name = "fixture_dry", .summary = "test fixture", .model = MODEL_THREADS, .create = token_create,
    .destroy = token_destroy, .alloc = dry_alloc, .free = dry_free};

/* ---- running a cell ---- */
static struct cell_spec spec(const struct allocator *a, const char *workload, const char *settings)
{
    struct cell_spec s;
    char err[PARAM_ERR_LEN], text[512];
    if (cell_spec_init(&s, a, workload_find(workload), err, sizeof err) != 0)
        fail_msg("%s", err);
    s.timeout_s = 60;
    snprintf(text, sizeof text, "%s", settings);
    for (char *save = NULL, *w = strtok_r(text, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
        char *eq = strchr(w, '=');
        *eq = '\0';
        cell_fixture_set(&s, w, eq + 1);
    }
    return s;
}

static struct cell_result run_ok(const struct cell_spec *s)
{
    struct cell_result r;
    memset(tally, 0, sizeof *tally);
    assert_int_equal(cell_run(s, &tp, &r), 0);
    if (r.status != CELL_OK)
        fail_msg("%s on %s: %s", s->workload->name, s->strategy->name, r.message);
    return r;
}

static int setup_all(void **state)
{
    tally = mmap(NULL, sizeof *tally, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    return tally == MAP_FAILED ? -1 : setup(state);
}

/* ---- larson and producer_consumer: frees by other threads ---- */
static void test_larson_frees_what_other_threads_allocated(void **state)
{
    (void)state;
    /* 2 workers x (1000 blocks + 19000 replacements in rounds of 500: 38 threads each) */
    struct cell_spec s = spec(&tracking_heap, "larson", "workers=2 ops=40000 window=1000 round=500");
    struct cell_result r = run_ok(&s);
    print_message("larson: %ld allocations, %ld frees, %ld by another thread, %.0f threads\n", tally->allocs,
                  tally->frees, tally->remote_frees, cell_fixture_result(&s, &r, "threads_started"));
    assert_int_equal(tally->allocs, 40000);
    assert_int_equal(tally->frees, 40000); /* every block freed, once */
    assert_int_equal(tally->bad_frees, 0);
    assert_true(cell_fixture_result(&s, &r, "threads_started") == 76);
    /* a round touches about 400 of the 1000 slots, each last written by an
     * earlier thread: most frees are another thread's block */
    assert_true(tally->remote_frees > 40000 * 6 / 10);
    assert_true(r.fig[FIG_OPS] == 80000);

    /* the control: churn without cross-frees frees only its own blocks */
    struct cell_spec c = spec(&tracking_heap, "churn", "workers=2 ops=20000 window=100");
    run_ok(&c);
    assert_int_equal(tally->frees, tally->allocs);
    assert_int_equal(tally->remote_frees, 0);
}

static void test_producer_consumer_frees_every_block_on_the_other_side(void **state)
{
    (void)state;
    struct cell_spec s = spec(&tracking_heap, "producer_consumer", "workers=2 blocks=20000 queue=64");
    struct cell_result r = run_ok(&s);
    print_message("producer_consumer: %ld allocations, %ld frees, %ld remote; stalls %.0f / %.0f\n", tally->allocs,
                  tally->frees, tally->remote_frees, cell_fixture_result(&s, &r, "producer_stalls"),
                  cell_fixture_result(&s, &r, "consumer_stalls"));
    assert_int_equal(tally->allocs, 20000);
    assert_int_equal(tally->remote_frees, 20000); /* all of them: the producer never frees */
    assert_int_equal(tally->frees, 20000);
    assert_int_equal(tally->bad_frees, 0);
    assert_true(r.fig[FIG_OPS] == 40000);

    struct cell_result alone;
    struct cell_spec one = spec(&tracking_heap, "producer_consumer", "workers=1 blocks=100");
    assert_int_equal(cell_run(&one, &tp, &alone), 0);
    assert_int_equal(alone.status, CELL_FAILED);
    assert_non_null(strstr(alone.message, "at least 2"));
}

static void test_a_heap_handing_out_one_block_twice_fails_them(void **state)
{
    (void)state;
#if defined(__SANITIZE_THREAD__)
    skip(); /* two threads writing one block is the race ThreadSanitizer stops at, before the workload sees it */
#endif
    static const char *const cells[][2] = {{"larson", "workers=2 ops=20000 window=100 round=1000"},
                                           {"producer_consumer", "workers=2 blocks=2000"},
                                           {"memory_over_time", "burst=64k until=1"}};
    for (size_t k = 0; k < 3; k++) {
        struct cell_spec s = spec(&fixture_overlapping_heap, cells[k][0], cells[k][1]);
        struct cell_result r;
        assert_int_equal(cell_run(&s, &tp, &r), 0);
        print_message("%s on a heap returning one block: %s\n", cells[k][0], r.message);
        assert_int_equal(r.status, CELL_FAILED);
        assert_non_null(strstr(r.message, "overwritten"));
    }
}

/* ---- false_sharing: placement read from the addresses ---- */
static double shared_lines(const struct allocator *a, const char *mode, const char *workers)
{
    char settings[128];
    snprintf(settings, sizeof settings, "workers=%s mode=%s iterations=200 writes=10 object=8", workers, mode);
    struct cell_spec s = spec(a, "false_sharing", settings);
    struct cell_result r = run_ok(&s);
    double share = cell_fixture_result(&s, &r, "shared_lines");
    print_message("%s, %s, %s workers: shared_lines %.2f, %.2f ns a write\n", a->name, mode, workers, share,
                  cell_fixture_result(&s, &r, "write_ns"));
    return share;
}

static void test_false_sharing_sees_where_the_heap_put_the_objects(void **state)
{
    (void)state;
    if (tp.pus < 2)
        skip();
    assert_true(shared_lines(&packed_heap, "thrash", "1") == 0); /* nobody to share with */
    assert_true(shared_lines(&packed_heap, "thrash", "2") == 1);  /* side by side, whoever asks */
    assert_true(shared_lines(&caching_heap, "thrash", "2") == 0); /* a page per thread */
    /* scratch: worker 0's two first objects share a line; each worker's
     * free keeps its object, which it then gets back */
    assert_true(shared_lines(&caching_heap, "scratch", "2") == 1);
}

/* ---- memory_over_time: what is given back, and when it is sampled ---- */
static const unsigned schedule_ms[] = {1, 2, 5, 10, 20, 50};

static double kept_at_end(const struct allocator *a)
{
    struct cell_spec s = spec(a, "memory_over_time", "burst=2M until=50");
    struct cell_result r = run_ok(&s);
    assert_int_equal(r.nsteps, 3 + 6); /* before, burst, freed, then 1 2 5 10 20 50 ms */
    /* each sample at its time after the frees: the sample of step 2 itself
     * came up to a few ms after them (reading /proc takes time), so the
     * gaps are measured from its end, less that slack */
    for (int k = 3; k < r.nsteps; k++) {
        assert_true(r.timeline[k].ms > r.timeline[k - 1].ms);
        assert_true(r.timeline[k].ms - r.timeline[2].ms >= (double)schedule_ms[k - 3] - 3);
    }
    assert_true(r.timeline[r.nsteps - 1].ms - r.timeline[2].ms >= 47);
    double growth = r.timeline[1].rss_sum_kib - r.timeline[0].rss_sum_kib;
    double kept = (r.timeline[r.nsteps - 1].rss_sum_kib - r.timeline[0].rss_sum_kib) / growth;
    print_message("%s: the burst grew RSS by %.0f KiB; %.0f%% still resident %.1f ms after the frees\n", a->name,
                  growth, 100 * kept, r.timeline[r.nsteps - 1].ms - r.timeline[2].ms);
    assert_true(growth >= 2048);
    assert_true(isnan(r.timeline[1].heap_reserved_kib)); /* these heaps count nothing: NA, never 0 */
    return kept;
}

static void test_memory_over_time_sees_memory_given_back_or_kept(void **state)
{
    (void)state;
#if defined(ALLOCLAB_SANITIZED)
    double given_back = 0.25; /* a sanitizer's shadow of the unmapped blocks stays resident */
#else
    double given_back = 0.1;
#endif
    assert_true(kept_at_end(&mapping_heap) < given_back);
    assert_true(kept_at_end(&keeping_heap) > 0.9);
    /* a heap with counters: its reserved bytes come with the samples */
    struct cell_spec s = spec(allocator_find("block_suballoc"), "memory_over_time", "burst=1M until=1");
    struct cell_result r = run_ok(&s);
    assert_true(r.timeline[1].heap_reserved_kib >= 1024);
    assert_true(r.timeline[1].heap_live_kib >= 1000 && r.timeline[2].heap_live_kib == 0);
}

/* One worker's burst fails while the other's goes on: the one left waits at
 * a step the failed one never reaches. The cell must fail with the reason, not
 * hang until its time limit. */
static void test_a_worker_that_fails_between_steps_does_not_hang_the_others(void **state)
{
    (void)state;
    struct cell_spec s = spec(&dry_heap, "memory_over_time", "workers=2 burst=1M until=1");
    s.timeout_s = 20;
    struct cell_result r;
    assert_int_equal(cell_run(&s, &tp, &r), 0);
    print_message("a heap that runs dry under two workers: %s\n", r.message);
    assert_int_equal(r.status, CELL_FAILED);
    assert_non_null(strstr(r.message, "allocation failed in the burst"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_larson_frees_what_other_threads_allocated),
        cmocka_unit_test(test_producer_consumer_frees_every_block_on_the_other_side),
        cmocka_unit_test(test_a_heap_handing_out_one_block_twice_fails_them),
        cmocka_unit_test(test_false_sharing_sees_where_the_heap_put_the_objects),
        cmocka_unit_test(test_memory_over_time_sees_memory_given_back_or_kept),
        cmocka_unit_test(test_a_worker_that_fails_between_steps_does_not_hang_the_others),
    };
    return cmocka_run_group_tests(tests, setup_all, teardown);
}
