/*
 * test_claims.c - the verdict logic of every claim, on small synthetic run
 * folders (tests/fixtures/claims_run.c): each judge is driven to each of its
 * verdicts (holds, does not hold, holds only when, inconclusive, NA; a
 * finding for C3 and C5) by numbers chosen for it, the intervals are
 * percentile bootstraps, and claims.md covers every claim.
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

#include "claims.h"
#include "claims_run.h"
#include "interval.h"
#include "resolution.h"
#include "workload.h"

/* Does the claim read summary.csv (a group), not only files of its own? */
static bool reads_summary(const struct claim *c)
{
    bool any = false;
    for (int k = 0; k < CLAIM_MAX_READS && c->reads[k]; k++)
        any |= !strstr(c->reads[k], ".csv");
    return any;
}

static void test_everything_missing_is_na(void **state)
{
    (void)state;
    claims_expect(&scenario_empty, "");
}

static void test_holds_branches(void **state)
{
    (void)state;
    struct scenario sc = scenario_empty;
    sc.rh_eager_few = 100, sc.rh_cow_few = 5, sc.rh_eager_many = 300, sc.rh_cow_many = 20; /* 20x, 15x */
    sc.c2_deep = 1.8, sc.c2_sim = 1.8, sc.c2_cow = 0.2; /* 9x and 4.5x: fork_cow's surely at least 4.5x */
    sc.lock_share = 0.45;
    sc.sweep_eager = 10, sc.sweep_cow_at_half = 12, sc.sweep_cow_at_one = 20; /* loses from 0.5 */
    sc.oc_start_kib = 102400, sc.oc_end_kib = 307200;
    sc.fork_ms_per_gib = 0.05; /* 0.005% of an eager copy's */
    sc.p999_block = 50, sc.p999_other = 200, sc.frag_block = 1.1, sc.frag_other = 1.5;
    sc.thp_never = 1e6, sc.thp_always = 5e6;
    sc.c9_one = 3, sc.c9_two = 2.5;
    claims_expect(&sc, "C1=H C2=H C3=F C4=H C5=F C6=H C7=H C8=H C9=H");
}

static void test_does_not_hold_branches(void **state)
{
    (void)state;
    struct scenario sc = scenario_empty;
    sc.rh_eager_few = 100, sc.rh_cow_few = 60, sc.rh_eager_many = 300, sc.rh_cow_many = 250;
    sc.c2_deep = 1.8, sc.c2_sim = 0.4, sc.c2_cow = 0.9; /* the script's 4.5x, real copy-on-write's 2x and 1x */
    sc.lock_share = 0.01;
    sc.sweep_eager = 10, sc.sweep_cow_at_half = 2, sc.sweep_cow_at_one = 5; /* never loses */
    sc.oc_start_kib = 102400, sc.oc_end_kib = 120000;
    sc.fork_ms_per_gib = 80; /* 8% of an eager copy's */
    sc.p999_block = 500, sc.p999_other = 200, sc.frag_block = 10, sc.frag_other = 2;
    sc.thp_never = 1e6, sc.thp_always = 1.1e6;
    sc.c9_one = 0.9, sc.c9_two = 0.3;
    claims_expect(&sc, "C1=X C2=X C3=F C4=X C5=F C6=X C7=X C8=X C9=X");
}

static void test_holds_only_when_branches(void **state)
{
    (void)state;
    struct scenario sc = scenario_empty;
    sc.rh_eager_few = 100, sc.rh_cow_few = 5, sc.rh_eager_many = 300, sc.rh_cow_many = 200; /* few lookups only */
    sc.lock_share = 0.12;                                                               /* a finding */
    sc.p999_block = 100, sc.p999_other = 100, sc.frag_block = 9, sc.frag_other = 2;      /* latency only */
    sc.c9_one = 3, sc.c9_two = 0.3; /* far cheaper with one thread only */
    claims_expect(&sc, "C1=W C3=F C7=W C9=W");
    sc.p999_block = 900, sc.frag_block = 1.0; /* space only */
    claims_expect(&sc, "C1=W C3=F C7=W C9=W");
}

