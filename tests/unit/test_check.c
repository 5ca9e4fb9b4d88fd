/*
 * test_check.c - the malloc-lab driver catches broken heaps, names the
 * operation, and passes every built-in heap on every trace.
 */
#include <dirent.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "broken_strategies.h"
#include "support/os.h"
#include "grader/check.h"
#include "replay/replay.h"

static struct trace load(const char *path)
{
    struct trace t;
    char err[512];
    if (trace_load(path, &t, err, sizeof err) != 0)
        fail_msg("%s", err);
    return t;
}

/* The broken heap fails on the trace, and the message names the trace, the
 * operation and what went wrong. */
static void expect_caught(const struct allocator *broken, const char *trace, const char *what)
{
    char path[256];
    snprintf(path, sizeof path, "workloads/traces/%s", trace);
    struct trace t = load(path);
    struct replay_result r;
    replay_checked(broken, NULL, &t, &r);
    assert_int_equal(r.correct, 0);
    print_message("%s\n", r.violation);
    char where[300];
    snprintf(where, sizeof where, "trace %s, op ", trace);
    assert_non_null(strstr(r.violation, where));
    assert_non_null(strstr(r.violation, what));
    trace_free(&t);
}

/* A crash or a hang in the strategy fails its trace, in a child process:
 * the grader goes on, and names the operation. */
static void test_crash_and_hang_fail_the_trace_not_the_grader(void **state)
{
    (void)state;
    struct trace t = load("workloads/traces/lifo.rep");
    struct check_outcome o;
    assert_int_equal(check_trace(&fixture_crash_on_alloc, NULL, &t, 1, 60, &o), 0);
    print_message("%s\n", o.res.violation);
    assert_int_equal(o.res.correct, 0);
    assert_non_null(strstr(o.res.violation, "trace lifo.rep: the strategy crashed (SIGSEGV) at op "));
    uint64_t t0 = os_now_ns();
    assert_int_equal(check_trace(&fixture_hang_on_free, NULL, &t, 1, 2, &o), 0);
    print_message("%s\n", o.res.violation);
    assert_int_equal(o.res.correct, 0);
    assert_non_null(strstr(o.res.violation, "no answer within 2 s: stuck at op "));
    assert_non_null(strstr(o.res.violation, "(f id "));
    assert_true(os_now_ns() - t0 < 10ull * 1000000000ull);
    /* and a correct strategy still passes, timed */
    assert_int_equal(check_trace(allocator_find("block_suballoc"), NULL, &t, 1, 60, &o), 0);
    assert_int_equal(o.res.correct, 1);
    assert_true(o.mine > 0 && o.theirs > 0);
    trace_free(&t);
}

static void test_overlapping_blocks_are_caught(void **state)
{
    (void)state;
    expect_caught(&fixture_overlapping_heap, "random_mix.rep", "overlaps live block id");
}

/* the culprit is named: the free that wrote past its block, not the
 * neighbour's own free much later */
static void test_scribbled_neighbour_is_caught(void **state)
{
    (void)state;
    expect_caught(&fixture_corrupts_neighbour, "lifo.rep", "(f id ");
    expect_caught(&fixture_corrupts_neighbour, "lifo.rep", "this free wrote outside its block");
}

/* --debug calls the strategy's own heap checker after every operation, and
 * names the operation after which it failed; without --debug it is not called */
static void test_debug_calls_the_heap_checker(void **state)
{
    (void)state;
    struct trace t = load("workloads/traces/lifo.rep");
    struct replay_result r;
    replay_checked(&fixture_fails_its_own_check, NULL, &t, &r);
    assert_int_equal(r.correct, 1);
    replay_debug(true);
    replay_checked(&fixture_fails_its_own_check, NULL, &t, &r);
    replay_debug(false);
    print_message("%s\n", r.violation);
    assert_int_equal(r.correct, 0);
    assert_non_null(strstr(r.violation, "the strategy's own heap check failed right after it: 100 blocks"));
    trace_free(&t);
}

