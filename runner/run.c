/*
 * run.c - `alloclab run`: one cell, a warm-up and K measured repetitions.
 *
 * The options are the run's own (below) and the workload's knobs, taken
 * from its table: --size, --write-fraction, --ops ... exist because a
 * workload declares them, and only for that workload.
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "procmem.h"
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
    "usage: alloclab run --strategy S --workload W [knobs of W] [--reps K]\n"
    "         [--pin compact|scatter|cross|none] [--thp never|always|default]\n"
    "         [--model threads|processes] [--oversubscribe] [--cell-timeout SEC] [--force]\n"
    "         [--options key=value,...] [--granule SIZE] [--out FILE]\n";

void run_print_usage(FILE *f)
{
    fputs(run_usage, f);
    fputs("\nknobs (each workload's own; `alloclab list --verbose` gives their ranges):\n", f);
    for (size_t w = 0; workload_registry[w]; w++) {
        const struct workload *wl = workload_registry[w];
        fprintf(f, "  %-12s", wl->name);
        for (size_t i = 0; wl->knobs[i].name; i++)
            fprintf(f, " --%s %s", wl->knobs[i].name, wl->knobs[i].def);
        fputc('\n', f);
    }
    fputs("\n--granule SIZE is short for --options granule=SIZE (mprotect_cow).\n"
          "--force runs past the memory guard ((workers + 1) x size over 80% of MemAvailable).\n"
          "run --workload W --help: W's knobs, with their values and what they mean.\n",
          f);
}

/* one workload's knobs in full, for run --workload W --help */
static void print_knobs(const struct workload *w)
{
    printf("\n%s: %s\nknobs:\n", w->name, w->summary);
    for (size_t i = 0; w->knobs[i].name; i++) {
        char range[160];
        param_describe_range(&w->knobs[i], range, sizeof range);
        printf("  --%-15s %-10s %s; %s\n", w->knobs[i].name, w->knobs[i].def, range, w->knobs[i].help);
    }
}