/* every ratio on its threshold, repetitions spread 20%: every interval crosses it */
static void test_inconclusive_branches(void **state)
{
    (void)state;
    struct scenario sc = scenario_empty;
    sc.rh_eager_few = 100, sc.rh_cow_few = 10, sc.rh_eager_many = 300, sc.rh_cow_many = 30; /* 10x */
    sc.lock_share = 0.30;
    sc.fork_ms_per_gib = 10; /* 1% of an eager copy's */
    sc.p999_block = 110, sc.p999_other = 100, sc.frag_block = 1.1, sc.frag_other = 1.0;
    sc.thp_never = 1e6, sc.thp_always = 2e6;
    sc.sweep_eager = 10, sc.sweep_cow_at_half = 5, sc.sweep_cow_at_one = 10; /* level at fraction 1 */
    sc.c2_deep = 0.45, sc.c2_sim = 0.45, sc.c2_cow = 0.1; /* fork_cow's 4.5x, mprotect_cow's 2.25x */
    synthetic.spread = 0.2;
    sc.c9_one = 2, sc.c9_two = 2;
    claims_expect(&sc, "C1=I C2=I C3=F C4=I C6=I C7=I C8=I C9=I");
    /* each inconclusive claim that reads summary.csv names the cells that more repetitions might decide (the
     * bench adds them: straddle.c) */
    int checked = 0;
    for (size_t i = 0; claim_registry[i]; i++) {
        const struct judgement *j = claims_judged(claim_registry[i]->name);
        if (j->verdict == VERDICT_INCONCLUSIVE && reads_summary(claim_registry[i])) {
            if (j->nundecided < 2)
                fail_msg("%s is inconclusive and names %d cells for more repetitions", j->claim->name,
                         j->nundecided);
            checked++;
        }
    }
    assert_true(checked >= 6);
    synthetic.spread = 0.01;
    struct scenario old = scenario_empty;
    old.c2_deep = 1.8, old.c2_sim = 1.8, old.c2_cow = 0.1, old.c2_old = 1; /* 18x by the medians, no repetitions */
    claims_expect(&old, "C2=I");
    assert_non_null(strstr(claims_judged("C2")->detail, "no repetitions: no interval"));
    old.c2_old = 0;
    claims_expect(&old, "C2=H");
}

/* a verdict every interval decides names no cell for more repetitions */
static void test_decided_verdicts_want_no_more_repetitions(void **state)
{
    (void)state;
    struct scenario sc = scenario_empty;
    sc.rh_eager_few = 100, sc.rh_cow_few = 5, sc.rh_eager_many = 300, sc.rh_cow_many = 20;
    sc.c9_one = 3, sc.c9_two = 2.5;
    claims_expect(&sc, "C1=H C9=H");
    for (size_t i = 0; claim_registry[i]; i++)
        assert_int_equal(claims_judged(claim_registry[i]->name)->nundecided, 0);
}

/* A noisy cell is judged by the same percentile bootstrap as any other:
 * the flag changes nothing, the spread of its repetitions does; too few
 * repetitions never decide. */
static void test_noisy_cells_and_few_repetitions(void **state)
{
    (void)state;
    struct scenario sc = scenario_empty;
    sc.rh_eager_few = 100, sc.rh_cow_few = 8, sc.rh_eager_many = 100, sc.rh_cow_many = 8; /* 12.5x */
    synthetic.spread = 0.06; /* the medians' interval stays above 10x (the extremes would not: 88 / 8.96 = 9.8x) */
    claims_expect(&sc, "C1=H");
    synthetic.noisy = 1; /* flagged noisy: the same interval, the same verdict */
    claims_expect(&sc, "C1=H");
    synthetic.noisy = 0;
    synthetic.spread = 0.12; /* spread wider: the resampled medians reach under 10x */
    claims_expect(&sc, "C1=I");
    synthetic.spread = 0.06;
    sc.rh_cow_few = sc.rh_cow_many = 2; /* 50x */
    synthetic.reps = 1;
    claims_expect(&sc, "C1=I");
    synthetic.reps = 5;
    synthetic.spread = 0.01;
}

/* The interval of a ratio is a percentile bootstrap, never the ratio of the
 * two cells' separate extremes: both extremes at once are drawn too rarely
 * to reach the 2.5th or 97.5th percentile, unless a cell repeats its
 * extreme (two 211s over two 30s: 7.03x is a resample one time in ten). */