static void test_every_heap_passes_every_trace(void **state)
{
    (void)state;
    DIR *dir = opendir("workloads/traces");
    assert_non_null(dir);
    struct dirent *e;
    int traces = 0;
    while ((e = readdir(dir))) {
        size_t len = strlen(e->d_name);
        if (len < 5 || strcmp(e->d_name + len - 4, ".rep"))
            continue;
        char path[512];
        snprintf(path, sizeof path, "workloads/traces/%s", e->d_name);
        struct trace t = load(path);
        traces++;
        for (size_t i = 0; allocator_registry[i]; i++) {
            const struct allocator *a = allocator_registry[i];
            if (!allocator_has_heap(a) || allocator_unavailable(a))
                continue;
            struct replay_result r;
            replay_checked(a, NULL, &t, &r);
            if (!r.correct)
                fail_msg("%s on %s: %s", a->name, e->d_name, r.violation);
        }
        trace_free(&t);
    }
    closedir(dir);
    assert_true(traces >= 13); /* 10+ generated, 3+ recorded */
}

static void test_malformed_traces_are_refused(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "not a number\n1\n1\n1\na 0 8\n",     /* header */
        "100\n1\n2\n1\na 0 8\nf 1\n",        /* id beyond the count */
        "100\n1\n2\n1\na 0 8\na 0 8\n",      /* allocates a live id */
        "100\n1\n1\n1\nf 0\n",               /* frees an id never allocated */
        "100\n1\n3\n1\na 0 8\nf 0\n",        /* fewer operations than the header */
        "100\n1\n1\n1\nx 0 8\n",             /* unknown operation */
        "100\n1\n1\n1\na 0 8 junk\n",        /* something after the operation */
        "100\n1\n2\n1\na 0 8\nf 0 8\n",      /* a free takes no size */
        "100\n0\n0\n1\n",                   /* no operations */
        "100\n99999999\n99999999\n1\na 0 8\n", /* more than the file can hold: refused before any memory */
        "100\n5\n2\n1\na 0 8\nf 0\n",        /* more ids than operations */
        "100\n1\n2\n1\na 0 107374182400\nf 0\n", /* 100 GB live: no strategy could serve it here */
    };
    static char long_line[600] = "100\n1\n1\n1\na 0 8";
    memset(long_line + strlen(long_line), ' ', 300); /* a line over 255 characters */
    strcat(long_line, "\n");
    for (size_t i = 0; i <= sizeof bad / sizeof *bad; i++) {
        const char *text = i < sizeof bad / sizeof *bad ? bad[i] : long_line;
        char path[] = "/tmp/alloclab-bad-trace-XXXXXX";
        int fd = mkstemp(path);
        assert_true(fd >= 0);
        FILE *f = fdopen(fd, "w");
        fputs(text, f);
        fclose(f);
        struct trace t;
        char err[512] = "";
        if (trace_load(path, &t, err, sizeof err) != -1)
            fail_msg("accepted: %s", text);
        assert_non_null(strstr(err, path)); /* the message names the file */
        unlink(path);
    }
}

/* The contract's edge cases: a heap that answers 0 bytes with a block fails,
 * in the contract's own line, with the operation named; every built-in heap
 * passes it. */
static void test_the_contract_is_checked(void **state)
{
    (void)state;
    struct trace t;
    check_contract_trace(&t);
    struct check_outcome o;
    assert_int_equal(check_trace(&fixture_ignores_the_contract, NULL, &t, 1, 60, &o), 0);
    print_message("%s\n", o.res.violation);
    assert_int_equal(o.res.correct, 0);
    assert_non_null(strstr(o.res.violation, "trace contract, op 1 (a id 1 size 0): returned a block"));
    for (size_t i = 0; allocator_registry[i]; i++) {
        struct replay_result r;
        if (!allocator_has_heap(allocator_registry[i]) || allocator_unavailable(allocator_registry[i]))
            continue;
        replay_checked(allocator_registry[i], NULL, &t, &r);
        if (!r.correct)
            fail_msg("%s: %s", allocator_registry[i]->name, r.violation);
    }
}

