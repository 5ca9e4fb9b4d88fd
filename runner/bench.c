/*
 * bench.c - `alloclab bench`: a profile's cells into one run folder.
 *
 *   results/<YYYYmmdd-HHMMSS>-<host>/
 *     meta.txt        the machine, the build, the profile
 *     calibrate.csv   the machine's own limits
 *     raw.csv         every measured repetition of every cell
 *     summary.csv     median, min, max, MAD per cell
 *     timeline.csv    the memory samples of workloads that take steps
 *     c2.csv          the documents' own benchmark (claim C2)
 *     *.png, *.svg    the figures (one gnuplot script each in plots/)
 *     report.md       the tables a newcomer reads first
 *     claims.md       the verdict on each claim the suite tests
 *
 * The cells come from the workloads' own plans (plan.c); the analysis of
 * the folder (report, figures, targets, claims) from runner/analysis/.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "analysis/claims.h"
#include "analysis/interval.h"
#include "analysis/plots.h"
#include "analysis/report.h"
#include "analysis/targets.h"
#include "bench.h"
#include "c2.h"
#include "calibrate.h"
#include "cli.h"
#include "plan.h"
#include "results.h"
#include "run.h"
#include "straddle.h"
#include "support/os.h"
#include "sysinfo.h"

#define MAX_CELLS 1024
#define BENCH_ORDER_SEED 1 /* recorded in meta.txt */
#define SETTLED 0.05       /* see settled() */

static int make_run_dir(char *dir, size_t len)
{
    char host[64] = "host";
    gethostname(host, sizeof host - 1);
    for (char *h = host; *h; h++)
        if (*h == '/' || *h == ' ')
            *h = '_';
    time_t now = time(NULL);
    char stamp[32];
    strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", localtime(&now));
    mkdir("results", 0777);
    snprintf(dir, len, "results/%s-%s", stamp, host);
    if (mkdir(dir, 0777) != 0)
        return -1;
    /* results/latest -> the new run, replaced in one rename */
    char tmp[64];
    snprintf(tmp, sizeof tmp, "results/.latest.%d", (int)getpid());
    unlink(tmp);
    if (symlink(dir + strlen("results/"), tmp) != 0 || rename(tmp, "results/latest") != 0)
        return -1;
    return 0;
}

static int write_meta(const char *dir, const struct profile *p, const char *only, int argc, char **argv)
{
    char path[4200], tmp[4300];
    snprintf(path, sizeof path, "%s/meta.txt", dir);
    FILE *f = atomic_open(path, tmp, sizeof tmp);
    if (!f)
        return -1;
    time_t now = time(NULL);
    char date[64];
    strftime(date, sizeof date, "%Y-%m-%d %H:%M:%S %z", localtime(&now));
    fprintf(f, "date: %s\nprofile: %s\n", date, p->name);
    fprintf(f, "workload filter: %s\ncell order: shuffled each round, seed %d\n", only ? only : "none",
            BENCH_ORDER_SEED);
    fprintf(f, "repetitions: %d to %d after a warm-up; a cell stops after %d once the 95%% interval of its median "
               "wall time is within +-%.0f%% of it\ncommand: alloclab",
            p->reps_min, p->reps, p->reps_min, 100 * SETTLED);
    for (int i = 0; i < argc; i++)
        fprintf(f, " %s", argv[i]);
    fputc('\n', f);
    straddle_describe(f, p->name);
    sysinfo_write(f);
    return atomic_commit(f, tmp, path);
}

struct bench_args {
    const struct profile *profile;
    const char *out, *only;
    bool dry_run;
};