static void test_interval_is_not_the_extremes(void **state)
{
    (void)state;
    const double e[] = {10, 20, 30, 40, 50};
    struct interval z = interval_ratio(e, 5, e, 5);
    assert_true(z.lo > 10.0 / 50 && z.hi < 50.0 / 10); /* strictly inside [0.2, 5] */
    const double a[] = {211, 211, 70, 30, 10}, b[] = {70, 240, 30, 30, 191}; /* issue 28's C7 repetitions */
    struct interval x = interval_ratio(a, 5, b, 5);
    assert_true(x.lo > 10.0 / 240 && x.hi <= 211.0 / 30 + 1e-9); /* not the 0.04x the extremes gave */
    assert_true(x.lo <= x.value && x.value <= x.hi);
    assert_true(fabs(x.value - 1.0) < 1e-9); /* 70 over 70 */
    struct interval again = interval_ratio(a, 5, b, 5); /* seeded: the same run folder, the same interval */
    assert_true(again.lo == x.lo && again.hi == x.hi);
    const double c[] = {100, 101, 102, 103, 104}, d[] = {50, 50, 50, 50, 50};
    struct interval y = interval_ratio(c, 5, d, 5); /* no spread in d: the interval is c's over 50 */
    assert_true(y.lo >= 2.0 && y.hi <= 2.08 && y.hi > y.lo);
}

/* C7: the one rule (resolution.h): a p99.9 under two steps of the timer is
 * compared with nothing, however far the ratio, whether one latency is
 * under two steps or both; two steps (20 ns of a 10.019 ns step, as the
 * samples round) are compared. What is set aside leaves the verdict to the
 * rest: here, fragmentation. */
static void test_c7_latency_under_two_steps(void **state)
{
    (void)state;
    struct scenario sc = scenario_empty;
    synthetic.step_ns = 10.019;
    sc.p999_block = 10, sc.p999_other = 10, sc.frag_block = 1.0, sc.frag_other = 1.0; /* one step each */
    claims_expect(&sc, "C7=H");
    assert_non_null(strstr(claims_judged("C7")->detail, "not resolvable on this machine"));
    assert_non_null(strstr(claims_judged("C7")->detail, "the verdict rests on fragmentation"));
    sc.frag_block = 3; /* and fragmentation alone can fail it */
    claims_expect(&sc, "C7=X");
    sc.frag_block = 1.0;
    sc.p999_block = 10, sc.p999_other = 200; /* 20x apart, but one under two steps */
    claims_expect(&sc, "C7=H");
    assert_non_null(strstr(claims_judged("C7")->detail, NOT_RESOLVABLE));
    sc.p999_block = 20, sc.p999_other = 20; /* two steps each: compared, and level */
    claims_expect(&sc, "C7=H");
    assert_null(strstr(claims_judged("C7")->detail, NOT_RESOLVABLE));
    sc.p999_block = 40, sc.p999_other = 20; /* two steps each, and twice as slow: latency fails */
    claims_expect(&sc, "C7=W");
    assert_non_null(strstr(claims_judged("C7")->detail, "space is what counts"));
    synthetic.step_ns = 1;
}

/* C7 at every window, each named: a small window's fragmentation beyond the
 * margin fails space though the largest is within; the latency at a window
 * is the churn group's cell (more operations) where it has that window. */
static void test_c7_every_window(void **state)
{
    (void)state;
    struct scenario sc = scenario_empty;
    sc.p999_block = 100, sc.p999_other = 100, sc.frag_block = 1.0, sc.frag_other = 1.0;
    claims_expect(&sc, "C7=H");
    sc.frag_block_small = 50; /* a first slab's fragmentation, at 1024 live blocks */
    claims_expect(&sc, "C7=W");
    assert_non_null(strstr(claims_judged("C7")->detail, "latency is what counts"));
    assert_non_null(strstr(claims_judged("C7")->detail, "at 1024 live blocks"));
    assert_non_null(strstr(claims_judged("C7")->detail, "fragmentation 50.00 against system_malloc's 1.00"));
    assert_non_null(strstr(claims_judged("C7")->detail, "at 131072 live blocks"));
    sc.frag_block_small = NAN;
    sc.p999_sweep_block = 900; /* the sweep's latency: read at 131072, not at 1024 (the churn group's there) */
    claims_expect(&sc, "C7=W");
    assert_non_null(strstr(claims_judged("C7")->detail, "at 1024 live blocks (10.0 MiB live); allocation p99.9 100 against"));
    assert_non_null(strstr(claims_judged("C7")->detail, "at 131072 live blocks (10.0 MiB live); allocation p99.9 900 against"));
    assert_non_null(strstr(claims_judged("C7")->detail, "space is what counts"));
    /* a heap on a library measures its fragmentation once, in the memory pass:
     * that value is exact, the interval block_suballoc's (not "too few") */
    sc.p999_sweep_block = NAN, sc.frag_block = 1.1, sc.frag_other = 1.5, sc.frag_once = 1;
    claims_expect(&sc, "C7=H");
    assert_non_null(strstr(claims_judged("C7")->detail, "fragmentation 1.10 against system_malloc's 1.50, 0.73x [95% interval"));
    sc.frag_block = 1.8; /* 1.2x: beyond the margin, surely */
    claims_expect(&sc, "C7=W");
}

