/*
 * run.c - `alloclab run`: one cell, a warm-up and K measured repetitions.
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cell.h"
#include "cli.h"
#include "procmem.h"
#include "replay.h"
#include "results.h"
#include "run.h"
#include "support/os.h"

void progress(int k, int total, uint64_t started_ns, const char *what)
{
    if (!isatty(2))
        return;
    double elapsed = (double)(os_now_ns() - started_ns) / 1e9;
    double left = k > 0 ? elapsed / k * (total - k) : NAN;
    if (isnan(left))
        fprintf(stderr, "\r\033[K[%d/%d] %s, %.0f s elapsed", k + 1, total, what, elapsed);
    else
        fprintf(stderr, "\r\033[K[%d/%d] %s, %.0f s elapsed, about %.0f s left", k + 1, total, what, elapsed, left);
}

void progress_done(void)
{
    if (isatty(2))
        fputs("\r\033[K", stderr);
}

static const char run_usage[] =
    "usage: alloclab run --strategy S --workload W [--size 64M] [--workers N]\n"
    "         [--write-fraction F] [--pattern seq|random] [--reads N] [--reps K]\n"
    "         [--pin compact|scatter|none] [--thp never|always|default] [--seed N]\n"
    "         [--model threads|processes] [--oversubscribe] [--cell-timeout SEC]\n"
    "         [--options key=value,...] [--granule 4k|16k|64k] [--out FILE]\n"
    "         [--steps N] [--force]                         (overcommit)\n"
    "         [--ops N] [--window N] [--sizes uniform|heavy|fixed:N] [--cross-free F]   (churn)\n"
    "         [--trace FILE]                                (trace)\n";

int cell_spec_validate(struct cell_spec *spec, struct topo *tp, char *why, size_t whylen)
{
    const struct workload_params *p = &spec->params;
    if (spec->model == MODEL_THREADS && spec->strategy->model == MODEL_PROCESSES) {
        snprintf(why, whylen, "%s needs --model processes (its workers are forked children)", spec->strategy->name);
        return -1;
    }
    if (spec->workload->kind == WORKLOAD_HEAP) {
        if (!allocator_has_heap(spec->strategy))
            return 0; /* the cell itself reports it not applicable, with the reason */
        if (spec->model == MODEL_PROCESSES) {
            snprintf(why, whylen, "%s runs as threads sharing one heap: --model processes does not apply",
                     spec->workload->name);
            return -1;
        }
    } else if (p->size < 4096 || p->size % 4096) {
        snprintf(why, whylen, "--size must be a positive multiple of 4k, not %zu bytes", p->size);
        return -1;
    }
    int64_t available = meminfo_kib("MemAvailable");
    if (spec->workload->kind == WORKLOAD_VIEWS && available > 0) {
        if (p->size / 1024 > (size_t)available) {
            snprintf(why, whylen, "--size %zu MiB is more than this machine's available memory (%lld MiB)",
                     p->size >> 20, (long long)(available >> 10));
            return -1;
        }
        /* the worst case: every worker ends up with a full copy */
        double worst_kib = (double)(p->workers + 1) * (double)(p->size / 1024);
        if (worst_kib > 0.8 * (double)available && !spec->force) {
            snprintf(why, whylen,
                     "(workers + 1) x size = %.0f MiB if every worker copies, over 80%% of MemAvailable "
                     "(%lld MiB); add --force to run anyway",
                     worst_kib / 1024, (long long)(available >> 10));
            return -1;
        }
    }
    if (p->workers > tp->pus && !spec->oversubscribe) {
        snprintf(why, whylen,
                 "%d workers but only %d processing units may be used here (add --oversubscribe to run anyway)",
                 p->workers, tp->pus);
        return -1;
    }
    return 0;
}

static int parse_choice(const char *text, const char *const names[], int n)
{
    for (int i = 0; i < n; i++)
        if (!strcmp(text, names[i]))
            return i;
    return -1;
}

