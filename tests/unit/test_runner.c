/*
 * test_runner.c - the runner's promises: a crash or a hang fails only its
 * cell; wrong data fails the cell; counters count the measured phase; every
 * workload writes exactly the pages it was asked to.
 */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include <cmocka.h>

#include "broken_strategies.h"
#include "cell.h"
#include "topo_fixture.h"
#include "perf.h"
#include "support/os.h"
#include "workload.h"


/* Set a knob of the spec's workload by name, as the command line would. */
static void knob(struct cell_spec *s, const char *name, const char *value)
{
    int i = params_find(s->workload->knobs, name);
    char err[PARAM_ERR_LEN];
    if (i < 0 || param_parse(&s->workload->knobs[i], value, &s->knob[i], err, sizeof err) != 0)
        fail_msg("%s: --%s %s: %s", s->workload->name, name, value, i < 0 ? "no such knob" : err);
}

static struct cell_spec small_spec(const struct allocator *a, const char *workload)
{
    struct cell_spec s;
    char err[PARAM_ERR_LEN];
    if (cell_spec_init(&s, a, workload_find(workload), err, sizeof err) != 0)
        fail_msg("%s", err);
    s.timeout_s = 60;
    knob(&s, "workers", "1");
    if (params_find(s.workload->knobs, "size") >= 0)
        knob(&s, "size", "4M");
    if (params_find(s.workload->knobs, "reads") >= 0)
        knob(&s, "reads", "20000");
    return s;
}

static void test_crash_is_a_row_and_the_next_cell_runs(void **state)
{
    (void)state;
    struct cell_result r;
    struct cell_spec crash = small_spec(&fixture_crash_on_view, "read_heavy");
    assert_int_equal(cell_run(&crash, &tp, &r), 0);
    char text[48];
    assert_string_equal(cell_status_text(r.status, r.signal, text, sizeof text), "crashed:SIGSEGV");
    struct cell_spec good = small_spec(allocator_find("system_malloc"), "read_heavy");
    assert_int_equal(cell_run(&good, &tp, &r), 0);
    assert_int_equal(r.status, CELL_OK);
}

static void test_hang_times_out_and_leaves_nothing(void **state)
{
    (void)state;
    struct cell_result r;
    struct cell_spec hang = small_spec(&fixture_hang_on_view, "read_heavy");
    hang.timeout_s = 1;
    knob(&hang, "workers", "2");
    uint64_t t0 = os_now_ns();
    assert_int_equal(cell_run(&hang, &tp, &r), 0);
    assert_int_equal(r.status, CELL_TIMEOUT);
    assert_true(os_now_ns() - t0 < 10ull * 1000000000ull);
}

static void test_wrong_data_fails_the_cell(void **state)
{
    (void)state;
    struct cell_result r;
    struct cell_spec bad = small_spec(&fixture_corrupt_view, "read_heavy");
    assert_int_equal(cell_run(&bad, &tp, &r), 0);
    assert_int_equal(r.status, CELL_FAILED);
    assert_non_null(strstr(r.message, "wrong record"));
    bad = small_spec(&fixture_corrupt_view, "write_heavy");
    knob(&bad, "write-fraction", "0.5");
    assert_int_equal(cell_run(&bad, &tp, &r), 0);
    assert_int_equal(r.status, CELL_FAILED);
}

/* a strategy whose library is missing: an unavailable row with the install
 * command, and create refuses in one line, never a crash */
static void test_missing_library_is_unavailable(void **state)
{
    (void)state;
    const char *why = allocator_unavailable(&fixture_missing_library);
    assert_non_null(why);
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
    const char *expected = "not under a sanitizer"; /* no library is loaded under one */
#else
    const char *expected = "liballoclab-missing.so.0 is not installed (apt-get install alloclab-missing)";
#endif
    assert_non_null(strstr(why, expected));
    char err[ALLOC_ERR_LEN] = "";
    assert_null(alloc_create(&fixture_missing_library, NULL, THP_DEFAULT, err));
    assert_non_null(strstr(err, "fixture_missing is unavailable: "));
    assert_non_null(strstr(err, expected));
    struct cell_result r;
    struct cell_spec cell = small_spec(&fixture_missing_library, "churn");
    assert_int_equal(cell_run(&cell, &tp, &r), 0);
    assert_int_equal(r.status, CELL_UNAVAILABLE);
    assert_non_null(strstr(r.message, expected));
}