/* the rule itself, on the numbers a 10.019 ns step gives (samples are rounded to the ns) */
static void test_resolution_rule(void **state)
{
    (void)state;
    assert_false(latency_resolvable(0, 10.019));
    assert_false(latency_resolvable(10, 10.019));
    assert_false(latency_resolvable(15, 10.019)); /* a median between one step and two */
    assert_true(latency_resolvable(20, 10.019));
    assert_true(latency_resolvable(19.6, 10.0)); /* two steps of 24.45 ticks read as 48 */
    assert_false(latency_resolvable(19.4, 10.0)); /* more than the half ns of rounding short */
    assert_false(latency_resolvable(NAN, 10.019));
    assert_false(latency_resolvable(100, NAN)); /* no step: nothing to read it against */
    assert_true(latency_under_step(0, 10.019));
    assert_false(latency_under_step(10, 10.019)); /* one step is not under one */
    assert_true(latency_under_step(0, 0.33)); /* a step finer than the ns: samples are whole ns */
    assert_false(latency_under_step(1, 0.33));
    assert_true(latency_resolvable(2, 0.33) && !latency_resolvable(1, 0.33));
    assert_false(latency_under_step(NAN, 10.019));
}

/* C3 divides the measured operations (ops_done), not churn's ops knob, which
 * is the same at 1 and 2 threads: 10% lost per CPU-second, a finding with no
 * verdict whatever the share; off-CPU time labelled as any off-CPU time */
static void test_c3_counts_what_was_done(void **state)
{
    (void)state;
    struct scenario sc = scenario_empty;
    sc.lock_share = 0.10;
    claims_expect(&sc, "C3=F");
    assert_non_null(strstr(claims_judged("C3")->detail, " 10% [95% interval"));
    assert_non_null(strstr(claims_judged("C3")->detail, "any off-CPU time"));
    assert_int_equal(claims_judged("C3")->nundecided, 0); /* no threshold: nothing to add repetitions for */
}

/* C5 over every repetition of the timeline (the start's median of 102401,
 * 102402, 102403 KiB is 100 MiB), strict overcommit counted per repetition */
static void test_c5_every_repetition(void **state)
{
    (void)state;
    struct scenario sc = scenario_empty;
    sc.oc_start_kib = 102400, sc.oc_end_kib = 307200;
    claims_expect(&sc, "C5=F");
    assert_non_null(strstr(claims_judged("C5")->detail, "over 3 repetitions"));
    assert_non_null(strstr(claims_judged("C5")->detail, "from 100 [95% interval 100-100] MiB (1.0 x S) to 300"));
    assert_non_null(strstr(claims_judged("C5")->detail, "refused it in 1 of them"));
}

/* C6 weighs a repeated fork's cost per GiB against an eager copy's (1000 ms
 * a GiB here): 1% is the line, and 0.1% and 5% fall either side */
static void test_c6_against_the_eager_copy(void **state)
{
    (void)state;
    struct scenario sc = scenario_empty;
    sc.fork_ms_per_gib = 1; /* 0.1% */
    claims_expect(&sc, "C6=H");
    assert_non_null(strstr(claims_judged("C6")->detail, "an eager copy (system_malloc's)"));
    sc.fork_ms_per_gib = 50; /* 5% */
    claims_expect(&sc, "C6=X");
    sc.fork_ms_per_gib = 10; /* 1%, repetitions spread 20% */
    synthetic.spread = 0.2;
    claims_expect(&sc, "C6=I");
    synthetic.spread = 0.01;
}

