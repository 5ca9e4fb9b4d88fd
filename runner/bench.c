/*
 * bench.c - `alloclab bench`: a profile's whole matrix into one run folder.
 *
 *   results/<YYYYmmdd-HHMMSS>-<host>/
 *     meta.txt        the machine, the build, the profile
 *     calibrate.csv   the machine's own limits
 *     raw.csv         every measured repetition of every cell
 *     summary.csv     median, min, max, MAD per cell
 *     timeline.csv    the overcommit memory samples
 *     *.png, *.svg    the figures (one gnuplot script each in plots/, when gnuplot is here)
 *     report.md       the tables a newcomer reads first
 *     claims.md       the verdict on each claim the suite tests
 *
 * Cells: "main" (every strategy on read_heavy, write_heavy, overcommit),
 * "sweep" (write_heavy over the write fractions), "churn" (threads 1..PUs),
 * "fork" (fork_cost over sizes), "thp" (COW writes with THP never/always).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "allocator.h"
#include "bench.h"
#include "cli.h"
#include "procmem.h"
#include "results.h"
#include "run.h"
#include "support/os.h"
#include "sysinfo.h"

#define MAX_CELLS 1024

struct profile {
    const char *name;
    size_t size;          /* main data set; 0: from MemAvailable */
    int workers;          /* 0: every usable PU */
    int reps;
    long reads;
    long churn_ops;
    size_t overcommit_size; /* 0: from MemAvailable */
    int steps;
    size_t fork_sizes[8];
    size_t calibrate_size;
    double timeout_s;
};

static const double sweep[] = {0, 0.001, 0.01, 0.05, 0.1, 0.25, 0.5, 1};
#define M (1u << 20)

static const struct profile profiles[] = {
    {"test", 4 * M, 2, 1, 20000, 50000, 8 * M, 2, {16 * M, 32 * M}, 8 * M, 60},
    {"quick", 16 * M, 2, 3, 200000, 2000000, 64 * M, 4, {16 * M, 64 * M, 256 * M}, 32 * M, 120},
    {"default", 64 * M, 2, 5, 1000000, 10000000, 512 * M, 8, {16 * M, 64 * M, 256 * M, 1024 * M}, 256 * M, 300},
    {"full", 0, 0, 7, 4000000, 10000000, 0, 16, {16 * M, 64 * M, 256 * M, 1024 * M, 4096 * M}, 1024 * M, 900},
};

long bench_profile_churn_ops(const char *name)
{
    for (size_t i = 0; i < sizeof profiles / sizeof *profiles; i++)
        if (!strcmp(profiles[i].name, name))
            return profiles[i].churn_ops;
    return -1;
}

static struct cell_spec cells[MAX_CELLS];
static int ncells;

static struct cell_spec *add_cell(const char *group, const struct allocator *a, const char *workload,
                                  const struct profile *p, int workers)
{
    if (ncells == MAX_CELLS)
        return NULL;
    struct cell_spec *s = &cells[ncells++];
    *s = (struct cell_spec){.group = group, .strategy = a, .workload = workload_find(workload), .model = a->model,
                            .pin = PIN_COMPACT, .timeout_s = p->timeout_s};
    s->params = s->workload->defaults;
    s->params.workers = workers;
    s->params.size = p->size;
    s->params.reads = p->reads;
    return s;
}

static void build_matrix(const struct profile *p, int pus, const char *only)
{
    int workers = p->workers ? p->workers : pus;
    if (workers > pus)
        workers = pus;
    for (size_t i = 0; allocator_registry[i]; i++) {
        const struct allocator *a = allocator_registry[i];
        add_cell("main", a, "read_heavy", p, workers);
        add_cell("main", a, "write_heavy", p, workers);
        struct cell_spec *oc = add_cell("main", a, "overcommit", p, workers);
        oc->params.size = p->overcommit_size;
        oc->params.steps = p->steps;
        for (size_t f = 0; f < sizeof sweep / sizeof *sweep; f++)
            add_cell("sweep", a, "write_heavy", p, workers)->params.write_fraction = sweep[f];
        for (int t = 1; t <= pus; t++) {
            struct cell_spec *c = add_cell("churn", a, "churn", p, t);
            c->params.ops = p->churn_ops;
            if (!allocator_has_heap(a))
                break; /* one not-applicable row says it */
        }
        if (a->view_open || a == allocator_find("system_malloc")) /* every COW strategy, and the baseline */
            for (int k = 0; k < 8 && p->fork_sizes[k]; k++) {
                struct cell_spec *c = add_cell("fork", a, "fork_cost", p, 1);
                c->params.size = p->fork_sizes[k];
            }
        if (a->view_open) /* copy-on-write: cost per write with huge pages off and on */
            for (int thp = THP_NEVER; thp <= THP_ALWAYS; thp++) {
                struct cell_spec *c = add_cell("thp", a, "write_heavy", p, 1);
                c->params.write_fraction = 0.01;
                c->params.pattern = PATTERN_RANDOM;
                c->config.thp = (enum thp_mode)thp;
            }
    }
    if (only) { /* keep one workload's cells */
        int k = 0;
        for (int i = 0; i < ncells; i++)
            if (!strcmp(cells[i].workload->name, only))
                cells[k++] = cells[i];
        ncells = k;
    }
}

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
    fprintf(f, "workload filter: %s\ncommand: alloclab", only ? only : "none");
    for (int i = 0; i < argc; i++)
        fprintf(f, " %s", argv[i]);
    fputc('\n', f);
    sysinfo_write(f);
    return atomic_commit(f, tmp, path);
}

