/*
 * test_claims.c - the verdict logic of every claim, on small synthetic run
 * folders: each branch (holds, does not hold, holds only when, NA) is reached
 * by numbers chosen for it, and claims.md covers every claim.
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
#include "interval.h"
#include "resolution.h"

/* the numbers a scenario sets; NAN leaves a cell out */
struct scenario {
    double rh_eager_few, rh_cow_few, rh_eager_many, rh_cow_many;  /* C1: at 1000 and 1000000 lookups */
    double c2_deep, c2_sim;                                        /* C2 (seconds; NAN: no c2.csv) */
    double c2_cow;    /* C2: fork_cow's seconds (mprotect_cow's: twice them); NAN: 1 ms */
    int c2_old;       /* C2: c2.csv as an older run wrote it, with no repetitions */
    double lock_share;                                             /* C3 at 2 threads */
    double sweep_eager, sweep_cow_at_half, sweep_cow_at_one;       /* C4 */
    int sweep_bimodal; /* C4: which copy-on-write cells are bimodal: 1 at fraction 0.5, 2 at 1 */
    double oc_start_kib, oc_end_kib;                               /* C5 (S = 100 MiB, N = 2) */
    double fork_ms_per_gib;                                        /* C6: a repeated fork; an eager copy 1000 */
    double p999_block, p999_other, frag_block, frag_other;         /* C7, at every window */
    double p999_sweep_block, frag_block_small; /* C7: the sweep's latency (NAN: as p999_block); frag at 1024 */
    double thp_never, thp_always;                                  /* C8 */
    double c9_one, c9_two; /* C9: refcount readers' reads over mutex readers' at 1 and 2 threads, no writes */
    double c9_writes;      /* C9: the same at write rate 0.01 (NAN: not measured) */
    const char *thp_mode;
};

#define KEYS "group,strategy,workload,workers,ops,size_bytes,write_fraction,thp,reads,view,window,sync,write_rate,"
static const char header[] =
    KEYS "status,noisy,wall_ns_median,wall_ns_min,wall_ns_max,provision_ns_median,work_ns_median,"
    "off_cpu_share_median,lock_contended_share_median,context_switches_median,alloc_p999_ns_median,"
    "free_p999_ns_median,lat_resolution_ns_median,live_peak_kib_median,fragmentation_median,"
    "fork_ms_per_gib_median,ops_per_sec_median,anon_huge_kib_median,ops_done_median,task_clock_ns_median,"
    "pages_copied_median,fork_ns_median,fork_private_kib_median,fork_first_ns_median,reads_per_sec_median\n";
static const char raw_header[] =
    KEYS "rep,status,wall_ns,provision_ns,work_ns,off_cpu_share,lock_contended_share,context_switches,"
    "alloc_p999_ns,free_p999_ns,lat_resolution_ns,live_peak_kib,fragmentation,fork_ms_per_gib,ops_per_sec,"
    "anon_huge_kib,ops_done,task_clock_ns,pages_copied,fork_ns,fork_private_kib,fork_first_ns,reads_per_sec\n";

static double huge_kib = 65536; /* AnonHugePages in the THP rows */
static double step_ns = 1;      /* the timer's step (lat_resolution_ns) in every row */
#define OPS_KNOB 1e7            /* churn's ops knob: what each worker was asked for, not what was done */
static double spread = 0.01;    /* repetitions: value x (1 + spread x (k - 2)), k = 0..4 */
static int noisy;               /* the summary flags every cell noisy */
static int reps = 5;            /* repetitions in raw.csv */

struct figs {
    double wall, prov, work, share, p999, frag, fork, ops, task, pages, fork_ns, private_kib;
    double size;       /* 0: 100 MiB */
    double reads;      /* read_heavy's, else NA */
    const char *view;  /* read_heavy's: private or none */
    double window;     /* churn's, else NA */
    double ops_knob;   /* churn's ops knob (0: OPS_KNOB) */
    const char *sync;  /* shared_object's, else NA (and no write_rate) */
    double rps;        /* shared_object's reads per second (over the whole wall: wall = reads / rps) */
    double rate;       /* shared_object's write rate */
    int bimodal;       /* repetitions in two groups: 3 at the value, 2 at 1.6x it (wall time) */
};