/* perf counts what the measured phase does: N fresh pages, N minor faults */
static void test_faults_match_pages_first_touched(void **state)
{
    (void)state;
    enum { PAGES = 2000 };
#if defined(__SANITIZE_THREAD__)
    skip(); /* TSan shadows each byte written with several: the fault count is not the pages' */
#endif
    struct perf_set ps;
    perf_open(&ps);
    if (ps.fd[EV_MINOR_FAULTS] < 0) {
        perf_close(&ps);
        skip(); /* no perf_event_open here: the runner writes NA */
    }
    char *p = os_map(PAGES * 4096);
    os_advise_thp(p, PAGES * 4096, THP_NEVER);
    perf_enable(&ps);
    for (size_t i = 0; i < PAGES; i++)
        p[i * 4096] = 1;
    perf_disable(&ps);
    for (size_t i = 0; i < PAGES; i++) /* not counted: the counters are off */
        p[i * 4096] = 2;
    double v[EV_COUNT];
    perf_read(&ps, v);
    perf_close(&ps);
    os_unmap(p, PAGES * 4096);
    assert_false(is_na(v[EV_MINOR_FAULTS]));
    print_message("minor faults for %d fresh pages: %.0f\n", PAGES, v[EV_MINOR_FAULTS]);
#if defined(__SANITIZE_ADDRESS__)
    const double shadow = PAGES / 8; /* ASan's shadow bytes for those pages fault too */
#else
    const double shadow = 0;
#endif
    assert_true(v[EV_MINOR_FAULTS] >= PAGES && v[EV_MINOR_FAULTS] <= PAGES + shadow + 64);
    assert_false(v[EV_CYCLES] == 0); /* measured, or NA: never a made-up 0 */
}

/* pages_written is exactly round(fraction x pages) per worker, and
 * mprotect_cow copies exactly those pages */
static void test_pages_written_as_asked(void **state)
{
    (void)state;
    static const double fractions[] = {0, 0.001, 0.01, 0.05, 0.25, 1};
    static const char *const workloads[] = {"read_heavy", "write_heavy"};
    for (size_t w = 0; w < 2; w++)
        for (int pat = 0; pat < 2; pat++)
            for (size_t f = 0; f < sizeof fractions / sizeof *fractions; f++) {
                struct cell_spec s = small_spec(allocator_find("mprotect_cow"), workloads[w]);
                char fraction[32];
                snprintf(fraction, sizeof fraction, "%g", fractions[f]);
                knob(&s, "workers", "2");
                knob(&s, "write-fraction", fraction);
                knob(&s, "pattern", pat ? "random" : "seq");
                struct cell_result r;
                assert_int_equal(cell_run(&s, &tp, &r), 0);
                if (r.status != CELL_OK)
                    fail_msg("%s %g: %d %s", workloads[w], fractions[f], (int)r.status, r.message);
                double want = 2.0 * (double)pages_to_write(fractions[f], cell_knob(&s, "size") / PAGE_BYTES);
                if (r.fig[FIG_PAGES_WRITTEN] != want || r.fig[FIG_PAGES_COPIED] != want)
                    fail_msg("%s, fraction %g, %s: %.0f pages written, %.0f copied, want %.0f", workloads[w],
                             fractions[f], pat ? "random" : "seq", r.fig[FIG_PAGES_WRITTEN], r.fig[FIG_PAGES_COPIED],
                             want);
            }
}

/* a heap strategy runs as processes too, on equal terms with fork_cow */
static void test_heap_strategy_as_processes(void **state)
{
    (void)state;
    struct cell_spec s = small_spec(allocator_find("block_suballoc"), "write_heavy");
    s.model = MODEL_PROCESSES;
    knob(&s, "workers", "2");
    struct cell_result r;
    assert_int_equal(cell_run(&s, &tp, &r), 0);
    assert_int_equal(r.status, CELL_OK);
    assert_true(r.fig[FIG_PAGES_WRITTEN] == 2 * 1024);
    assert_true(r.fig[FIG_PSS_KIB] > 0);
    assert_string_not_equal(r.pus, "");
}

/* churn on every heap strategy: 2 threads, half the frees on the other thread */
static void test_churn_every_heap_cross_thread(void **state)
{
    (void)state;
    for (size_t i = 0; allocator_registry[i]; i++) {
        const struct allocator *a = allocator_registry[i];
        struct cell_spec s = small_spec(a, "churn");
        knob(&s, "workers", "2");
        knob(&s, "ops", "200000");
        knob(&s, "cross-free", "0.5");
        knob(&s, "sizes", "heavy");
        struct cell_result r;
        assert_int_equal(cell_run(&s, &tp, &r), 0);
        if (allocator_unavailable(a)) { /* a reference library not installed, or under a sanitizer */
            assert_int_equal(r.status, CELL_UNAVAILABLE);
            continue;
        }
        if (!allocator_has_heap(a)) {
            assert_int_equal(r.status, CELL_NOT_APPLICABLE);
            assert_non_null(strstr(r.message, "no heap"));
            continue;
        }
        if (r.status != CELL_OK)
            fail_msg("%s: %d %s", a->name, (int)r.status, r.message);
        /* every block allocated is freed, by one thread or the other */
        double ops = r.fig[FIG_OPS];
        assert_true(ops >= 2 * 200000 && fmod(ops, 2) == 0);
        assert_true(r.fig[FIG_OPS_PER_SEC] > 0);
        for (int kind = 0; kind < 2; kind++) { /* allocations, then frees: percentiles in order */
            const double *p = &r.fig[kind ? FIG_FREE_P50_NS : FIG_ALLOC_P50_NS];
            assert_true(p[0] <= p[1] && p[1] <= p[2] && p[2] <= p[3]);
        }
        assert_true(r.fig[FIG_LAT_RESOLUTION_NS] > 0);
        /* only locked_freelist counts its lock's waits; two threads on one lock do wait */
        if (!strcmp(a->name, "locked_freelist"))
            assert_true(r.fig[FIG_LOCK_CONTENDED_SHARE] > 0);
        else
            assert_true(is_na(r.fig[FIG_LOCK_CONTENDED_SHARE]));
    }
    /* blocks smaller than the tag: under AddressSanitizer, an 8-byte tag
     * written into a 3-byte block fails the cell */
    for (size_t i = 0; allocator_registry[i]; i++) {
        if (!allocator_has_heap(allocator_registry[i]) || allocator_unavailable(allocator_registry[i]))
            continue;
        struct cell_spec s = small_spec(allocator_registry[i], "churn");
        knob(&s, "ops", "20000");
        knob(&s, "sizes", "fixed:3");
        struct cell_result r;
        assert_int_equal(cell_run(&s, &tp, &r), 0);
        if (r.status != CELL_OK)
            fail_msg("%s, 3-byte blocks: %d %s", allocator_registry[i]->name, (int)r.status, r.message);
    }
    struct cell_spec bad = small_spec(&fixture_overlapping_heap, "churn");
    knob(&bad, "ops", "10000");
    struct cell_result r;
    assert_int_equal(cell_run(&bad, &tp, &r), 0);
    assert_int_equal(r.status, CELL_FAILED);
    assert_non_null(strstr(r.message, "overwritten"));
}