/* Render the figures with plots/render.sh; its one message names any figure
 * that could not be drawn. */
static void render_figures(const char *dir, const char *profile)
{
    char script[4200];
    if (project_path("plots/render.sh", script, sizeof script) != 0) {
        fprintf(stderr, "alloclab: plots/render.sh not found: no figures drawn (the CSV files and report are written)\n");
        return;
    }
    pid_t pid = fork();
    if (pid == 0) {
        execlp("bash", "bash", script, dir, profile, (char *)NULL);
        _exit(127);
    }
    int status;
    if (pid > 0)
        waitpid(pid, &status, 0);
}

int bench_main(int argc, char **argv)
{
    static const struct option opts[] = {{"profile", required_argument, NULL, 'p'},
                                         {"out", required_argument, NULL, 'o'},
                                         {"workload", required_argument, NULL, 'w'},
                                         {NULL, 0, NULL, 0}};
    const char *profile_name = "default", *out = NULL, *only = NULL;
    int c;
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, "+", opts, NULL)) != -1) {
        if (c == 'p')
            profile_name = optarg;
        else if (c == 'o')
            out = optarg;
        else if (c == 'w')
            only = optarg;
        else
            die_usage("bench: unknown or incomplete option '%s'", argv[optind - 1]);
    }
    if (optind < argc)
        die_usage("bench: unexpected argument '%s'", argv[optind]);
    struct profile p = {0};
    for (size_t i = 0; i < sizeof profiles / sizeof *profiles; i++)
        if (!strcmp(profiles[i].name, profile_name))
            p = profiles[i];
    if (!p.name)
        die_usage("bench: unknown profile '%s' (test, quick, default or full)", profile_name);
    if (only && !workload_find(only))
        die_usage("bench: unknown workload '%s' (see: alloclab list)", only);

    char err[ALLOC_ERR_LEN];
    struct topo tp;
    if (topo_init(&tp, err) != 0)
        die_usage("bench: %s", err);
    int64_t available_kib = meminfo_kib("MemAvailable");
    if (available_kib <= 0)
        die_usage("bench: cannot read MemAvailable from /proc/meminfo");
    size_t available = (size_t)available_kib * 1024;
    if (!p.size) /* full: scale with the machine */
        p.size = round_up(available / 16 / (size_t)(tp.pus + 1), 4096) & ~(size_t)(M - 1);
    if (!p.overcommit_size)
        p.overcommit_size = round_up(available / 2 / (size_t)(tp.pus + 1), M) & ~(size_t)(M - 1);
    /* a machine too small for the profile is told so, not crashed */
    int workers = p.workers ? p.workers : tp.pus;
    if ((double)(workers + 1) * (double)p.overcommit_size > 0.8 * (double)available ||
        (double)(workers + 1) * (double)p.size > 0.8 * (double)available)
        die_usage("bench: profile %s needs about %zu MiB, over 80%% of this machine's available %zu MiB; try "
                  "--profile quick",
                  p.name, (size_t)(workers + 1) * p.overcommit_size >> 20, available >> 20);
    for (int k = 0; k < 8 && p.fork_sizes[k]; k++)
        if (2.5 * (double)p.fork_sizes[k] > 0.8 * (double)available)
            p.fork_sizes[k] = 0; /* the largest fork sizes only where they fit */

    char dir[4096];
    if (out) {
        snprintf(dir, sizeof dir, "%s", out);
        if (mkdir(dir, 0777) != 0 && errno != EEXIST)
            die_usage("bench: cannot create '%s': %s", dir, strerror(errno));
    } else if (make_run_dir(dir, sizeof dir) != 0) {
        die_usage("bench: cannot create a run folder under results/: %s", strerror(errno));
    }
    char raw[4200], summary[4200], timeline[4200], calibrate[4200], why[256];
    snprintf(raw, sizeof raw, "%s/raw.csv", dir);
    snprintf(summary, sizeof summary, "%s/summary.csv", dir);
    snprintf(timeline, sizeof timeline, "%s/timeline.csv", dir);
    snprintf(calibrate, sizeof calibrate, "%s/calibrate.csv", dir);
    if (results_check_writable(raw, why, sizeof why) != 0)
        die_usage("bench: cannot write in '%s': %s", dir, why);
    if (write_meta(dir, &p, only, argc, argv) != 0)
        die_usage("bench: cannot write '%s/meta.txt'", dir);

    build_matrix(&p, tp.pus, only);
    cell_install_interrupt_handlers();
    int status = EXIT_OK;
    fprintf(stderr, "alloclab: profile %s, %d cells x (1 warm-up + %d), into %s\n", p.name, ncells, p.reps, dir);
    uint64_t started = os_now_ns();
    if (calibrate_write(calibrate, p.calibrate_size, p.reps, p.churn_ops) != 0) {
        fprintf(stderr, "alloclab: the calibration failed; calibrate.csv is missing\n");
        status = EXIT_MEASURE;
    }
    struct row_set rows = {0};
    int interrupted = 0, write_failed = 0;
    /* Rounds: every cell's warm-up, then every cell's first repetition, and
     * so on. A shared machine drifts over minutes; interleaved, the drift
     * lands on every strategy alike, and the ratios between them hold. */
    enum { RUN, DONE } *state = calloc((size_t)ncells + 1, sizeof *state);
    if (!state)
        die_usage("bench: out of memory");
    int total = ncells * (p.reps + 1), k = 0;
    for (int rep = 0; rep <= p.reps && !interrupted && !write_failed; rep++) {
        for (int i = 0; i < ncells && !interrupted && !write_failed; i++, k++) {
            struct cell_spec *s = &cells[i];
            if (state[i] == DONE)
                continue;
            char what[160];
            snprintf(what, sizeof what, "%s: %s on %s", s->group, s->strategy->name, s->workload->name);
            progress(k, total, started, what);
            struct cell_result r;
            if (rep == 0 && cell_spec_validate(s, &tp, why, sizeof why) != 0) {
                r = (struct cell_result){0};
                snprintf(r.status, sizeof r.status, "skipped");
                snprintf(r.message, sizeof r.message, "%s", why);
                rows_add(&rows, s, 0, false, &r);
                state[i] = DONE;
            } else if (cell_run(s, &tp, &r) != 0) {
                interrupted = 1;
                break;
            } else if (!strcmp(r.status, "not_applicable")) {
                rows_add(&rows, s, 0, false, &r);
                state[i] = DONE;
            } else {
                if (strcmp(r.status, "ok") != 0) {
                    progress_done();
                    fprintf(stderr, "alloclab: %s: rep %d: %s %s\n", what, rep, r.status, r.message);
                    status = EXIT_MEASURE;
                    if (rep == 0)
                        state[i] = DONE; /* its warm-up failed: do not repeat a cell that cannot run */
                }
                if (rep > 0 || state[i] == DONE) /* the warm-up is dropped unless it failed */
                    rows_add(&rows, s, rep, s->params.workers > tp.pus, &r);
            }
            rows_sort(&rows);
            if (results_write_raw(raw, &rows) || results_write_summary(summary, &rows) ||
                results_write_timeline(timeline, &rows)) {
                fprintf(stderr, "alloclab: cannot write the results in '%s'\n", dir);
                status = EXIT_MEASURE;
                write_failed = 1; /* reported; the report is still written from what is there */
            }
        }
    }
    free(state);
    progress_done();
    rows_free(&rows);
    topo_destroy(&tp);
    if (interrupted) {
        fprintf(stderr, "alloclab: interrupted; the completed cells are in %s\n", dir);
        return 130;
    }
    if (!only && claims_measure_c2(dir, p.reps) != 0) {
        fprintf(stderr, "alloclab: the C2 benchmark failed; c2.csv is missing\n");
        status = EXIT_MEASURE;
    }
    render_figures(dir, p.name);
    if (report_write(dir) != 0) {
        fprintf(stderr, "alloclab: cannot write %s/report.md\n", dir);
        status = EXIT_MEASURE;
    }
    char path[4300];
    struct csv sum, cal;
    snprintf(path, sizeof path, "%s/summary.csv", dir);
    if (csv_load(path, &sum) == 0) {
        snprintf(path, sizeof path, "%s/calibrate.csv", dir);
        int have_cal = csv_load(path, &cal) == 0;
        printf("\nperformance targets:\n");
        targets_write(stdout, &sum, have_cal ? &cal : NULL, p.name);
        csv_free(&sum);
        if (have_cal)
            csv_free(&cal);
    }
    if (claims_write(dir, stdout) != 0) {
        fprintf(stderr, "alloclab: cannot write %s/claims.md\n", dir);
        status = EXIT_MEASURE;
    }
    fprintf(stderr, "alloclab: %.0f s; results in %s (report.md, claims.md)\n",
            (double)(os_now_ns() - started) / 1e9, dir);
    return status;
}