static void num(FILE *f, double v)
{
    if (isnan(v))
        fputs(",NA", f);
    else
        fprintf(f, ",%.6g", v);
}

static FILE *summary, *raw;

static void keys(FILE *f, const char *group, const char *strategy, const char *workload, int workers,
                 double fraction, const char *thp, const struct figs *v)
{
    fprintf(f, "%s,%s,%s,%d", group, strategy, workload, workers);
    num(f, strcmp(workload, "churn") ? NAN : v->ops_knob ? v->ops_knob : OPS_KNOB);
    fprintf(f, ",%.0f,%g,%s", v->size ? v->size : 104857600, fraction, thp);
    num(f, v->reads ? v->reads : NAN);
    fprintf(f, ",%s", v->view ? v->view : "NA");
    num(f, v->window ? v->window : NAN);
    fprintf(f, ",%s", v->sync ? v->sync : "NA");
    num(f, v->sync ? v->rate : NAN);
    fputc(',', f);
}

/* One cell: its summary line (medians) and `reps` raw repetitions around them. */
static void row(const char *group, const char *strategy, const char *workload, int workers, double fraction,
                const char *thp, struct figs v)
{
    keys(summary, group, strategy, workload, workers, fraction, thp, &v);
    fprintf(summary, "ok,%d", noisy);
    const double med[] = {v.wall,    v.wall,  v.wall,     v.prov, v.work,  v.share,          v.share / 100,
                          10,        v.p999,  v.p999,     step_ns, 10240,  v.frag,           v.fork,
                          1e6,       huge_kib, v.ops,     v.task, v.pages, v.fork_ns,        v.private_kib,
                          2 * v.fork_ns, v.rps ? v.rps : NAN};
    for (size_t k = 0; k < sizeof med / sizeof *med; k++)
        num(summary, med[k]);
    fputc('\n', summary);
    for (int k = 0; k < reps; k++) {
        double m = v.bimodal ? (k < 3 ? 1 : 1.6) : 1 + spread * (k - 2);
        keys(raw, group, strategy, workload, workers, fraction, thp, &v);
        fprintf(raw, "%d,ok", k + 1);
        const double rep[] = {v.wall * m, v.prov * m, v.work * m,      v.share,    v.share / 100,  10,
                              v.p999 * m, v.p999 * m, step_ns,         10240,      v.frag * m,     v.fork * m,
                              1e6,        huge_kib,   v.ops * m,       v.task,     v.pages * m,    v.fork_ns * m,
                              v.private_kib, 2 * v.fork_ns * m, v.rps ? v.rps * m : NAN};
        for (size_t j = 0; j < sizeof rep / sizeof *rep; j++)
            num(raw, rep[j]);
        fputc('\n', raw);
    }
}

/* read_heavy's lookups sweep at one count: every strategy, and the control */
static void lookups_rows(double reads, double eager_wall, double cow_wall)
{
    static const char *const eager[] = {"system_malloc", "locked_freelist", "block_suballoc"};
    static const char *const cows[] = {"fork_cow", "mprotect_cow"};
    double control = fmin(eager_wall, cow_wall) / 2;
    for (int k = 0; k < 3; k++)
        row("lookups", eager[k], "read_heavy", 2, 0.001, "default",
            (struct figs){.wall = eager_wall, .prov = eager_wall - control, .work = control, .reads = reads,
                          .view = "private"});
    for (int k = 0; k < 2; k++)
        row("lookups", cows[k], "read_heavy", 2, 0.001, "default",
            (struct figs){.wall = cow_wall, .prov = 0.01, .work = cow_wall, .reads = reads, .view = "private"});
    row("lookups", "system_malloc", "read_heavy", 2, 0.001, "default",
        (struct figs){.wall = control, .prov = 0, .work = control, .reads = reads, .view = "none"});
}

/* C9: shared_object at 1 and 2 threads, with no writes (and at write rate
 * 0.01 when c9_writes is set): mutex and rwlock read 1e7 times a second a
 * thread over the whole wall, rcu 2e7, refcount the scenario's ratio to
 * mutex; reads_per_sec, a reader's time between its writes, says the
 * opposite, and decides nothing */