int cell_spec_validate(struct cell_spec *spec, struct topo *tp, char *why, size_t whylen)
{
    int workers = (int)cell_knob(spec, "workers");
    size_t size = cell_knob(spec, "size");
    if (os_page_size() != PAGE_BYTES) {
        snprintf(why, whylen, "alloclab counts in %d-byte pages; this machine's page is %zu bytes", PAGE_BYTES,
                 os_page_size());
        return -1;
    }
    if (spec->model == MODEL_THREADS && spec->strategy->model == MODEL_PROCESSES) {
        snprintf(why, whylen, "%s needs --model processes (its workers are forked children)", spec->strategy->name);
        return -1;
    }
    if (spec->workload->shares_data && spec->workload->shares_data(spec->knob) && spec->model != MODEL_THREADS) {
        snprintf(why, whylen, "a control cell takes no view: its workers read the data set in place, as threads "
                              "(forked children would fault on every first read); run it on a threads strategy");
        return -1;
    }
    if (cell_is_plain_loop(spec) && !spec->workload->plain_loop) {
        snprintf(why, whylen, "%s has no plain loop: the harness-free control runs on churn, larson and "
                              "producer_consumer's kind of workload only (a workload with .plain_loop)",
                 spec->workload->name);
        return -1;
    }
    char werr[WORKLOAD_ERR_LEN];
    if (spec->workload->validate && spec->workload->validate(spec->knob, workers, spec->strategy, werr) != 0) {
        snprintf(why, whylen, "%s", werr);
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
    }
    double available = meminfo_kib("MemAvailable");
    if (spec->workload->kind == WORKLOAD_VIEWS && available > 0) {
        if ((double)(size / 1024) > available) {
            snprintf(why, whylen, "--size %zu MiB is more than this machine's available memory (%.0f MiB)",
                     size >> 20, available / 1024);
            return -1;
        }
        /* the worst case: every worker ends up with a full copy */
        double worst_kib = (double)(workers + 1) * (double)(size / 1024);
        if (worst_kib > RUN_MEMORY_GUARD * available && !spec->force) {
            snprintf(why, whylen,
                     "(workers + 1) x size = %.0f MiB if every worker copies, over %.0f%% of MemAvailable "
                     "(%.0f MiB); add --force to run anyway",
                     worst_kib / 1024, 100 * RUN_MEMORY_GUARD, available / 1024);
            return -1;
        }
    }
    if (workers > tp->pus && !spec->oversubscribe) {
        snprintf(why, whylen,
                 "%d workers but only %d processing units may be used here (add --oversubscribe to run anyway)",
                 workers, tp->pus);
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

/* The value of --name in argv, before the full parse (which needs the workload). */
static const char *find_arg(int argc, char **argv, const char *name)
{
    size_t len = strlen(name);
    for (int i = 1; i < argc; i++) {
        if (!strncmp(argv[i], "--", 2) && !strncmp(argv[i] + 2, name, len)) {
            if (argv[i][2 + len] == '=')
                return argv[i] + 3 + len;
            if (!argv[i][2 + len] && i + 1 < argc)
                return argv[i + 1];
        }
    }
    return NULL;
}

enum run_opt { O_STRATEGY = 256, O_WORKLOAD, O_REPS, O_PIN, O_THP, O_MODEL, O_OVERSUB, O_TIMEOUT, O_OPTIONS,
               O_GRANULE, O_OUT, O_HELP, O_FORCE, O_KNOB = 1000 };

struct run_args {
    struct cell_spec spec;
    const char *out, *granule;
    const char *named[2]; /* --strategy and --workload as getopt saw them */
    long reps;
};

/* One option of the run's own (not a knob). */
static void run_option(struct run_args *ra, int c, const char *arg)
{
    static const char *const thps[] = {"default", "never", "always"};
    static const char *const models[] = {"threads", "processes"};
    int n;
    switch (c) {
    case O_STRATEGY: case O_WORKLOAD: ra->named[c - O_STRATEGY] = arg; break; /* read before the parse too */
    case O_OUT: ra->out = arg; break;
    case O_OPTIONS: ra->spec.options = arg; break;
    case O_GRANULE: ra->granule = arg; break;
    case O_OVERSUB: ra->spec.oversubscribe = true; break;
    case O_FORCE: ra->spec.force = true; break;
    case O_REPS: ra->reps = long_option("run", "reps", arg, 1, 1000); break;
    case O_TIMEOUT: ra->spec.timeout_s = (double)long_option("run", "cell-timeout", arg, 1, 86400); break;
    case O_PIN:
        if ((n = pin_mode_parse(arg)) < 0)
            die_usage("run: --pin must be compact, scatter, cross or none, not '%s'", arg);
        ra->spec.pin = (enum pin_mode)n;
        break;
    case O_THP:
        if ((n = parse_choice(arg, thps, 3)) < 0)
            die_usage("run: --thp must be never, always or default, not '%s'", arg);
        ra->spec.config.thp = (enum thp_mode)n;
        break;
    case O_MODEL:
        if ((n = parse_choice(arg, models, 2)) < 0)
            die_usage("run: --model must be threads or processes, not '%s'", arg);
        ra->spec.model = (enum worker_model)n;
        break;
    default: break;
    }
}

/* The run's options and the workload's knobs, as getopt wants them. */
static void build_options(const struct workload *w, struct option *opts)
{
    static const struct option own[] = {
        {"strategy", required_argument, NULL, O_STRATEGY}, {"workload", required_argument, NULL, O_WORKLOAD},
        {"reps", required_argument, NULL, O_REPS}, {"pin", required_argument, NULL, O_PIN},
        {"thp", required_argument, NULL, O_THP}, {"model", required_argument, NULL, O_MODEL},
        {"oversubscribe", no_argument, NULL, O_OVERSUB}, {"cell-timeout", required_argument, NULL, O_TIMEOUT},
        {"options", required_argument, NULL, O_OPTIONS}, {"granule", required_argument, NULL, O_GRANULE},
        {"out", required_argument, NULL, O_OUT}, {"help", no_argument, NULL, O_HELP},
        {"force", no_argument, NULL, O_FORCE}};
    size_t n = sizeof own / sizeof *own;
    memcpy(opts, own, sizeof own);
    for (size_t i = 0; w && w->knobs[i].name; i++)
        opts[n++] = (struct option){w->knobs[i].name, required_argument, NULL, O_KNOB + (int)i};
    opts[n] = (struct option){NULL, 0, NULL, 0};
}

/* An option the workload does not have: say whose knob it is, if anyone's. */
static void unknown_option(const struct workload *w, const char *arg)
{
    const char *name = arg + strspn(arg, "-");
    char bare[64];
    snprintf(bare, sizeof bare, "%.*s", (int)strcspn(name, "="), name);
    for (size_t k = 0; w && workload_registry[k]; k++)
        if (params_find(workload_registry[k]->knobs, bare) >= 0)
            die_usage("run: --%s is a knob of %s, not of %s (see: alloclab list --verbose)", bare,
                      workload_registry[k]->name, w->name);
    die_usage("run: unknown or incomplete option '%s' (try: alloclab run --help)", arg);
}

static void parse_run_args(int argc, char **argv, struct run_args *ra)
{
    const char *strategy = find_arg(argc, argv, "strategy"), *workload = find_arg(argc, argv, "workload");
    const struct allocator *a = strategy ? cell_strategy_find(strategy) : NULL;
    const struct workload *w = workload ? workload_find(workload) : NULL;
    struct option opts[32 + PARAM_MAX];
    build_options(w, opts);
    char err[PARAM_ERR_LEN];
    if (a && w && cell_spec_init(&ra->spec, a, w, err, sizeof err) != 0)
        die_usage("run: %s: %s", w->name, err);
    int c;
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, "+", opts, NULL)) != -1) {
        if (c == O_HELP) {
            run_print_usage(stdout);
            if (w)
                print_knobs(w);
            exit(EXIT_OK);
        }
        if (c == '?' || c == ':')
            unknown_option(w, argv[optind - 1]);
        if (c >= O_KNOB && param_parse(&w->knobs[c - O_KNOB], optarg, &ra->spec.knob[c - O_KNOB], err, sizeof err))
            die_usage("run: --%s", err);
        run_option(ra, c, optarg);
    }
    if (optind < argc)
        die_usage("run: unexpected argument '%s'", argv[optind]);
    if ((ra->named[0] && !strategy) || (ra->named[1] && !workload))
        die_usage("run: write --strategy and --workload in full (the workload's knobs depend on them)");
    if (!strategy || !workload)
        die_usage("run: --strategy and --workload are required (see: alloclab list)");
    if (!a)
        die_usage("run: unknown strategy '%s' (see: alloclab list)", strategy);
    if (!w)
        die_usage("run: unknown workload '%s' (see: alloclab list)", workload);
}

