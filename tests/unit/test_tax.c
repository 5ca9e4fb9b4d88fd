/*
 * test_tax.c - what liballoclab.so costs a program (runner/analysis/tax.c)
 * and the performance targets decided on it (targets.c), on small synthetic
 * run folders: each verdict (met, not met, undecided on a wide interval,
 * on too few repetitions, NA) is reached by numbers chosen for it; a run
 * from before via=packaged had that name (via=none) is still read.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "runfolder.h"
#include "targets.h"
#include "tax.h"

#define KEYS "group,strategy,workload,program,via,workers,"

struct cell {
    const char *strategy, *program, *via;
    int workers;
    double wall_ms;
};

/* a run folder of these cells, each with `reps` repetitions spread by
 * +-spread around its median, the summary flagging them noisy if asked */
static void write_run(const char *dir, const struct cell *cells, int n, int reps, double spread, int noisy)
{
    char path[512];
    mkdir(dir, 0700);
    snprintf(path, sizeof path, "%s/summary.csv", dir);
    FILE *s = fopen(path, "w");
    snprintf(path, sizeof path, "%s/raw.csv", dir);
    FILE *r = fopen(path, "w");
    assert_true(s && r);
    fputs(KEYS "status,noisy,wall_ns_median,wall_ns_min,wall_ns_max\n", s);
    fputs(KEYS "rep,status,wall_ns\n", r);
    for (int i = 0; i < n; i++) {
        const struct cell *c = &cells[i];
        double wall = c->wall_ms * 1e6;
        fprintf(s, "programs,%s,programs,%s,%s,%d,ok,%d,%.0f,%.0f,%.0f\n", c->strategy, c->program, c->via,
                c->workers, noisy, wall, wall * (1 - spread), wall * (1 + spread));
        for (int k = 0; k < reps; k++) {
            /* as packaged in the opposite order: paired repetitions (same k) disagree by the spread */
            int order = strcmp(c->via, "packaged") ? k : reps - 1 - k;
            double m = reps > 1 ? 1 - spread + 2 * spread * order / (reps - 1) : 1;
            fprintf(r, "programs,%s,programs,%s,%s,%d,%d,ok,%.0f\n", c->strategy, c->program, c->via, c->workers,
                    k + 1, wall * m);
        }
    }
    fclose(s);
    fclose(r);
}

/* targets.md as the report writes it, for the run in dir */
static char *targets_text(const char *dir)
{
    static char text[16384];
    struct run_folder run;
    assert_int_equal(run_load(dir, &run), 0);
    FILE *f = fmemopen(text, sizeof text - 1, "w");
    targets_write(f, &run);
    tax_write(f, &run);
    fclose(f);
    run_free(&run);
    return text;
}

/* the verdict cell of the target line that starts with what */
static const char *verdict(const char *text, const char *what)
{
    static char line[1024];
    const char *at = strstr(text, what);
    assert_non_null(at);
    size_t len = strcspn(at, "\n");
    snprintf(line, sizeof line, "%.*s", (int)len, at);
    char *last = strrchr(line, '|');
    *last = '\0';
    while (last > line && last[-1] == ' ')
        *--last = '\0';
    return strrchr(line, '|') + 2;
}

static char dir[64];
static const char *const T1 = "system_malloc through liballoclab.so over as packaged";
static const char *const TALL = "the same, a thread on every processing unit";

static void server_run(double preload_ms, double preload_all_ms, int reps, double spread, int noisy)
{
    const struct cell cells[] = {
        {"system_malloc", "server", "preload", 1, preload_ms}, {"system_malloc", "server", "packaged", 1, 100},
        {"system_malloc", "server", "preload", 2, preload_all_ms}, {"system_malloc", "server", "packaged", 2, 100},
        {"jemalloc", "sqlite", "preload", 1, 90}, {"jemalloc", "sqlite", "packaged", 1, 100},
        {"block_suballoc", "sqlite", "preload", 1, 95}, /* no packaged form: no ratio */
    };
    write_run(dir, cells, (int)(sizeof cells / sizeof *cells), reps, spread, noisy);
}

static void test_met_and_not_met(void **state)
{
    (void)state;
    server_run(103, 108, 5, 0.005, 0);
    char *text = targets_text(dir);
    assert_string_equal(verdict(text, T1), "met");
    assert_string_equal(verdict(text, TALL), "not met");
    assert_non_null(strstr(text, "(2 threads)"));
    assert_non_null(strstr(text, "| 1.030x [")); /* the ratio, with its interval */
    /* the table: every program run both ways, and nothing for a heap run one way only */
    assert_non_null(strstr(text, "| sqlite | 1 | jemalloc | 90.0 | 100.0 | 0.900x ["));
    assert_null(strstr(text, "| block_suballoc |"));
}

static void test_inconclusive(void **state)
{
    (void)state;
    server_run(104, 107, 5, 0.08, 1); /* a spread of 8%: each bootstrap interval reaches both sides of 1.05x */
    char *text = targets_text(dir);
    assert_non_null(strstr(verdict(text, T1), "undecided (the interval straddles"));
    /* a median past the goal does not decide either, while the interval reaches under it */
    assert_non_null(strstr(verdict(text, TALL), "undecided (the interval straddles"));
    server_run(104, 104, 2, 0.005, 0); /* two repetitions: no interval */
    text = targets_text(dir);
    assert_string_equal(verdict(text, T1), "undecided (too few repetitions for an interval)");
}

static void test_not_measured_and_old_runs(void **state)
{
    (void)state;
    const struct cell none[] = {{"jemalloc", "sqlite", "preload", 1, 90}};
    write_run(dir, none, 1, 5, 0.01, 0);
    char *text = targets_text(dir);
    assert_string_equal(verdict(text, T1), "NA (not measured)");
    assert_string_equal(verdict(text, TALL), "NA (not measured)");
    /* a run from before via=packaged: the packaged row was via=none */
    const struct cell old[] = {{"system_malloc", "sqlite", "preload", 1, 105}, {"system_malloc", "sqlite", "none", 1, 100}};
    write_run(dir, old, 2, 5, 0.005, 0);
    struct run_folder run;
    assert_int_equal(run_load(dir, &run), 0);
    struct interval x = tax_ratio(&run, "system_malloc", "sqlite", 1);
    assert_true(fabs(x.value - 1.05) < 1e-6 && x.lo <= x.value && x.hi >= x.value);
    run_free(&run);
}

static int set_up(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/alloclab-test-tax-%d", (int)getpid());
    return 0;
}

static int tear_down(void **state)
{
    (void)state;
    char path[128];
    snprintf(path, sizeof path, "%s/summary.csv", dir);
    unlink(path);
    snprintf(path, sizeof path, "%s/raw.csv", dir);
    unlink(path);
    rmdir(dir);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_met_and_not_met),
        cmocka_unit_test(test_inconclusive),
        cmocka_unit_test(test_not_measured_and_old_runs),
    };
    return cmocka_run_group_tests(tests, set_up, tear_down);
}
