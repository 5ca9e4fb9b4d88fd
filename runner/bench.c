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
#include "estimate.h"
#include "plan.h"
#include "results.h"
#include "resume.h"
#include "run.h"
#include "straddle.h"
#include "support/os.h"
#include "sysinfo.h"

#define MAX_CELLS 2048
#define BENCH_ORDER_SEED 1 /* recorded in meta.txt */
#define SETTLED 0.05       /* see settled() */
#define WRITE_EVERY_NS (2000ull * 1000 * 1000) /* a slow disk's fsyncs, or thousands of rows, cost each write */

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

/* What the plan is on this machine: for meta.txt and --dry-run. */
struct bench_plan_info {
    struct cell_spec *cells;
    int ncells;
    struct plan_notes notes;
    struct estimate est;
    double fault_scale; /* estimate.h */
};

static void plan_info_write(FILE *f, const struct profile *p, const struct bench_plan_info *pi, const struct topo *tp)
{
    char total[32], cells[32], files[32], fixed[32], more[32];
    estimate_text(pi->est.total_s, total, sizeof total);
    estimate_text(pi->est.cells_s, cells, sizeof cells);
    estimate_text(pi->est.files_s, files, sizeof files);
    estimate_text(pi->est.fixed_s, fixed, sizeof fixed);
    estimate_text(pi->est.more_s, more, sizeof more);
    fprintf(f, "cells: %d\nestimated time: %s on this machine (%.0f s: the cells' %.0f runs %s, the result files %s, "
               "calibrations, C2 and figures %s, more repetitions where a verdict straddles up to %s; %d to %d "
               "repetitions a cell, estimated at %.1f; page faults at %.2fx the costs' %.1f us)\n",
            pi->ncells, total, pi->est.total_s, pi->est.runs, cells, files, fixed, more, p->reps_min, p->reps,
            (p->reps_min + p->reps) / 2.0, pi->fault_scale, ESTIMATE_FAULT_NS / 1000);
    fprintf(f, "placement: %d processing unit(s), %d core(s), %d package(s), %d NUMA node(s) usable; pin compact: one "
               "worker per core, node by node, SMT siblings once every core has one; pin cross: worker i on node "
               "i mod %d\n", tp->pus, tp->cores, tp->packages, tp->nodes, tp->nodes);
    for (int i = 0; i < pi->notes.n; i++)
        fprintf(f, "fitted to this machine: %s\n", pi->notes.line[i]);
}

static int write_meta(const char *dir, const struct profile *p, const char *only, int argc, char **argv,
                      const struct bench_plan_info *pi, const struct topo *tp)
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
    plan_info_write(f, p, pi, tp);
    sysinfo_write(f);
    return atomic_commit(f, tmp, path);
}

struct bench_args {
    const struct profile *profile;
    const char *out, *only, *resume;
    bool dry_run;
};

/* --resume DIR: the profile and workload filter are DIR's; one given that
 * differs is refused, as is --out (the run goes on in DIR). */
static void resume_args(struct bench_args *ba, const char *profile)
{
    static char only[64];
    char why[4400];
    const struct profile *was;
    if (resume_settings(ba->resume, &was, only, sizeof only, why, sizeof why) != 0)
        die_usage("bench: --resume: %s", why);
    if (profile && strcmp(profile, was->name))
        die_usage("bench: --resume: '%s' is a run of profile %s, not %s", ba->resume, was->name, profile);
    if (ba->only && strcmp(ba->only, only))
        die_usage("bench: --resume: '%s' is a run of %s, not of %s", ba->resume, *only ? only : "every workload",
                  ba->only);
    if (ba->out)
        die_usage("bench: --resume goes on in '%s' itself: --out does not apply", ba->resume);
    ba->profile = was;
    ba->only = *only ? only : NULL;
}