/* overcommit: 2 workers write a 32 MiB view in 4 steps; memory sampled 5 times */
static void overcommit_32m(const struct allocator *a, struct cell_result *r)
{
    struct cell_spec s = small_spec(a, "overcommit");
    knob(&s, "size", "32M");
    knob(&s, "workers", "2");
    knob(&s, "steps", "4");
    assert_int_equal(cell_run(&s, &tp, r), 0);
    assert_int_equal(r->status, CELL_OK);
    assert_int_equal(r->nsteps, 5);
}

/* overcommit with fork_cow: PSS climbs from about S to about (N + 1) x S */
static void test_overcommit_timeline_climbs(void **state)
{
    (void)state;
#if defined(__SANITIZE_THREAD__)
    skip(); /* TSan's shadow memory is in the PSS: it is not the data's */
#endif
    struct cell_result r;
    overcommit_32m(allocator_find("fork_cow"), &r);
    double size_kib = 32 * 1024;
    print_message("fork_cow overcommit PSS: %.0f -> %.0f KiB\n", r.timeline[0].pss_sum_kib,
                  r.timeline[4].pss_sum_kib);
    assert_true(r.timeline[0].pss_sum_kib > 0.9 * size_kib && r.timeline[0].pss_sum_kib < 1.5 * size_kib);
    assert_true(r.timeline[4].pss_sum_kib > 2.9 * size_kib && r.timeline[4].pss_sum_kib < 3.5 * size_kib);
    for (int i = 1; i < 5; i++)
        assert_true(r.timeline[i].pss_sum_kib > r.timeline[i - 1].pss_sum_kib);
    assert_true(r.timeline[4].commit_limit_kib > 0);
}

/* strict overcommit would charge what MAP_NORESERVE hides from Committed_AS:
 * every granule mprotect_cow makes writable */
static void test_strict_commit_counts_noreserve(void **state)
{
    (void)state;
    struct cell_result r;
    overcommit_32m(allocator_find("mprotect_cow"), &r);
    /* what the strict charge adds to Committed_AS (a sanitizer's own memory moves Committed_AS itself) */
    double hidden0 = r.timeline[0].strict_commit_kib - r.timeline[0].committed_as_kib;
    double hidden4 = r.timeline[4].strict_commit_kib - r.timeline[4].committed_as_kib;
    double written_kib = 2 * 32 * 1024, grew = hidden4 - hidden0;
    print_message("mprotect_cow: the MAP_NORESERVE charge grew %.0f KiB for %.0f KiB written\n", grew, written_kib);
    assert_true(grew >= 0.97 * written_kib && grew <= 1.03 * written_kib);
    for (int i = 0; i < 5; i++)
        assert_true(r.timeline[i].strict_commit_kib >= r.timeline[i].committed_as_kib);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_crash_is_a_row_and_the_next_cell_runs),
        cmocka_unit_test(test_hang_times_out_and_leaves_nothing),
        cmocka_unit_test(test_wrong_data_fails_the_cell),
        cmocka_unit_test(test_missing_library_is_unavailable),
        cmocka_unit_test(test_faults_match_pages_first_touched),
        cmocka_unit_test(test_pages_written_as_asked),
        cmocka_unit_test(test_heap_strategy_as_processes),
        cmocka_unit_test(test_churn_every_heap_cross_thread),
        cmocka_unit_test(test_overcommit_timeline_climbs),
        cmocka_unit_test(test_strict_commit_counts_noreserve),
    };
    return cmocka_run_group_tests_name("runner", tests, setup, teardown);
}