static void parse_bench_args(int argc, char **argv, struct bench_args *ba)
{
    static const struct option opts[] = {{"profile", required_argument, NULL, 'p'},
                                         {"out", required_argument, NULL, 'o'},
                                         {"workload", required_argument, NULL, 'w'},
                                         {"dry-run", no_argument, NULL, 'n'},
                                         {NULL, 0, NULL, 0}};
    const char *profile = "default";
    int c;
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, "+", opts, NULL)) != -1) {
        if (c == 'p')
            profile = optarg;
        else if (c == 'o')
            ba->out = optarg;
        else if (c == 'w')
            ba->only = optarg;
        else if (c == 'n')
            ba->dry_run = true;
        else
            die_usage("bench: unknown or incomplete option '%s'", argv[optind - 1]);
    }
    if (optind < argc)
        die_usage("bench: unexpected argument '%s'", argv[optind]);
    if (!(ba->profile = profile_find(profile)))
        die_usage("bench: unknown profile '%s' (%s)", profile, profile_names());
    if (ba->only && !workload_find(ba->only))
        die_usage("bench: unknown workload '%s' (see: alloclab list)", ba->only);
}

/* The planned cells, one a line, for --dry-run. */
static void print_plan(const struct cell_spec *cells, int n)
{
    for (int i = 0; i < n; i++) {
        const struct cell_spec *s = &cells[i];
        printf("%-6s %-16s %-12s", s->group, s->strategy->name, s->workload->name);
        for (size_t k = 0; s->workload->knobs[k].name; k++) {
            char v[256];
            param_format(&s->workload->knobs[k], s->knob[k], v, sizeof v);
            printf(" %s=%s", s->workload->knobs[k].name, v);
        }
        printf("%s%s\n", s->config.thp == THP_NEVER ? " thp=never" : s->config.thp == THP_ALWAYS ? " thp=always" : "",
               s->model != s->strategy->model ? (s->model == MODEL_PROCESSES ? " model=processes" : " model=threads")
                                              : "");
    }
}

struct bench_files {
    char dir[4096], raw[4200], summary[4200], timeline[4200], calibrate[4200], calibrate_end[4200];
};

static void open_run_folder(const struct bench_args *ba, int argc, char **argv, struct bench_files *f)
{
    if (ba->out) {
        snprintf(f->dir, sizeof f->dir, "%s", ba->out);
        if (mkdir(f->dir, 0777) != 0 && errno != EEXIST)
            die_usage("bench: cannot create '%s': %s", f->dir, strerror(errno));
    } else if (make_run_dir(f->dir, sizeof f->dir) != 0) {
        die_usage("bench: cannot create a run folder under results/: %s", strerror(errno));
    }
    snprintf(f->raw, sizeof f->raw, "%s/raw.csv", f->dir);
    snprintf(f->summary, sizeof f->summary, "%s/summary.csv", f->dir);
    snprintf(f->timeline, sizeof f->timeline, "%s/timeline.csv", f->dir);
    snprintf(f->calibrate, sizeof f->calibrate, "%s/calibrate.csv", f->dir);
    snprintf(f->calibrate_end, sizeof f->calibrate_end, "%s/calibrate_end.csv", f->dir);
    char why[256];
    if (results_check_writable(f->raw, why, sizeof why) != 0)
        die_usage("bench: cannot write in '%s': %s", f->dir, why);
    if (write_meta(f->dir, ba->profile, ba->only, argc, argv) != 0)
        die_usage("bench: cannot write '%s/meta.txt'", f->dir);
}

/* One repetition of cell i in round rep: its row, if it has one. Returns 1
 * when the cell is done (it cannot run, or needs one row), -1 interrupted. */
static int bench_step(struct cell_spec *s, int rep, struct topo *tp, struct row_set *rows, int *status)
{
    char why[300], what[160], text[48];
    struct cell_result r;
    if (rep == 0 && cell_spec_validate(s, tp, why, sizeof why) != 0) {
        cell_result_set(&r, CELL_SKIPPED, why);
        rows_add(rows, s, 0, false, &r);
        return 1;
    }
    s->memory_pass = rep == 0; /* the warm-up: see cell.h */
    if (cell_run(s, tp, &r) != 0)
        return -1;
    if (r.status == CELL_NOT_APPLICABLE || r.status == CELL_UNAVAILABLE) {
        rows_add(rows, s, 0, false, &r);
        return 1;
    }
    int done = 0;
    if (r.status != CELL_OK) {
        progress_done();
        snprintf(what, sizeof what, "%s: %s on %s", s->group, s->strategy->name, s->workload->name);
        fprintf(stderr, "alloclab: %s: rep %d: %s %s\n", what, rep, cell_status_text(r.status, r.signal, text, sizeof text),
                r.message);
        *status = EXIT_MEASURE;
        done = rep == 0; /* its warm-up failed: do not repeat a cell that cannot run */
    }
    /* the warm-up is dropped unless it failed, or measured memory (rep 0) */
    if (rep > 0 || done || cell_result_has_memory(&r))
        rows_add(rows, s, rep, false, &r);
    return done;
}