static void shared_rows(const struct scenario *sc)
{
    static const char *const syncs[] = {"mutex", "rwlock", "refcount", "rcu"};
    for (int r = 0; r < 2; r++)
        for (int w = 1; w <= 2 && !isnan(sc->c9_one) && (r == 0 || !isnan(sc->c9_writes)); w++)
            for (int k = 0; k < 4; k++) {
                double x = k != 2 ? (k == 3 ? 2 : 1) : r ? sc->c9_writes : w == 1 ? sc->c9_one : sc->c9_two;
                double rps = 1e7 * w * x, reads = 1e6;
                row("shared", "system_malloc", "shared_object", w, 0, "default",
                    (struct figs){.wall = reads * w / rps * 1e9, .sync = syncs[k], .reads = reads,
                                  .rps = 1e7 * w * 2.5 / x, .rate = r ? 0.01 : 0});
            }
}

static char dir[256];

/* a new file in the run folder */
static FILE *create(const char *name)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return fopen(path, "w");
}

static void write_run(const struct scenario *sc)
{
    snprintf(dir, sizeof dir, "/tmp/alloclab-claims-XXXXXX");
    assert_non_null(mkdtemp(dir));
    summary = create("summary.csv");
    raw = create("raw.csv");
    fputs(header, summary);
    fputs(raw_header, raw);
    static const char *const eager[] = {"system_malloc", "locked_freelist", "block_suballoc"};
    static const char *const cows[] = {"fork_cow", "mprotect_cow"};
    if (!isnan(sc->rh_eager_few)) {
        lookups_rows(1000, sc->rh_eager_few, sc->rh_cow_few);
        lookups_rows(1000000, sc->rh_eager_many, sc->rh_cow_many);
    }
    for (int k = 0; k < 3 && !isnan(sc->sweep_eager); k++)
        for (double fr = 0.5; fr <= 1; fr += 0.5)
            row("sweep", eager[k], "write_heavy", 2, fr, "default", (struct figs){.wall = sc->sweep_eager});
    for (int k = 0; k < 2 && !isnan(sc->sweep_cow_at_one); k++) {
        row("sweep", cows[k], "write_heavy", 2, 0.5, "default",
            (struct figs){.wall = sc->sweep_cow_at_half, .bimodal = sc->sweep_bimodal == 1});
        row("sweep", cows[k], "write_heavy", 2, 1, "default",
            (struct figs){.wall = sc->sweep_cow_at_one, .bimodal = sc->sweep_bimodal == 2});
    }
    if (!isnan(sc->lock_share)) { /* CPU time lost at 2 threads: ops per CPU-second down by that share */
        row("churn", "locked_freelist", "churn", 1, 0, "default",
            (struct figs){.wall = 1e9, .p999 = 100, .frag = 2, .ops = 1e6, .task = 1e9, .share = 0});
        row("churn", "locked_freelist", "churn", 2, 0, "default",
            (struct figs){.wall = 1e9, .p999 = 100, .frag = 2, .ops = 2e6 * (1 - sc->lock_share), .task = 2e9,
                          .share = sc->lock_share});
    }
    if (!isnan(sc->p999_block)) { /* the churn group at 1 thread (window 1024), the sweep at 1024 and 131072 */
        row("churn", "block_suballoc", "churn", 1, 0, "default",
            (struct figs){.wall = 1, .p999 = sc->p999_block, .frag = 1, .window = 1024});
        row("churn", "system_malloc", "churn", 1, 0, "default",
            (struct figs){.wall = 1, .p999 = sc->p999_other, .frag = 1, .window = 1024});
        double sweep = isnan(sc->p999_sweep_block) ? sc->p999_block : sc->p999_sweep_block;
        for (double w = 1024; w <= 131072; w *= 128) {
            double small = w == 1024 && !isnan(sc->frag_block_small);
            row("frag", "block_suballoc", "churn", 1, 0, "default",
                (struct figs){.wall = 1, .p999 = sweep, .frag = small ? sc->frag_block_small : sc->frag_block,
                              .window = w, .ops_knob = 1e6});
            row("frag", "system_malloc", "churn", 1, 0, "default",
                (struct figs){.wall = 1, .p999 = sc->p999_other, .frag = sc->frag_other, .window = w,
                              .ops_knob = 1e6});
        }
    }
    if (!isnan(sc->fork_ms_per_gib)) { /* 16 MiB and 1 GiB of private memory: the slopes are the figures */
        static const char *const forkers[] = {"fork_cow", "mprotect_cow", "system_malloc"};
        for (int k = 0; k < 3; k++)
            for (double gib = 1.0 / 64; gib <= 1; gib *= 64) /* an eager copy: 1000 ms a GiB to provision */
                row("fork", forkers[k], "fork_cost", 1, 0, "default",
                    (struct figs){.wall = 1, .size = gib * (1 << 30), .private_kib = gib * (1 << 20),
                                  .prov = k == 2 ? 1e6 + 1000 * 1e6 * gib : 1e6,
                                  .fork_ns = 1e5 + sc->fork_ms_per_gib * 1e6 * gib});
    }
    if (!isnan(sc->thp_never)) { /* pages copied in proportion to the time */
        row("thp", "fork_cow", "write_heavy", 1, 0.01, "never", (struct figs){.wall = sc->thp_never, .pages = 100});
        row("thp", "fork_cow", "write_heavy", 1, 0.01, "always",
            (struct figs){.wall = sc->thp_always, .pages = 100 * sc->thp_always / sc->thp_never});
    }
    shared_rows(sc);
    fclose(summary);
    fclose(raw);
    FILE *f;
    if (!isnan(sc->oc_start_kib)) {
        f = create("timeline.csv");
        fputs("group,strategy,workload,workers,size_bytes,rep,step,fraction_written,pss_sum_kib,mem_available_kib,"
              "committed_as_kib,commit_limit_kib,strict_overcommit_would_refuse\n", f);
        for (int rep = 1; rep <= 3; rep++) { /* strict overcommit would refuse the second */
            fprintf(f, "main,fork_cow,overcommit,2,104857600,%d,0,0,%g,1000000,500000,400000,%d\n", rep,
                    sc->oc_start_kib + rep, rep == 2);
            fprintf(f, "main,fork_cow,overcommit,2,104857600,%d,1,1,%g,900000,500000,400000,0\n", rep,
                    sc->oc_end_kib + rep);
        }
        fclose(f);
    }
    if (!isnan(sc->c2_deep)) { /* each variant's repetitions spread as the cells' are */
        f = create("c2.csv");
        double cow = isnan(sc->c2_cow) ? 0.001 : sc->c2_cow, t[] = {sc->c2_deep, sc->c2_sim, cow, 2 * cow};
        static const char *const variant[] = {"deep_copy", "simulated_cow", "fork_cow", "mprotect_cow"};
        fprintf(f, "variant,ints,reads,reps,seconds_median,seconds_min,seconds_max%s\n",
                sc->c2_old ? "" : ",seconds_reps");
        for (int v = 0; v < 4; v++) {
            fprintf(f, "%s,1,1,%d,%g,%g,%g", variant[v], reps, t[v], t[v] * (1 - 2 * spread), t[v] * (1 + 2 * spread));
            for (int k = 0; k < reps && !sc->c2_old; k++)
                fprintf(f, "%s%g", k ? ";" : ",", t[v] * (1 + spread * (k - 2)));
            fputc('\n', f);
        }
        fclose(f);
    }
    f = create("meta.txt");
    fprintf(f, "transparent huge pages: %s\n", sc->thp_mode ? sc->thp_mode : "always [madvise] never");
    fclose(f);
}