/* two groups of repetitions: the median says little, and the cell decides nothing */
static void test_bimodal_cells(void **state)
{
    (void)state;
    assert_true(interval_bimodal((double[]){1.0, 1.01, 1.5, 1.52}, 4));
    assert_true(interval_bimodal((double[]){2.5, 11.0, 2.4, 10.7, 2.6}, 5));
    assert_false(interval_bimodal((double[]){1.0, 1.01, 1.02, 1.5}, 4)); /* one outlier is not a group */
    assert_false(interval_bimodal((double[]){1.0, 1.05, 1.1, 1.14, 1.2}, 5));
    assert_false(interval_bimodal((double[]){1.0, 2.0, 3.0}, 3)); /* too few to tell */
}

/* C4: a bimodal cell decides when every repetition lies on one side of
 * the other cell's (5 and 8 against 10), and only then (8 and 12.8) */
static void test_c4_bimodal_cells(void **state)
{
    (void)state;
    struct scenario sc = scenario_empty;
    sc.sweep_eager = 10, sc.sweep_cow_at_half = 5, sc.sweep_cow_at_one = 20, sc.sweep_bimodal = 1;
    claims_expect(&sc, "C4=H");
    assert_non_null(strstr(claims_judged("C4")->detail, "surely faster up to 0.5"));
    assert_non_null(strstr(claims_judged("C4")->detail, "bimodal, every repetition on one side: fraction 0.5"));
    sc.sweep_cow_at_half = 8; /* 8 and 12.8 against 10: both sides */
    claims_expect(&sc, "C4=H");
    assert_non_null(strstr(claims_judged("C4")->detail, "never surely faster"));
    assert_non_null(strstr(claims_judged("C4")->detail, "repetitions on both sides, deciding nothing: fraction 0.5"));
    assert_true(claims_judged("C4")->nundecided >= 2); /* more repetitions there may decide it */
    sc.sweep_cow_at_half = 5, sc.sweep_cow_at_one = 8, sc.sweep_bimodal = 2; /* the top undecided */
    claims_expect(&sc, "C4=I");
    sc.sweep_cow_at_one = 6; /* 6 and 9.6 against 9.8 to 10.2: all under, surely faster everywhere */
    claims_expect(&sc, "C4=X");
}

/* C9 counts reads over the whole wall time, and decides at write rate 0:
 * the writes' ratio is shown apart and cannot turn the verdict; without
 * write-rate 0 cells there is nothing to decide on */
static void test_c9_whole_wall_and_no_writes(void **state)
{
    (void)state;
    struct scenario sc = scenario_empty;
    sc.c9_one = 3, sc.c9_two = 2.5; /* reads_per_sec in the rows says 0.8x and 1x: not what decides */
    claims_expect(&sc, "C9=H");
    assert_non_null(strstr(claims_judged("C9")->detail, "1 thr: 3.00x"));
    assert_null(strstr(claims_judged("C9")->detail, "With writes"));
    sc.c9_writes = 0.3; /* far slower with writes: shown apart, deciding nothing */
    claims_expect(&sc, "C9=H");
    assert_non_null(strstr(claims_judged("C9")->detail, "With writes (deciding nothing"));
    assert_non_null(strstr(claims_judged("C9")->detail, "2 thr, w 0.01: 0.30x"));
    sc.c9_one = 0.9, sc.c9_two = 3; /* far cheaper with two readers only */
    claims_expect(&sc, "C9=W");
    sc.c9_one = 0.9, sc.c9_two = 2; /* one point surely under, one on the threshold: open */
    synthetic.spread = 0.1;
    claims_expect(&sc, "C9=I");
    synthetic.spread = 0.01;
}

static void test_thp_off_system_wide_is_na(void **state)
{
    (void)state;
    struct scenario sc = scenario_empty;
    sc.thp_never = 1e6, sc.thp_always = 5e6;
    sc.thp_mode = "always madvise [never]";
    claims_expect(&sc, "");
}

static void test_no_huge_pages_is_na(void **state)
{
    (void)state;
    struct scenario sc = scenario_empty;
    sc.thp_never = 1e6, sc.thp_always = 5e6;
    synthetic.huge_kib = 0;
    claims_expect(&sc, "");
    synthetic.huge_kib = 65536;
}