/* Has a cell's wall time settled: at least `least` measured repetitions,
 * the 95% interval of their median within +-SETTLED of it? Then the cell
 * needs no more rounds: more repetitions would narrow nothing a verdict
 * hangs on, and the bench's time goes to the cells that vary. */
static bool settled(const struct row_set *rows, const struct cell_spec *s, int least)
{
    double v[64];
    int n = 0;
    for (size_t k = 0; k < rows->n && n < 64; k++)
        if (rows->rows[k].spec == s && rows->rows[k].r.status == CELL_OK && rows->rows[k].rep > 0)
            v[n++] = rows->rows[k].r.fig[FIG_WALL_NS];
    if (n < least)
        return false;
    struct interval x = interval_median(v, n);
    return !is_na(x.lo) && x.hi - x.lo <= 2 * SETTLED * x.value;
}

/* straddle.c's hook: one more repetition of cell i, numbered after its last. */
struct more_reps {
    struct cell_spec *cells;
    struct topo *tp;
    struct row_set *rows;
    const struct bench_files *f;
    int *status;
};

static int one_more_rep(void *arg, int i)
{
    struct more_reps *m = arg;
    int rep = 1;
    for (size_t k = 0; k < m->rows->n; k++)
        if (m->rows->rows[k].spec == &m->cells[i] && m->rows->rows[k].rep >= rep)
            rep = m->rows->rows[k].rep + 1;
    if (bench_step(&m->cells[i], rep, m->tp, m->rows, m->status) < 0)
        return -1;
    rows_sort(m->rows);
    if (results_write_raw(m->f->raw, m->rows) || results_write_summary(m->f->summary, m->rows) ||
        results_write_timeline(m->f->timeline, m->rows)) {
        *m->status = EXIT_MEASURE;
        return -2;
    }
    return 0;
}

/* A new order of the cells for each round (Fisher-Yates, seeded). */
static void shuffle(int *order, int n, uint64_t *seed)
{
    for (int i = 0; i < n; i++)
        order[i] = i;
    for (int i = n - 1; i > 0; i--) {
        int j = (int)(splitmix64(seed) % (uint64_t)(i + 1)), t = order[i];
        order[i] = order[j];
        order[j] = t;
    }
}

/* Rounds: every cell's warm-up, then every cell's first repetition, and so
 * on, each round in a shuffled order. A shared machine drifts over minutes;
 * interleaved, the drift lands on every strategy alike, and the ratios
 * between them hold; shuffled, no cell always follows the same neighbour. */
static int run_rounds(struct cell_spec *cells, int ncells, const struct profile *p, struct topo *tp,
                      const struct bench_files *f)
{
    int reps = p->reps;
    int status = EXIT_OK, total = ncells * (reps + 1), k = 0;
    bool *done = calloc((size_t)ncells + 1, sizeof *done);
    int *order = calloc((size_t)ncells + 1, sizeof *order);
    struct row_set rows = {0};
    uint64_t started = os_now_ns(), seed = BENCH_ORDER_SEED;
    for (int rep = 0; rep <= reps && done && order; rep++) {
        shuffle(order, ncells, &seed);
        for (int o = 0; o < ncells; o++, k++) {
            int i = order[o];
            if (done[i])
                continue;
            char what[160];
            snprintf(what, sizeof what, "%s: %s on %s", cells[i].group, cells[i].strategy->name,
                     cells[i].workload->name);
            progress(k, total, started, what);
            int got = bench_step(&cells[i], rep, tp, &rows, &status);
            if (got < 0) {
                status = 130;
                goto out;
            }
            done[i] = got == 1 || (rep >= p->reps_min && settled(&rows, &cells[i], p->reps_min));
            rows_sort(&rows);
            if (results_write_raw(f->raw, &rows) || results_write_summary(f->summary, &rows) ||
                results_write_timeline(f->timeline, &rows)) {
                fprintf(stderr, "alloclab: cannot write the results in '%s'\n", f->dir);
                status = EXIT_MEASURE; /* reported; the report is still written from what is there */
                goto out;
            }
        }
    }
    progress_done();
    struct more_reps more = {cells, tp, &rows, f, &status};
    if (straddle_extend(f->dir, p->name, &rows, cells, ncells, one_more_rep, &more) == -1)
        status = 130;
out:
    progress_done();
    free(done);
    free(order);
    rows_free(&rows);
    return status;
}