/* --threads: a heap correct on one thread but without its lock is caught
 * when threads share it; every built-in heap passes with half the frees on
 * another thread. */
static void test_threads_catch_a_missing_lock(void **state)
{
    (void)state;
    struct trace t = load("workloads/traces/lifo.rep");
    struct replay_result r;
    replay_checked(&fixture_without_its_lock, NULL, &t, &r);
    assert_int_equal(r.correct, 1); /* alone, nothing is wrong */
    struct check_outcome o;
    assert_int_equal(check_trace(&fixture_without_its_lock, NULL, &t, 2, 60, &o), 0);
    print_message("%s\n", o.res.violation);
    assert_int_equal(o.res.correct, 0);
    assert_non_null(strstr(o.res.violation, "thread "));
    for (size_t i = 0; allocator_registry[i]; i++) {
        if (!allocator_has_heap(allocator_registry[i]) || allocator_unavailable(allocator_registry[i]))
            continue;
        replay_checked_threads(allocator_registry[i], NULL, &t, 4, &r);
        if (!r.correct)
            fail_msg("%s, 4 threads: %s", allocator_registry[i]->name, r.violation);
    }
    trace_free(&t);
}

/* The score is continuous: 100 x (0.6 U + 0.4 min(1, T)) */
static void test_score(void **state)
{
    (void)state;
    assert_int_equal(check_score(1, 2), 100);
    assert_int_equal(check_score(0.5, 0.5), 50);
    assert_int_equal(check_score(0.9, 0.25), 64);
    assert_int_equal(check_score(NAN, 1), 0);
    for (double u = 0; u < 1; u += 0.01) /* no band edges: a point of U moves the score by under a point */
        assert_true(check_score(u + 0.01, 0.8) - check_score(u, 0.8) <= 1);
}

/* The driver counts what a strategy maps: a block from memory it did not map
 * (the C library's heap, the driver's own) is a violation even though the
 * process may write there; a strategy's own report of what it reserved is
 * not taken. */
static void test_the_driver_owns_the_accounting(void **state)
{
    (void)state;
    expect_caught(&fixture_foreign_memory, "lifo.rep", "is not memory the strategy mapped");
    struct trace t = load("workloads/traces/lifo.rep");
    struct replay_result r;
    replay_checked(&fixture_lies_about_reserved, NULL, &t, &r);
    assert_int_equal(r.correct, 1);
    assert_true(r.peak_reserved == (double)r.peak_live); /* what it claims: 100% utilisation */
    assert_true(r.peak_mapped >= 64.0 * 1024 * 1024);    /* what it holds: its 64 MiB */
    /* a real heap: the two counts agree within a page or so */
    replay_checked(allocator_find("locked_freelist"), NULL, &t, &r);
    assert_int_equal(r.correct, 1);
    assert_true(r.peak_mapped > 0 && fabs(r.peak_mapped - r.peak_reserved) <= 4096);
    trace_free(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_crash_and_hang_fail_the_trace_not_the_grader),
        cmocka_unit_test(test_overlapping_blocks_are_caught),
        cmocka_unit_test(test_scribbled_neighbour_is_caught),
        cmocka_unit_test(test_debug_calls_the_heap_checker),
        cmocka_unit_test(test_every_heap_passes_every_trace),
        cmocka_unit_test(test_malformed_traces_are_refused),
        cmocka_unit_test(test_score),
        cmocka_unit_test(test_the_contract_is_checked),
        cmocka_unit_test(test_threads_catch_a_missing_lock),
        cmocka_unit_test(test_the_driver_owns_the_accounting),
    };
    return cmocka_run_group_tests_name("check", tests, NULL, NULL);
}