static void test_claims_md_covers_every_claim(void **state)
{
    (void)state;
    const char *dir = synthetic_write(&scenario_empty);
    static struct run_folder run;
    assert_int_equal(run_load(dir, &run), 0);
    assert_int_equal(claims_write(&run, NULL), 0);
    run_free(&run);
    char path[512], text[65536];
    snprintf(path, sizeof path, "%s/claims.md", dir);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    size_t n = fread(text, 1, sizeof text - 1, f);
    text[n] = '\0';
    fclose(f);
    const char *last_heading = text, *last_row = text;
    size_t nclaims = claims_count();
    for (size_t i = 0; i < nclaims; i++) { /* each claim's row and section, in the registry's order */
        char heading[64], row_start[64];
        snprintf(heading, sizeof heading, "## %s: ", claim_registry[i]->name);
        snprintf(row_start, sizeof row_start, "| %s | ", claim_registry[i]->name);
        assert_true(strstr(text, heading) > last_heading);
        assert_true(strstr(text, row_start) > last_row);
        last_heading = strstr(text, heading), last_row = strstr(text, row_start);
    }
    assert_non_null(strstr(text, "threshold:"));
    assert_non_null(strstr(text, "caveats:"));
    /* beside every threshold, the result that would have gone the other way */
    int either = 0, fail = 0;
    for (const char *p = text; (p = strstr(p, "\n- either way: ")); p++, either++) {
        char line[1024];
        snprintf(line, sizeof line, "%.*s", (int)strcspn(p + 1, "\n"), p + 1);
        fail += strstr(line, "it would fail on") || strstr(line, "no result of this");
    }
    assert_int_equal(either, nclaims);
    assert_int_equal(fail, nclaims);
    assert_true(nclaims >= 9);
    synthetic_remove();
}

/* Every claim declares what claims.md shows, and reads what a default bench
 * measures: a group some workload's plan fills in the default profile, or a
 * file of the run folder beside summary.csv. Its name is unique. */
static void test_every_claim_is_declared_whole(void **state)
{
    (void)state;
    static const char *const files[] = {"c2.csv", "timeline.csv"};
    for (size_t i = 0; claim_registry[i]; i++) {
        const struct claim *c = claim_registry[i];
        assert_ptr_equal(claim_find(c->name), c);
        if (!*c->quote || !*c->experiment || !*c->figure || !*c->caveats || !c->judge || !c->threshold_text ||
            !c->either_way || !c->reads[0])
            fail_msg("%s leaves a part of its declaration empty", c->name);
        for (int k = 0; k < CLAIM_MAX_READS && c->reads[k]; k++) {
            bool known = false;
            for (size_t f = 0; f < sizeof files / sizeof *files; f++)
                known |= !strcmp(c->reads[k], files[f]);
            for (size_t w = 0; workload_registry[w] && !known; w++)
                for (const struct bench_plan *p = workload_registry[w]->plan; p && p->group && !known; p++)
                    known = !strcmp(p->group, c->reads[k]) && p->profile[PROFILE_DEFAULT];
            if (!known)
                fail_msg("%s reads '%s': no workload's plan fills that group in the default profile, and no run "
                         "file has that name", c->name, c->reads[k]);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_everything_missing_is_na),
        cmocka_unit_test(test_holds_branches),
        cmocka_unit_test(test_does_not_hold_branches),
        cmocka_unit_test(test_holds_only_when_branches),
        cmocka_unit_test(test_inconclusive_branches),
        cmocka_unit_test(test_decided_verdicts_want_no_more_repetitions),
        cmocka_unit_test(test_noisy_cells_and_few_repetitions),
        cmocka_unit_test(test_interval_is_not_the_extremes),
        cmocka_unit_test(test_c7_latency_under_two_steps),
        cmocka_unit_test(test_c7_every_window),
        cmocka_unit_test(test_resolution_rule),
        cmocka_unit_test(test_c3_counts_what_was_done),
        cmocka_unit_test(test_c5_every_repetition),
        cmocka_unit_test(test_c6_against_the_eager_copy),
        cmocka_unit_test(test_bimodal_cells),
        cmocka_unit_test(test_c4_bimodal_cells),
        cmocka_unit_test(test_c9_whole_wall_and_no_writes),
        cmocka_unit_test(test_thp_off_system_wide_is_na),
        cmocka_unit_test(test_no_huge_pages_is_na),
        cmocka_unit_test(test_claims_md_covers_every_claim),
        cmocka_unit_test(test_every_claim_is_declared_whole),
    };
    return cmocka_run_group_tests_name("claims", tests, NULL, NULL);
}