static void remove_run(void)
{
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

static char detail[NCLAIMS][sizeof((struct claim *)0)->detail]; /* each claim's text, as expect() judged it */
static int undecided[NCLAIMS];     /* and how many cells it found straddling a threshold */

static void expect(const struct scenario *sc, const enum verdict want[NCLAIMS])
{
    write_run(sc);
    struct claim c[NCLAIMS];
    static struct run_folder run;
    assert_int_equal(run_load(dir, &run), 0);
    claims_evaluate(&run, c);
    run_free(&run);
    for (int i = 0; i < NCLAIMS; i++) {
        memcpy(detail[i], c[i].detail, sizeof detail[i]);
        undecided[i] = c[i].nundecided;
    }
    for (int i = 0; i < NCLAIMS; i++)
        if (want[i] != c[i].verdict)
            fail_msg("%s: got '%s' (%s), want '%s'", c[i].id, verdict_name(c[i].verdict), c[i].detail,
                     verdict_name(want[i]));
    remove_run();
}

#define N VERDICT_NA
#define H VERDICT_HOLDS
#define X VERDICT_NOT
#define W VERDICT_ONLY_WHEN
#define F VERDICT_FINDING

static const struct scenario empty = {
    .rh_eager_few = NAN, .rh_cow_few = NAN, .rh_eager_many = NAN, .rh_cow_many = NAN, .c2_deep = NAN, .c2_cow = NAN,
    .c2_sim = NAN, .lock_share = NAN, .sweep_eager = NAN, .sweep_cow_at_half = NAN, .sweep_cow_at_one = NAN,
    .oc_start_kib = NAN, .oc_end_kib = NAN, .fork_ms_per_gib = NAN, .p999_block = NAN, .p999_other = NAN,
    .frag_block = NAN, .frag_other = NAN, .p999_sweep_block = NAN, .frag_block_small = NAN, .thp_never = NAN,
    .thp_always = NAN, .c9_one = NAN, .c9_two = NAN, .c9_writes = NAN,
};

static void test_everything_missing_is_na(void **state)
{
    (void)state;
    expect(&empty, (enum verdict[]){N, N, N, N, N, N, N, N, N});
}

static void test_holds_branches(void **state)
{
    (void)state;
    struct scenario sc = empty;
    sc.rh_eager_few = 100, sc.rh_cow_few = 5, sc.rh_eager_many = 300, sc.rh_cow_many = 20; /* 20x, 15x */
    sc.c2_deep = 1.8, sc.c2_sim = 1.8, sc.c2_cow = 0.2; /* 9x and 4.5x: fork_cow's surely at least 4.5x */
    sc.lock_share = 0.45;
    sc.sweep_eager = 10, sc.sweep_cow_at_half = 12, sc.sweep_cow_at_one = 20; /* loses from 0.5 */
    sc.oc_start_kib = 102400, sc.oc_end_kib = 307200;
    sc.fork_ms_per_gib = 0.05; /* 0.005% of an eager copy's */
    sc.p999_block = 50, sc.p999_other = 200, sc.frag_block = 1.1, sc.frag_other = 1.5;
    sc.thp_never = 1e6, sc.thp_always = 5e6;
    sc.c9_one = 3, sc.c9_two = 2.5;
    expect(&sc, (enum verdict[]){H, H, F, H, F, H, H, H, H});
}

static void test_does_not_hold_branches(void **state)
{
    (void)state;
    struct scenario sc = empty;
    sc.rh_eager_few = 100, sc.rh_cow_few = 60, sc.rh_eager_many = 300, sc.rh_cow_many = 250;
    sc.c2_deep = 1.8, sc.c2_sim = 0.4, sc.c2_cow = 0.9; /* the script's 4.5x, real copy-on-write's 2x and 1x */
    sc.lock_share = 0.01;
    sc.sweep_eager = 10, sc.sweep_cow_at_half = 2, sc.sweep_cow_at_one = 5; /* never loses */
    sc.oc_start_kib = 102400, sc.oc_end_kib = 120000;
    sc.fork_ms_per_gib = 80; /* 8% of an eager copy's */
    sc.p999_block = 500, sc.p999_other = 200, sc.frag_block = 10, sc.frag_other = 2;
    sc.thp_never = 1e6, sc.thp_always = 1.1e6;
    sc.c9_one = 0.9, sc.c9_two = 0.3;
    expect(&sc, (enum verdict[]){X, X, F, X, F, X, X, X, X});
}

static void test_holds_only_when_branches(void **state)
{
    (void)state;
    struct scenario sc = empty;
    sc.rh_eager_few = 100, sc.rh_cow_few = 5, sc.rh_eager_many = 300, sc.rh_cow_many = 200; /* few lookups only */
    sc.lock_share = 0.12;                                                               /* a finding */
    sc.p999_block = 100, sc.p999_other = 100, sc.frag_block = 9, sc.frag_other = 2;      /* latency only */
    sc.c9_one = 3, sc.c9_two = 0.3; /* far cheaper with one thread only */
    expect(&sc, (enum verdict[]){W, N, F, N, N, N, W, N, W});
    sc.p999_block = 900, sc.frag_block = 1.0; /* space only */
    expect(&sc, (enum verdict[]){W, N, F, N, N, N, W, N, W});
}

#define I VERDICT_INCONCLUSIVE

/* every ratio on its threshold, repetitions spread 20%: every interval crosses it */
static void test_inconclusive_branches(void **state)
{
    (void)state;
    struct scenario sc = empty;
    sc.rh_eager_few = 100, sc.rh_cow_few = 10, sc.rh_eager_many = 300, sc.rh_cow_many = 30; /* 10x */
    sc.lock_share = 0.30;
    sc.fork_ms_per_gib = 10; /* 1% of an eager copy's */
    sc.p999_block = 110, sc.p999_other = 100, sc.frag_block = 1.1, sc.frag_other = 1.0;
    sc.thp_never = 1e6, sc.thp_always = 2e6;
    sc.sweep_eager = 10, sc.sweep_cow_at_half = 5, sc.sweep_cow_at_one = 10; /* level at fraction 1 */
    sc.c2_deep = 0.45, sc.c2_sim = 0.45, sc.c2_cow = 0.1; /* fork_cow's 4.5x, mprotect_cow's 2.25x */
    spread = 0.2;
    sc.c9_one = 2, sc.c9_two = 2;
    expect(&sc, (enum verdict[]){I, I, F, I, N, I, I, I, I});
    /* each names the cells that more repetitions might decide (the bench adds them: straddle.c) */
    for (int i = 0; i < NCLAIMS; i++)
        if (i != 1 && i != 2 && i != 4)
            assert_true(undecided[i] >= 2);
    spread = 0.01;
    struct scenario old = empty;
    old.c2_deep = 1.8, old.c2_sim = 1.8, old.c2_cow = 0.1, old.c2_old = 1; /* 18x by the medians, no repetitions */
    expect(&old, (enum verdict[]){N, I, N, N, N, N, N, N, N});
    assert_non_null(strstr(detail[1], "no repetitions: no interval"));
    old.c2_old = 0;
    expect(&old, (enum verdict[]){N, H, N, N, N, N, N, N, N});
}

/* a verdict every interval decides names no cell for more repetitions */
static void test_decided_verdicts_want_no_more_repetitions(void **state)
{
    (void)state;
    struct scenario sc = empty;
    sc.rh_eager_few = 100, sc.rh_cow_few = 5, sc.rh_eager_many = 300, sc.rh_cow_many = 20;
    sc.c9_one = 3, sc.c9_two = 2.5;
    expect(&sc, (enum verdict[]){H, N, N, N, N, N, N, N, H});
    for (int i = 0; i < NCLAIMS; i++)
        assert_int_equal(undecided[i], 0);
}

/* A noisy cell is judged by the same percentile bootstrap as any other:
 * the flag changes nothing, the spread of its repetitions does; too few
 * repetitions never decide. */
static void test_noisy_cells_and_few_repetitions(void **state)
{
    (void)state;
    struct scenario sc = empty;
    sc.rh_eager_few = 100, sc.rh_cow_few = 8, sc.rh_eager_many = 100, sc.rh_cow_many = 8; /* 12.5x */
    spread = 0.06; /* the medians' interval stays above 10x (the extremes would not: 88 / 8.96 = 9.8x) */
    expect(&sc, (enum verdict[]){H, N, N, N, N, N, N, N, N});
    noisy = 1; /* flagged noisy: the same interval, the same verdict */
    expect(&sc, (enum verdict[]){H, N, N, N, N, N, N, N, N});
    noisy = 0;
    spread = 0.12; /* spread wider: the resampled medians reach under 10x */
    expect(&sc, (enum verdict[]){I, N, N, N, N, N, N, N, N});
    spread = 0.06;
    sc.rh_cow_few = sc.rh_cow_many = 2; /* 50x */
    reps = 1;
    expect(&sc, (enum verdict[]){I, N, N, N, N, N, N, N, N});
    reps = 5;
    spread = 0.01;
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
    struct scenario sc = empty;
    step_ns = 10.019;
    sc.p999_block = 10, sc.p999_other = 10, sc.frag_block = 1.0, sc.frag_other = 1.0; /* one step each */
    expect(&sc, (enum verdict[]){N, N, N, N, N, N, H, N, N});
    assert_non_null(strstr(detail[6], "not resolvable on this machine"));
    assert_non_null(strstr(detail[6], "the verdict rests on fragmentation"));
    sc.frag_block = 3; /* and fragmentation alone can fail it */
    expect(&sc, (enum verdict[]){N, N, N, N, N, N, X, N, N});
    sc.frag_block = 1.0;
    sc.p999_block = 10, sc.p999_other = 200; /* 20x apart, but one under two steps */
    expect(&sc, (enum verdict[]){N, N, N, N, N, N, H, N, N});
    assert_non_null(strstr(detail[6], NOT_RESOLVABLE));
    sc.p999_block = 20, sc.p999_other = 20; /* two steps each: compared, and level */
    expect(&sc, (enum verdict[]){N, N, N, N, N, N, H, N, N});
    assert_null(strstr(detail[6], NOT_RESOLVABLE));
    sc.p999_block = 40, sc.p999_other = 20; /* two steps each, and twice as slow: latency fails */
    expect(&sc, (enum verdict[]){N, N, N, N, N, N, W, N, N});
    assert_non_null(strstr(detail[6], "space is what counts"));
    step_ns = 1;
}

/* C7 at every window, each named: a small window's fragmentation beyond the
 * margin fails space though the largest is within; the latency at a window
 * is the churn group's cell (more operations) where it has that window. */
static void test_c7_every_window(void **state)
{
    (void)state;
    struct scenario sc = empty;
    sc.p999_block = 100, sc.p999_other = 100, sc.frag_block = 1.0, sc.frag_other = 1.0;
    expect(&sc, (enum verdict[]){N, N, N, N, N, N, H, N, N});
    sc.frag_block_small = 50; /* a first slab's fragmentation, at 1024 live blocks */
    expect(&sc, (enum verdict[]){N, N, N, N, N, N, W, N, N});
    assert_non_null(strstr(detail[6], "latency is what counts"));
    assert_non_null(strstr(detail[6], "at 1024 live blocks"));
    assert_non_null(strstr(detail[6], "fragmentation 50.00 against system_malloc's 1.00"));
    assert_non_null(strstr(detail[6], "at 131072 live blocks"));
    sc.frag_block_small = NAN;
    sc.p999_sweep_block = 900; /* the sweep's latency: read at 131072, not at 1024 (the churn group's there) */
    expect(&sc, (enum verdict[]){N, N, N, N, N, N, W, N, N});
    assert_non_null(strstr(detail[6], "at 1024 live blocks (10.0 MiB live); allocation p99.9 100 against"));
    assert_non_null(strstr(detail[6], "at 131072 live blocks (10.0 MiB live); allocation p99.9 900 against"));
    assert_non_null(strstr(detail[6], "space is what counts"));
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
    struct scenario sc = empty;
    sc.lock_share = 0.10;
    expect(&sc, (enum verdict[]){N, N, F, N, N, N, N, N, N});
    assert_non_null(strstr(detail[2], " 10% [95% interval"));
    assert_non_null(strstr(detail[2], "any off-CPU time"));
    assert_int_equal(undecided[2], 0); /* no threshold: nothing to add repetitions for */
}

/* C5 over every repetition of the timeline (the start's median of 102401,
 * 102402, 102403 KiB is 100 MiB), strict overcommit counted per repetition */
static void test_c5_every_repetition(void **state)
{
    (void)state;
    struct scenario sc = empty;
    sc.oc_start_kib = 102400, sc.oc_end_kib = 307200;
    expect(&sc, (enum verdict[]){N, N, N, N, F, N, N, N, N});
    assert_non_null(strstr(detail[4], "over 3 repetitions"));
    assert_non_null(strstr(detail[4], "from 100 [95% interval 100-100] MiB (1.0 x S) to 300"));
    assert_non_null(strstr(detail[4], "refused it in 1 of them"));
}

/* C6 weighs a repeated fork's cost per GiB against an eager copy's (1000 ms
 * a GiB here): 1% is the line, and 0.1% and 5% fall either side */
static void test_c6_against_the_eager_copy(void **state)
{
    (void)state;
    struct scenario sc = empty;
    sc.fork_ms_per_gib = 1; /* 0.1% */
    expect(&sc, (enum verdict[]){N, N, N, N, N, H, N, N, N});
    assert_non_null(strstr(detail[5], "an eager copy (system_malloc's)"));
    sc.fork_ms_per_gib = 50; /* 5% */
    expect(&sc, (enum verdict[]){N, N, N, N, N, X, N, N, N});
    sc.fork_ms_per_gib = 10; /* 1%, repetitions spread 20% */
    spread = 0.2;
    expect(&sc, (enum verdict[]){N, N, N, N, N, I, N, N, N});
    spread = 0.01;
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
    struct scenario sc = empty;
    sc.sweep_eager = 10, sc.sweep_cow_at_half = 5, sc.sweep_cow_at_one = 20, sc.sweep_bimodal = 1;
    expect(&sc, (enum verdict[]){N, N, N, H, N, N, N, N, N});
    assert_non_null(strstr(detail[3], "surely faster up to 0.5"));
    assert_non_null(strstr(detail[3], "bimodal, every repetition on one side: fraction 0.5"));
    sc.sweep_cow_at_half = 8; /* 8 and 12.8 against 10: both sides */
    expect(&sc, (enum verdict[]){N, N, N, H, N, N, N, N, N});
    assert_non_null(strstr(detail[3], "never surely faster"));
    assert_non_null(strstr(detail[3], "repetitions on both sides, deciding nothing: fraction 0.5"));
    assert_true(undecided[3] >= 2); /* more repetitions there may decide it */
    sc.sweep_cow_at_half = 5, sc.sweep_cow_at_one = 8, sc.sweep_bimodal = 2; /* the top undecided */
    expect(&sc, (enum verdict[]){N, N, N, I, N, N, N, N, N});
    sc.sweep_cow_at_one = 6; /* 6 and 9.6 against 9.8 to 10.2: all under, surely faster everywhere */
    expect(&sc, (enum verdict[]){N, N, N, X, N, N, N, N, N});
}

/* C9 counts reads over the whole wall time, and decides at write rate 0:
 * the writes' ratio is shown apart and cannot turn the verdict; without
 * write-rate 0 cells there is nothing to decide on */
static void test_c9_whole_wall_and_no_writes(void **state)
{
    (void)state;
    struct scenario sc = empty;
    sc.c9_one = 3, sc.c9_two = 2.5; /* reads_per_sec in the rows says 0.8x and 1x: not what decides */
    expect(&sc, (enum verdict[]){N, N, N, N, N, N, N, N, H});
    assert_non_null(strstr(detail[8], "1 thr: 3.00x"));
    assert_null(strstr(detail[8], "With writes"));
    sc.c9_writes = 0.3; /* far slower with writes: shown apart, deciding nothing */
    expect(&sc, (enum verdict[]){N, N, N, N, N, N, N, N, H});
    assert_non_null(strstr(detail[8], "With writes (deciding nothing"));
    assert_non_null(strstr(detail[8], "2 thr, w 0.01: 0.30x"));
    sc.c9_one = 0.9, sc.c9_two = 3; /* far cheaper with two readers only */
    expect(&sc, (enum verdict[]){N, N, N, N, N, N, N, N, W});
    sc.c9_one = 0.9, sc.c9_two = 2; /* one point surely under, one on the threshold: open */
    spread = 0.1;
    expect(&sc, (enum verdict[]){N, N, N, N, N, N, N, N, I});
    spread = 0.01;
}

static void test_thp_off_system_wide_is_na(void **state)
{
    (void)state;
    struct scenario sc = empty;
    sc.thp_never = 1e6, sc.thp_always = 5e6;
    sc.thp_mode = "always madvise [never]";
    expect(&sc, (enum verdict[]){N, N, N, N, N, N, N, N, N});
}

static void test_no_huge_pages_is_na(void **state)
{
    (void)state;
    struct scenario sc = empty;
    sc.thp_never = 1e6, sc.thp_always = 5e6;
    huge_kib = 0;
    expect(&sc, (enum verdict[]){N, N, N, N, N, N, N, N, N});
    huge_kib = 65536;
}

static void test_claims_md_covers_every_claim(void **state)
{
    (void)state;
    write_run(&empty);
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
    for (int i = 1; i <= NCLAIMS; i++) {
        char heading[32], row_start[32];
        snprintf(heading, sizeof heading, "## C%d: ", i);
        snprintf(row_start, sizeof row_start, "| C%d | ", i);
        assert_non_null(strstr(text, heading));
        assert_non_null(strstr(text, row_start));
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
    assert_int_equal(either, NCLAIMS);
    assert_int_equal(fail, NCLAIMS);
    remove_run();
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
    };
    return cmocka_run_group_tests_name("claims", tests, NULL, NULL);
}