/* The strategy's options, --granule folded in; checked up front. */
static void parse_strategy_options(struct run_args *ra)
{
    static char options[1024];
    struct cell_spec *s = &ra->spec;
    snprintf(options, sizeof options, "%s", s->options ? s->options : "");
    if (ra->granule) {
        if (params_find(s->strategy->options, "granule") < 0)
            die_usage("run: --granule: %s has no copy granule to set", s->strategy->name);
        size_t used = strlen(options);
        snprintf(options + used, sizeof options - used, "%sgranule=%s", used ? "," : "", ra->granule);
    }
    s->options = options;
    char err[ALLOC_ERR_LEN];
    const char *why = allocator_unavailable(s->strategy);
    if (why)
        die_usage("run: %s is unavailable: %s", s->strategy->name, why);
    if (alloc_config_parse(s->strategy, options, s->config.thp, &s->config, err) != 0)
        die_usage("run: %s: %s", s->strategy->name, err);
    void *probe = s->strategy->create(&s->config, err); /* the strategy's own checks, up front */
    if (!probe)
        die_usage("run: %s: %s", s->strategy->name, err);
    s->strategy->destroy(probe);
}

struct out_paths {
    char raw[4096], summary[4096], timeline[4096];
};

/* DIR/raw.csv gets DIR/summary.csv beside it; any other FILE gets FILE.summary.csv. */
static void out_paths_make(const char *out, struct out_paths *p)
{
    snprintf(p->raw, sizeof p->raw, "%s", out);
    const char *slash = strrchr(out, '/');
    int dir = slash ? (int)(slash - out + 1) : 0;
    if (!strcmp(out + dir, "raw.csv")) {
        snprintf(p->summary, sizeof p->summary, "%.*ssummary.csv", dir, out);
        snprintf(p->timeline, sizeof p->timeline, "%.*stimeline.csv", dir, out);
    } else {
        snprintf(p->summary, sizeof p->summary, "%s.summary.csv", out);
        snprintf(p->timeline, sizeof p->timeline, "%s.timeline.csv", out);
    }
}