/* What a run folder gets once its cells are measured. */
static int analyse(const struct bench_args *ba, const struct bench_files *f, int status)
{
    if (!ba->only && c2_measure(f->dir, ba->profile->reps, straddle_budget(ba->profile->name).reps) != 0) {
        fprintf(stderr, "alloclab: the C2 benchmark failed; c2.csv is missing\n");
        status = EXIT_MEASURE;
    }
    static struct run_folder run; /* read back once, for every analysis */
    if (run_load(f->dir, &run) != 0) {
        fprintf(stderr, "alloclab: %s holds no summary.csv: no report\n", f->dir);
        return EXIT_MEASURE;
    }
    plots_render(&run);
    if (report_write(&run) != 0) {
        fprintf(stderr, "alloclab: cannot write %s/report.md\n", f->dir);
        status = EXIT_MEASURE;
    }
    printf("\nperformance targets:\n");
    targets_write(stdout, &run);
    if (claims_write(&run, stdout) != 0) {
        fprintf(stderr, "alloclab: cannot write %s/claims.md\n", f->dir);
        status = EXIT_MEASURE;
    }
    run_free(&run);
    return status;
}

int bench_main(int argc, char **argv)
{
    struct bench_args ba = {0};
    parse_bench_args(argc, argv, &ba);
    char err[ALLOC_ERR_LEN], why[768];
    struct topo tp;
    if (topo_init(&tp, err) != 0)
        die_usage("bench: %s", err);
    static struct cell_spec cells[MAX_CELLS];
    int ncells = plan_build(ba.profile, ba.only, &tp, cells, MAX_CELLS, why, sizeof why);
    if (ncells < 0)
        die_usage("bench: %s (try a smaller --profile)", why);
    if (ncells == 0)
        die_usage("bench: %s has no cells in profile %s", ba.only ? ba.only : "no workload", ba.profile->name);
    if (ba.dry_run) {
        print_plan(cells, ncells);
        topo_destroy(&tp);
        return EXIT_OK;
    }
    struct bench_files f;
    open_run_folder(&ba, argc, argv, &f);
    cell_install_interrupt_handlers();
    fprintf(stderr, "alloclab: profile %s, %d cells x (1 warm-up + %d to %d), into %s\n", ba.profile->name, ncells,
            ba.profile->reps_min, ba.profile->reps, f.dir);
    uint64_t started = os_now_ns();
    int status = EXIT_OK;
    if (calibrate_write(f.calibrate, ba.profile->calibrate_size, cells, ncells, false) != 0) {
        fprintf(stderr, "alloclab: the calibration failed; calibrate.csv is missing\n");
        status = EXIT_MEASURE;
    }
    int ran = run_rounds(cells, ncells, ba.profile, &tp, &f);
    topo_destroy(&tp);
    if (ran == 130) {
        fprintf(stderr, "alloclab: interrupted; the completed cells are in %s\n", f.dir);
        return 130;
    }
    /* the same limits again: did the machine drift while the cells ran? */
    if (calibrate_write(f.calibrate_end, ba.profile->calibrate_size, cells, ncells, true) != 0) {
        fprintf(stderr, "alloclab: the closing calibration failed; calibrate_end.csv is missing\n");
        status = EXIT_MEASURE;
    }
    status = analyse(&ba, &f, ran != EXIT_OK ? ran : status);
    fprintf(stderr, "alloclab: %.0f s; results in %s (report.md, claims.md)\n",
            (double)(os_now_ns() - started) / 1e9, f.dir);
    return status;
}