int run_main(int argc, char **argv)
{
    enum { O_STRATEGY = 256, O_WORKLOAD, O_SIZE, O_WORKERS, O_FRACTION, O_PATTERN, O_READS, O_REPS, O_PIN, O_THP,
           O_SEED, O_MODEL, O_OVERSUB, O_TIMEOUT, O_OPTIONS, O_GRANULE, O_OUT, O_HELP,
           O_STEPS, O_OPS, O_WINDOW, O_SIZES, O_CROSS, O_FORCE, O_TRACE };
    static const struct option opts[] = {
        {"strategy", required_argument, NULL, O_STRATEGY}, {"workload", required_argument, NULL, O_WORKLOAD},
        {"size", required_argument, NULL, O_SIZE}, {"workers", required_argument, NULL, O_WORKERS},
        {"write-fraction", required_argument, NULL, O_FRACTION}, {"pattern", required_argument, NULL, O_PATTERN},
        {"reads", required_argument, NULL, O_READS}, {"reps", required_argument, NULL, O_REPS},
        {"pin", required_argument, NULL, O_PIN}, {"thp", required_argument, NULL, O_THP},
        {"seed", required_argument, NULL, O_SEED}, {"model", required_argument, NULL, O_MODEL},
        {"oversubscribe", no_argument, NULL, O_OVERSUB}, {"cell-timeout", required_argument, NULL, O_TIMEOUT},
        {"options", required_argument, NULL, O_OPTIONS}, {"granule", required_argument, NULL, O_GRANULE},
        {"out", required_argument, NULL, O_OUT}, {"help", no_argument, NULL, O_HELP},
        {"steps", required_argument, NULL, O_STEPS}, {"ops", required_argument, NULL, O_OPS},
        {"window", required_argument, NULL, O_WINDOW}, {"sizes", required_argument, NULL, O_SIZES},
        {"cross-free", required_argument, NULL, O_CROSS}, {"force", no_argument, NULL, O_FORCE},
        {"trace", required_argument, NULL, O_TRACE},
        {NULL, 0, NULL, 0}};
    static const char *const patterns[] = {"seq", "random"};
    static const char *const pins[] = {"compact", "scatter", "none"};
    static const char *const thps[] = {"default", "never", "always"};
    static const char *const models[] = {"threads", "processes"};

    const char *strategy = NULL, *workload = NULL, *out = NULL;
    const char *size_arg = NULL, *workers_arg = NULL, *fraction_arg = NULL, *pattern_arg = NULL, *reads_arg = NULL;
    const char *seed_arg = NULL, *model_arg = NULL, *steps_arg = NULL, *ops_arg = NULL, *window_arg = NULL;
    const char *sizes_arg = NULL, *cross_arg = NULL, *trace_arg = NULL;
    long reps = 5;
    double timeout = 300;
    struct cell_spec spec = {.pin = PIN_COMPACT};
    int c;
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, "+", opts, NULL)) != -1) {
        long n;
        switch (c) {
        case O_STRATEGY: strategy = optarg; break;
        case O_WORKLOAD: workload = optarg; break;
        case O_SIZE: size_arg = optarg; break;
        case O_WORKERS: workers_arg = optarg; break;
        case O_FRACTION: fraction_arg = optarg; break;
        case O_PATTERN: pattern_arg = optarg; break;
        case O_READS: reads_arg = optarg; break;
        case O_SEED: seed_arg = optarg; break;
        case O_MODEL: model_arg = optarg; break;
        case O_OUT: out = optarg; break;
        case O_OPTIONS: spec.config.options = optarg; break;
        case O_OVERSUB: spec.oversubscribe = true; break;
        case O_FORCE: spec.force = true; break;
        case O_STEPS: steps_arg = optarg; break;
        case O_OPS: ops_arg = optarg; break;
        case O_WINDOW: window_arg = optarg; break;
        case O_SIZES: sizes_arg = optarg; break;
        case O_CROSS: cross_arg = optarg; break;
        case O_TRACE: trace_arg = optarg; break;
        case O_REPS: reps = long_option("run", "reps", optarg, 1, 1000); break;
        case O_TIMEOUT: timeout = (double)long_option("run", "cell-timeout", optarg, 1, 86400); break;
        case O_PIN:
            if ((n = parse_choice(optarg, pins, 3)) < 0)
                die_usage("run: --pin must be compact, scatter or none, not '%s'", optarg);
            spec.pin = (enum pin_mode)n;
            break;
        case O_THP:
            if ((n = parse_choice(optarg, thps, 3)) < 0)
                die_usage("run: --thp must be never, always or default, not '%s'", optarg);
            spec.config.thp = (enum thp_mode)n;
            break;
        case O_GRANULE: {
            size_t g;
            if (parse_size(optarg, &g) || g == 0)
                die_usage("run: --granule must be a size such as 4k, 16k or 64k, not '%s'", optarg);
            spec.config.granule = g;
            break;
        }
        case O_HELP: fputs(run_usage, stdout); return EXIT_OK;
        default: die_usage("run: unknown or incomplete option '%s' (try: alloclab run --help)", argv[optind - 1]);
        }
    }
    if (optind < argc)
        die_usage("run: unexpected argument '%s'", argv[optind]);
    if (!strategy || !workload)
        die_usage("run: --strategy and --workload are required (see: alloclab list)");
    if (!(spec.strategy = allocator_find(strategy)))
        die_usage("run: unknown strategy '%s' (see: alloclab list)", strategy);
    if (!(spec.workload = workload_find(workload)))
        die_usage("run: unknown workload '%s' (see: alloclab list)", workload);
    spec.params = spec.workload->defaults;
    spec.model = spec.strategy->model;
    spec.timeout_s = timeout;
    long n;
    if (size_arg && (parse_size(size_arg, &spec.params.size) || spec.params.size == 0))
        die_usage("run: --size must be a positive size such as 64M, not '%s'", size_arg);
    if (workers_arg)
        spec.params.workers = (int)long_option("run", "workers", workers_arg, 1, CELL_MAX_WORKERS);
    if (fraction_arg)
        spec.params.write_fraction = fraction_option("run", "write-fraction", fraction_arg);
    if (pattern_arg) {
        if ((n = parse_choice(pattern_arg, patterns, 2)) < 0)
            die_usage("run: --pattern must be seq or random, not '%s'", pattern_arg);
        spec.params.pattern = (enum pattern)n;
    }
    if (reads_arg)
        spec.params.reads = long_option("run", "reads", reads_arg, 0, 1000000000000L);
    if (seed_arg)
        spec.params.seed = (uint64_t)long_option("run", "seed", seed_arg, 0, 1L << 62);
    if (steps_arg)
        spec.params.steps = (int)long_option("run", "steps", steps_arg, 1, WORKLOAD_MAX_STEPS);
    if (ops_arg)
        spec.params.ops = long_option("run", "ops", ops_arg, 1, 100000000000L);
    if (window_arg)
        spec.params.window = long_option("run", "window", window_arg, 1, 1L << 24);
    if (sizes_arg) {
        size_t fixed;
        if (!strcmp(sizes_arg, "uniform"))
            spec.params.sizes = SIZES_UNIFORM;
        else if (!strcmp(sizes_arg, "heavy"))
            spec.params.sizes = SIZES_HEAVY;
        else if (!strncmp(sizes_arg, "fixed:", 6) && !parse_size(sizes_arg + 6, &fixed) && fixed > 0 &&
                 fixed <= (1u << 30)) {
            spec.params.sizes = SIZES_FIXED;
            spec.params.fixed_size = fixed;
        } else
            die_usage("run: --sizes must be uniform, heavy or fixed:N (N from 1 to 1G), not '%s'", sizes_arg);
    }
    if (cross_arg)
        spec.params.cross_free = fraction_option("run", "cross-free", cross_arg);
    if (trace_arg) {
        char terr[512];
        struct trace probe_trace;
        if (trace_load(trace_arg, &probe_trace, terr, sizeof terr) != 0)
            die_usage("run: %s", terr);
        trace_free(&probe_trace);
        spec.params.trace = trace_arg;
    }
    if (model_arg) {
        if ((n = parse_choice(model_arg, models, 2)) < 0)
            die_usage("run: --model must be threads or processes, not '%s'", model_arg);
        spec.model = (enum worker_model)n;
    }

    char err[ALLOC_ERR_LEN];
    struct topo tp;
    if (topo_init(&tp, err) != 0)
        die_usage("run: %s", err);
    char why[300];
    if (cell_spec_validate(&spec, &tp, why, sizeof why) != 0)
        die_usage("run: %s", why);
    /* the strategy's own options are checked by the strategy, up front */
    void *probe = spec.strategy->create(&spec.config, err);
    if (!probe)
        die_usage("run: %s: %s", spec.strategy->name, err);
    spec.strategy->destroy(probe);

    char raw_path[4096], summary_path[4096], timeline_path[4096];
    if (out) {
        snprintf(raw_path, sizeof raw_path, "%s", out);
        const char *slash = strrchr(out, '/');
        size_t dir = slash ? (size_t)(slash - out + 1) : 0;
        const char *base = out + dir;
        if (!strcmp(base, "raw.csv")) {
            snprintf(summary_path, sizeof summary_path, "%.*ssummary.csv", (int)dir, out);
            snprintf(timeline_path, sizeof timeline_path, "%.*stimeline.csv", (int)dir, out);
        } else {
            snprintf(summary_path, sizeof summary_path, "%s.summary.csv", out);
            snprintf(timeline_path, sizeof timeline_path, "%s.timeline.csv", out);
        }
        if (results_check_writable(raw_path, why, sizeof why) != 0)
            die_usage("run: cannot write '%s': %s", raw_path, why);
    }

    cell_install_interrupt_handlers();
    struct row_set rows = {0};
    bool oversubscribed = spec.params.workers > tp.pus;
    uint64_t started = os_now_ns();
    int status = EXIT_OK;
    for (long rep = 0; rep <= reps; rep++) {
        progress((int)rep, (int)reps + 1, started, rep ? "measuring" : "warm-up");
        struct cell_result r;
        if (cell_run(&spec, &tp, &r) != 0) {
            progress_done();
            fprintf(stderr, "alloclab: interrupted; %zu completed repetitions kept\n", rows.n);
            status = 130;
            break;
        }
        if (!strcmp(r.status, "not_applicable")) {
            progress_done();
            fprintf(stderr, "alloclab: %s on %s: not applicable: %s\n", spec.strategy->name, spec.workload->name,
                    r.message);
            rows_add(&rows, &spec, 0, oversubscribed, &r);
            if (out && (results_write_raw(raw_path, &rows) || results_write_summary(summary_path, &rows)))
                status = EXIT_MEASURE;
            break;
        }
        if (strcmp(r.status, "ok") != 0) {
            progress_done();
            fprintf(stderr, "alloclab: %s on %s, rep %ld: %s%s%s\n", spec.strategy->name, spec.workload->name, rep,
                    r.status, r.message[0] ? ": " : "", r.message);
            status = EXIT_MEASURE;
        }
        if (rep == 0 && !strcmp(r.status, "ok"))
            continue; /* the warm-up is dropped */
        rows_add(&rows, &spec, (int)rep, oversubscribed, &r);
        if (out && (results_write_raw(raw_path, &rows) || results_write_summary(summary_path, &rows) ||
                    (r.nsteps && results_write_timeline(timeline_path, &rows)))) {
            fprintf(stderr, "alloclab: cannot write '%s'\n", raw_path);
            status = EXIT_MEASURE;
            break;
        }
        if (rep == 0)
            break; /* a warm-up that failed: the cell cannot run, do not repeat it */
    }
    progress_done();
    if (!out && rows.n)
        results_print_raw(stdout, &rows);
    rows_free(&rows);
    topo_destroy(&tp);
    return status;
}