static void parse_bench_args(int argc, char **argv, struct bench_args *ba)
{
    static const struct option opts[] = {{"profile", required_argument, NULL, 'p'},
                                         {"out", required_argument, NULL, 'o'},
                                         {"workload", required_argument, NULL, 'w'},
                                         {"dry-run", no_argument, NULL, 'n'},
                                         {"resume", required_argument, NULL, 'r'},
                                         {NULL, 0, NULL, 0}};
    const char *profile = NULL;
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
        else if (c == 'r')
            ba->resume = optarg;
        else
            die_usage("bench: unknown or incomplete option '%s'", argv[optind - 1]);
    }
    if (optind < argc)
        die_usage("bench: unexpected argument '%s'", argv[optind]);
    if (profile && !profile_find(profile))
        die_usage("bench: unknown profile '%s' (%s)", profile, profile_names());
    if (ba->only && !workload_find(ba->only))
        die_usage("bench: unknown workload '%s' (see: alloclab list)", ba->only);
    ba->profile = profile_find(profile ? profile : "default");
    if (ba->resume)
        resume_args(ba, profile);
}

/* The planned cells, one a line, for --dry-run: the knobs, and the
 * settings that are not the defaults; on two NUMA nodes or more, the nodes
 * the placement puts the workers on. */
static void print_plan(const struct profile *p, const struct cell_spec *cells, int n, struct topo *tp,
                       double fault_scale)
{
    for (int i = 0; i < n; i++) {
        const struct cell_spec *s = &cells[i];
        printf("%-6s %-16s %-12s", s->group, s->strategy->name, s->workload->name);
        for (size_t k = 0; s->workload->knobs[k].name; k++) {
            char v[256];
            param_format(&s->workload->knobs[k], s->knob[k], v, sizeof v);
            printf(" %s=%s", s->workload->knobs[k].name, v);
        }
        printf("%s%s", s->config.thp == THP_NEVER ? " thp=never" : s->config.thp == THP_ALWAYS ? " thp=always" : "",
               s->model != s->strategy->model ? (s->model == MODEL_PROCESSES ? " model=processes" : " model=threads")
                                              : "");
        if (s->pin != PIN_COMPACT)
            printf(" pin=%s", pin_mode_name(s->pin));
        char nodes[CELL_WHERE_LEN];
        if (tp->nodes > 1 && (topo_plan_nodes(tp, s->pin, (int)cell_knob(s, "workers"), nodes, sizeof nodes), 1))
            printf(" nodes=%s", nodes);
        double runs = estimate_runs(p, s);
        printf(" (%.0f run%s, about %.1f s)\n", runs, runs == 1 ? "" : "s", runs * estimate_run_s(s, fault_scale));
    }
}

struct bench_files {
    char dir[4096], raw[4200], summary[4200], timeline[4200], calibrate[4200], calibrate_end[4200];
};

