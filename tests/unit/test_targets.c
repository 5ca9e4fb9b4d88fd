/*
 * test_targets.c - the performance targets on synthetic run folders
 * (tests/fixtures/claims_run.c): a goal is met only when its figure's whole
 * interval is on the met side, not met when wholly on the other, undecided
 * across it, and every figure is labelled for what it is.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "claims_run.h"
#include "runfolder.h"
#include "targets.h"

static char report[32768];

/* targets_write's table for the scenario, into report */
static void targets_of(const struct scenario *sc)
{
    static struct run_folder run;
    assert_int_equal(run_load(synthetic_write(sc), &run), 0);
    FILE *f = fmemopen(report, sizeof report, "w");
    assert_non_null(f);
    targets_write(f, &run);
    fclose(f);
    run_free(&run);
    synthetic_remove();
}

/* the verdict column of the table row that starts with `target` */
static const char *verdict_of(const char *target, char *buf, size_t len)
{
    char start[256];
    snprintf(start, sizeof start, "| %s", target);
    const char *row = strstr(report, start);
    assert_non_null(row);
    size_t n = strcspn(row, "\n");
    const char *last = row + n - 2; /* before the closing " |" */
    const char *bar = last;
    while (bar > row && *bar != '|')
        bar--;
    snprintf(buf, len, "%.*s", (int)(last - bar - 2), bar + 2);
    return buf;
}

#define CHURN "block_suballoc's churn ops/s over system_malloc's, 1 thread"

static void test_met_only_when_the_whole_interval_is(void **state)
{
    (void)state;
    char v[128];
    struct scenario sc = scenario_empty;
    sc.t_churn = 3.0, sc.t_scaling = 1.9, sc.t_lf_loss = 0.25, sc.t_off_cpu = 0.04;
    targets_of(&sc);
    assert_string_equal(verdict_of(CHURN, v, sizeof v), "met");
    assert_non_null(strstr(report, "| 3.00x [")); /* the figure with its interval */
    assert_string_equal(verdict_of("block_suballoc's churn ops/s at 2 threads", v, sizeof v), "met");
    assert_string_equal(verdict_of("locked_freelist's churn ops/s at 2 threads", v, sizeof v), "met");
    sc.t_churn = 2.0, sc.t_scaling = 1.5, sc.t_lf_loss = 1.5; /* wholly on the other side */
    targets_of(&sc);
    assert_string_equal(verdict_of(CHURN, v, sizeof v), "not met");
    assert_string_equal(verdict_of("block_suballoc's churn ops/s at 2 threads", v, sizeof v), "not met");
    assert_string_equal(verdict_of("locked_freelist's churn ops/s at 2 threads", v, sizeof v), "not met");
    sc.t_churn = 2.55; /* by the medians 2.55x >= 2.5x, but the interval reaches under it */
    synthetic.spread = 0.05;
    targets_of(&sc);
    assert_string_equal(verdict_of(CHURN, v, sizeof v), "undecided (the interval straddles the goal)");
    synthetic.reps = 1; /* no interval: never met */
    targets_of(&sc);
    assert_string_equal(verdict_of(CHURN, v, sizeof v), "undecided (too few repetitions for an interval)");
    assert_non_null(strstr(report, "2.55x (too few repetitions for an interval)"));
    synthetic.reps = 5, synthetic.spread = 0.01;
}

/* off-CPU time is any time off a CPU, and says so; what was not measured is NA */
static void test_labels_and_na(void **state)
{
    (void)state;
    char v[128];
    struct scenario sc = scenario_empty;
    sc.t_churn = 3.0, sc.t_scaling = 1.9, sc.t_lf_loss = 0.25, sc.t_off_cpu = 0.04;
    targets_of(&sc);
    const char *off = "locked_freelist's threads off a CPU at 2 threads, any off-CPU time";
    assert_string_equal(verdict_of(off, v, sizeof v), "met");
    assert_non_null(strstr(report, "not the lock's share"));
    assert_null(strstr(report, ", blocked on the lock (visible)"));
    assert_non_null(strstr(report, "| 4.00% ["));
    /* no calibration, no reference allocator: their targets NA, never 0 */
    assert_string_equal(verdict_of("mprotect_cow's cost per written page", v, sizeof v), "NA (not measured)");
    assert_string_equal(verdict_of("block_suballoc's churn ops/s over the best reference", v, sizeof v),
                        "NA (not measured)");
}

/* the rows straddle.c repeats: a harness cost across its goal names both cells, met or missed none */
static int undecided_rows_of(const struct scenario *sc, long rows[], int max)
{
    static struct run_folder run;
    assert_int_equal(run_load(synthetic_write(sc), &run), 0);
    int n = targets_undecided_rows(&run, rows, max);
    run_free(&run);
    synthetic_remove();
    return n;
}

static void test_straddling_targets_ask_for_more_repetitions(void **state)
{
    (void)state;
    long rows[8];
    struct scenario sc = scenario_empty;
    sc.t_churn = 3.0, sc.t_scaling = 1.9, sc.t_lf_loss = 0.25, sc.t_off_cpu = 0.04;
    sc.t_harness = 1.02; /* met: nothing to repeat */
    assert_int_equal(undecided_rows_of(&sc, rows, 8), 0);
    sc.t_harness = 1.5; /* missed: more repetitions would not change it */
    assert_int_equal(undecided_rows_of(&sc, rows, 8), 0);
    sc.t_harness = 1.06; /* over the goal by the medians, the interval across it */
    synthetic.spread = 0.05;
    assert_int_equal(undecided_rows_of(&sc, rows, 8), 2);
    assert_true(rows[0] != rows[1]); /* the plain loop's cell and system_malloc's */
    synthetic.reps = 1; /* no interval at all: undecided too */
    assert_int_equal(undecided_rows_of(&sc, rows, 8), 2);
    synthetic.reps = 5, synthetic.spread = 0.01;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_met_only_when_the_whole_interval_is),
        cmocka_unit_test(test_labels_and_na),
        cmocka_unit_test(test_straddling_targets_ask_for_more_repetitions),
    };
    return cmocka_run_group_tests_name("targets", tests, NULL, NULL);
}