static int write_files(const struct out_paths *p, const struct row_set *rows, bool timeline)
{
    return results_write_raw(p->raw, rows) || results_write_summary(p->summary, rows) ||
           (timeline && results_write_timeline(p->timeline, rows));
}

/* The warm-up and the repetitions; the exit status. */
static int repeat_cell(struct run_args *ra, struct topo *tp, const struct out_paths *paths, struct row_set *rows)
{
    struct cell_spec *spec = &ra->spec;
    bool oversubscribed = (int)cell_knob(spec, "workers") > tp->pus;
    uint64_t started = os_now_ns();
    int status = EXIT_OK;
    for (long rep = 0; rep <= ra->reps; rep++) {
        progress((int)rep, (int)ra->reps + 1, started, rep ? "measuring" : "warm-up");
        struct cell_result r;
        char text[48];
        spec->memory_pass = rep == 0; /* the warm-up: see cell.h */
        if (cell_run(spec, tp, &r) != 0) {
            progress_done();
            fprintf(stderr, "alloclab: interrupted; %zu completed repetitions kept\n", rows->n);
            return 130;
        }
        if (r.status != CELL_OK) {
            progress_done();
            fprintf(stderr, "alloclab: %s on %s, rep %ld: %s%s%s\n", spec->strategy->name, spec->workload->name,
                    rep, cell_status_text(r.status, r.signal, text, sizeof text), r.message[0] ? ": " : "",
                    r.message);
            status = r.status == CELL_NOT_APPLICABLE ? status : EXIT_MEASURE;
        }
        if (rep == 0 && r.status == CELL_OK && !cell_result_has_memory(&r))
            continue; /* the warm-up is dropped, unless it measured memory (rep 0) */
        rows_add(rows, spec, (int)rep, oversubscribed, &r);
        if (paths && write_files(paths, rows, r.nsteps > 0)) {
            fprintf(stderr, "alloclab: cannot write '%s'\n", paths->raw);
            return EXIT_MEASURE;
        }
        if (rep == 0 && r.status != CELL_OK)
            break; /* a warm-up that failed: the cell cannot run, do not repeat it */
    }
    progress_done();
    return status;
}

int run_main(int argc, char **argv)
{
    struct run_args ra = {.reps = 5};
    parse_run_args(argc, argv, &ra);
    parse_strategy_options(&ra);
    char err[ALLOC_ERR_LEN], why[300];
    struct topo tp;
    if (topo_init(&tp, err) != 0)
        die_usage("run: %s", err);
    if (cell_spec_validate(&ra.spec, &tp, why, sizeof why) != 0)
        die_usage("run: %s", why);
    struct out_paths paths;
    if (ra.out) {
        out_paths_make(ra.out, &paths);
        if (results_check_writable(paths.raw, why, sizeof why) != 0)
            die_usage("run: cannot write '%s': %s", paths.raw, why);
    }
    cell_install_interrupt_handlers();
    struct row_set rows = {0};
    int status = repeat_cell(&ra, &tp, ra.out ? &paths : NULL, &rows);
    if (!ra.out && rows.n)
        results_print_raw(stdout, &rows);
    rows_free(&rows);
    topo_destroy(&tp);
    return status;
}