static void open_run_folder(const struct bench_args *ba, int argc, char **argv, const struct bench_plan_info *pi,
                            const struct topo *tp, struct bench_files *f)
{
    if (ba->resume) {
        snprintf(f->dir, sizeof f->dir, "%s", ba->resume);
    } else if (ba->out) {
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
    if (!ba->resume && write_meta(f->dir, ba->profile, ba->only, argc, argv, pi, tp) != 0)
        die_usage("bench: cannot write '%s/meta.txt'", f->dir);
}

/* One repetition of cell i in round rep: its row, if it has one. Returns 1
 * when the cell is done (it cannot run, or needs one row), -1 interrupted. */
static int bench_step(struct cell_spec *s, int rep, struct topo *tp, struct row_set *rows, int *status)
{
    char why[300], what[160], text[48];
    struct cell_result r = {0}; /* a skipped cell's row: no timeline, pus or nodes */
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

static int write_results(const struct bench_files *f, struct row_set *rows)
{
    rows_sort(rows);
    if (results_write_raw(f->raw, rows) || results_write_summary(f->summary, rows) ||
        results_write_timeline(f->timeline, rows)) {
        fprintf(stderr, "alloclab: cannot write the results in '%s'\n", f->dir);
        return -1;
    }
    return 0;
}

/* Where each cell starts: its warm-up (0), or, in a resumed run, the
 * repetition after the last it has; -1 when it needs none (it could not
 * run, its warm-up failed, or it has its repetitions). */
static void first_reps(const struct cell_spec *cells, int ncells, const struct profile *p, const struct row_set *rows,
                       int *next)
{
    for (int i = 0; i < ncells; i++) {
        int last = -1;
        bool over = false;
        for (size_t k = 0; k < rows->n; k++)
            if (rows->rows[k].spec == &cells[i]) {
                last = rows->rows[k].rep > last ? rows->rows[k].rep : last;
                over |= rows->rows[k].rep == 0 && rows->rows[k].r.status != CELL_OK; /* it never runs */
            }
        over |= last >= p->reps || (last >= p->reps_min && settled(rows, &cells[i], p->reps_min));
        next[i] = over ? -1 : last + 1 > 0 ? last + 1 : 0;
    }
}

/* Rounds: every cell's warm-up, then every cell's first repetition, and so
 * on, each round in a shuffled order. A shared machine drifts over minutes;
 * interleaved, the drift lands on every strategy alike, and the ratios
 * between them hold; shuffled, no cell always follows the same neighbour.
 * rows holds a resumed run's rows: its cells go on from where they were.
 * The result files are rewritten at most every WRITE_EVERY_NS, after the
 * last round, and when interrupted. */
static int run_rounds(struct cell_spec *cells, int ncells, const struct profile *p, struct topo *tp,
                      const struct bench_files *f, struct row_set *rows)
{
    int status = EXIT_OK, total = 0, k = 0;
    int *next = calloc((size_t)ncells + 1, sizeof *next), *order = calloc((size_t)ncells + 1, sizeof *order);
    uint64_t started = os_now_ns(), written = started, seed = BENCH_ORDER_SEED;
    if (next)
        first_reps(cells, ncells, p, rows, next);
    for (int i = 0; next && i < ncells; i++)
        total += next[i] < 0 ? 0 : p->reps + 1 - next[i];
    for (int rep = 0; rep <= p->reps && next && order && status != 130; rep++) {
        shuffle(order, ncells, &seed);
        for (int o = 0; o < ncells && status != 130; o++) {
            int i = order[o];
            if (next[i] < 0 || rep < next[i])
                continue; /* done, or a resumed cell's repetition it has */
            char what[160];
            snprintf(what, sizeof what, "%s: %s on %s", cells[i].group, cells[i].strategy->name,
                     cells[i].workload->name);
            progress(k++, total, started, what);
            int got = bench_step(&cells[i], rep, tp, rows, &status);
            if (got < 0) {
                status = 130;
                break;
            }
            if (got == 1 || (rep >= p->reps_min && settled(rows, &cells[i], p->reps_min)))
                next[i] = -1;
            if (os_now_ns() - written >= WRITE_EVERY_NS) {
                written = os_now_ns();
                if (write_results(f, rows) != 0)
                    status = EXIT_MEASURE; /* reported; the report is still written from what is there */
            }
        }
    }
    progress_done();
    /* the verdicts' straddling cells read the rows back: written first */
    struct more_reps more = {cells, tp, rows, f, &status};
    if (status != 130 && write_results(f, rows) == 0 &&
        straddle_extend(f->dir, p->name, rows, cells, ncells, one_more_rep, &more) == -1)
        status = 130;
    progress_done();
    if (write_results(f, rows) != 0 && status != 130)
        status = EXIT_MEASURE;
    free(next);
    free(order);
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

/* meta.txt with one more line at its end, rewritten whole; 0 or -1 */
static int meta_append(const char *dir, const char *line)
{
    char path[4200], tmp[4300], buf[4096];
    snprintf(path, sizeof path, "%s/meta.txt", dir);
    FILE *in = fopen(path, "r");
    if (!in)
        return -1;
    FILE *out = atomic_open(path, tmp, sizeof tmp);
    for (size_t n; out && (n = fread(buf, 1, sizeof buf, in)) > 0;)
        fwrite(buf, 1, n, out);
    fclose(in);
    if (!out)
        return -1;
    fprintf(out, "%s\n", line);
    return atomic_commit(out, tmp, path);
}

static double seconds_since(uint64_t *mark)
{
    uint64_t now = os_now_ns();
    double s = (double)(now - *mark) / 1e9;
    *mark = now;
    return s;
}

/* The calibrations, the cells and the analysis, each timed into meta.txt's
 * `took:` line beside the estimate; the exit status. */
static int bench_run(const struct bench_args *ba, struct bench_plan_info *pi, struct topo *tp,
                     const struct bench_files *f, struct row_set *rows)
{
    double took[4] = {0};
    uint64_t started = os_now_ns(), mark = started;
    int status = EXIT_OK;
    struct stat st;
    bool calibrated = ba->resume && stat(f->calibrate, &st) == 0 && st.st_size > 0; /* the first session's */
    if (!calibrated && calibrate_write(f->calibrate, ba->profile->calibrate_size, pi->cells, pi->ncells, false) != 0) {
        fprintf(stderr, "alloclab: the calibration failed; calibrate.csv is missing\n");
        status = EXIT_MEASURE;
    }
    took[0] = seconds_since(&mark);
    int ran = run_rounds(pi->cells, pi->ncells, ba->profile, tp, f, rows);
    took[1] = seconds_since(&mark);
    if (ran == 130) {
        fprintf(stderr, "alloclab: interrupted; the completed cells are in %s (bench --resume %s goes on)\n",
                f->dir, f->dir);
        return 130;
    }
    /* the same limits again: did the machine drift while the cells ran? */
    if (calibrate_write(f->calibrate_end, ba->profile->calibrate_size, pi->cells, pi->ncells, true) != 0) {
        fprintf(stderr, "alloclab: the closing calibration failed; calibrate_end.csv is missing\n");
        status = EXIT_MEASURE;
    }
    took[2] = seconds_since(&mark);
    status = analyse(ba, f, ran != EXIT_OK ? ran : status);
    took[3] = seconds_since(&mark);
    double total = (double)(os_now_ns() - started) / 1e9;
    char line[512], text[32], est[32];
    estimate_text(total, text, sizeof text);
    estimate_text(pi->est.total_s, est, sizeof est);
    snprintf(line, sizeof line, "took: %s (%.0f s: calibration %.0f s, cells %.0f s, closing calibration %.0f s, "
             "C2, figures and report %.0f s), estimated %s", text, total, took[0], took[1], took[2], took[3], est);
    if (meta_append(f->dir, line) != 0)
        fprintf(stderr, "alloclab: cannot add the time taken to %s/meta.txt\n", f->dir);
    fprintf(stderr, "alloclab: %s, estimated %s; results in %s (report.md, claims.md)\n", text, est, f->dir);
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
    static struct bench_plan_info pi;
    pi.cells = cells;
    pi.ncells = plan_build(ba.profile, ba.only, &tp, cells, MAX_CELLS, &pi.notes, why, sizeof why);
    if (pi.ncells < 0)
        die_usage("bench: %s (try a smaller --profile)", why);
    if (pi.ncells == 0)
        die_usage("bench: %s has no cells in profile %s", ba.only ? ba.only : "no workload", ba.profile->name);
    pi.fault_scale = estimate_fault_scale();
    estimate_bench(ba.profile, cells, pi.ncells, !ba.only, pi.fault_scale, &pi.est);
    if (ba.dry_run) {
        print_plan(ba.profile, cells, pi.ncells, &tp, pi.fault_scale);
        plan_info_write(stdout, ba.profile, &pi, &tp);
        topo_destroy(&tp);
        return EXIT_OK;
    }
    struct row_set rows = {0};
    if (ba.resume && resume_rows(ba.resume, cells, pi.ncells, &rows, why, sizeof why) != 0)
        die_usage("bench: --resume: %s", why);
    struct bench_files f;
    open_run_folder(&ba, argc, argv, &pi, &tp, &f);
    cell_install_interrupt_handlers();
    char est[32], line[512];
    estimate_text(pi.est.total_s, est, sizeof est);
    if (ba.resume) {
        time_t now = time(NULL);
        char date[64];
        strftime(date, sizeof date, "%Y-%m-%d %H:%M:%S %z", localtime(&now));
        snprintf(line, sizeof line, "resumed: %s, %zu rows kept", date,
                 rows.n);
        if (meta_append(f.dir, line) != 0)
            die_usage("bench: --resume: cannot write '%s/meta.txt'", f.dir);
    }
    fprintf(stderr, "alloclab: profile %s, %d cells x (1 warm-up + %d to %d), estimated %s%s, into %s\n",
            ba.profile->name, pi.ncells, ba.profile->reps_min, ba.profile->reps, est,
            ba.resume ? " from the start (those done are kept)" : "", f.dir);
    int status = bench_run(&ba, &pi, &tp, &f, &rows);
    rows_free(&rows);
    topo_destroy(&tp);
    return status;
}
