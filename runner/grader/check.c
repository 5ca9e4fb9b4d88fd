/*
 * check.c - `alloclab check --strategy S [--trace FILE]... [--grade]`: the
 * malloc-lab driver. Every trace is replayed with every result checked
 * (replay.c); the first violation is reported with its trace, operation,
 * ids and addresses, and makes the score 0. A correct strategy is scored
 * on two figures the driver measures itself:
 *
 *   U  space utilisation, the mean over traces of peak live bytes over
 *      peak bytes mapped, as the driver counted what the strategy mapped
 *      (support/ledger.h); what the strategy reports is shown beside it
 *      where the two disagree, never used;
 *   T  throughput, the geometric mean over traces of system_malloc's time
 *      over the strategy's, each timed on an equally warm heap (one
 *      instance, a warm-up replay, the best of three after it): a
 *      geometric mean, so that no single trace's seconds decide it;
 *
 * and score = 100 x (0.6 U + 0.4 min(1, T)), continuous: CS:APP's malloc
 * lab formula, with no bands to turn noise into jumps of ten points.
 */
#include <dirent.h>
#include <malloc.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "analysis/strategy_names.h"
#include "cowcheck.h"
#include "cli.h"
#include "replay/replay.h"
#include "support/os.h"

#define MAX_TRACES 256

int check_score(double utilization, double throughput_ratio)
{
    if (isnan(utilization) || isnan(throughput_ratio))
        return 0;
    double u = utilization > 1 ? 1 : utilization < 0 ? 0 : utilization;
    double t = throughput_ratio > 1 ? 1 : throughput_ratio < 0 ? 0 : throughput_ratio;
    return (int)lround(100 * (0.6 * u + 0.4 * t));
}

static int by_name(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* Every .rep file of the project's trace folder, sorted. */
static int default_traces(char **paths, int max)
{
    char folder[4200];
    DIR *dir = os_project_path("workloads/traces", folder, sizeof folder) == 0 ? opendir(folder) : NULL;
    if (!dir)
        return 0;
    int count = 0;
    struct dirent *e;
    while ((e = readdir(dir)) && count < max) {
        size_t len = strlen(e->d_name);
        if (len > 4 && !strcmp(e->d_name + len - 4, ".rep")) {
            paths[count] = malloc(strlen(folder) + len + 2);
            sprintf(paths[count], "%s/%s", folder, e->d_name);
            count++;
        }
    }
    closedir(dir);
    qsort(paths, (size_t)count, sizeof *paths, by_name);
    return count;
}

struct check_args {
    const struct allocator *a;
    const char *options;
    char *paths[MAX_TRACES];
    int ntraces, grade;
    bool copies; /* the strategy serves views, not a heap: cowcheck.c grades it */
    int threads; /* checked replays by this many threads on one instance (1: one) */
    bool debug, verbose;
};

static void parse_check_args(int argc, char **argv, struct check_args *ca)
{
    static const struct option opts[] = {{"strategy", required_argument, NULL, 's'},
                                         {"trace", required_argument, NULL, 't'},
                                         {"options", required_argument, NULL, 'o'},
                                         {"grade", no_argument, NULL, 'g'},
                                         {"threads", required_argument, NULL, 'n'},
                                         {"debug", no_argument, NULL, 'd'},
                                         {"verbose", no_argument, NULL, 'v'},
                                         {NULL, 0, NULL, 0}};
    const char *name = NULL;
    int c;
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, "+", opts, NULL)) != -1) {
        if (c == 's')
            name = optarg;
        else if (c == 't' && ca->ntraces == MAX_TRACES)
            die_usage("check: at most %d traces at once", MAX_TRACES);
        else if (c == 't')
            ca->paths[ca->ntraces++] = strdup(optarg);
        else if (c == 'o')
            ca->options = optarg;
        else if (c == 'g')
            ca->grade = 1;
        else if (c == 'd')
            ca->debug = true;
        else if (c == 'v')
            ca->verbose = true;
        else if (c == 'n')
            ca->threads = (int)long_option("check", "threads", optarg, 1, CHECK_MAX_THREADS);
        else
            die_usage("check: unknown or incomplete option '%s' (try: alloclab --help)", argv[optind - 1]);
    }
    if (optind < argc)
        die_usage("check: unexpected argument '%s'", argv[optind]);
    ca->threads = ca->threads ? ca->threads : 1;
    if (!name)
        die_usage("check: --strategy is required (see: alloclab list)");
    if (!(ca->a = allocator_find(name)))
        die_usage("check: unknown strategy '%s' (see: alloclab list)", name);
    if (!allocator_has_heap(ca->a) && !ca->a->view_open)
        die_usage("check: %s has neither a heap nor views to check", name);
    const char *why = allocator_unavailable(ca->a);
    if (why)
        die_usage("check: %s is unavailable: %s", name, why);
    if ((ca->copies = !allocator_has_heap(ca->a)) && (ca->ntraces || ca->threads > 1 || ca->debug))
        die_usage("check: %s serves views, not a heap: --trace, --threads and --debug are for heaps", name);
    struct alloc_config cfg;
    char err[ALLOC_ERR_LEN];
    if (alloc_config_parse(ca->a, ca->options, THP_DEFAULT, &cfg, err) != 0)
        die_usage("check: %s: %s", name, err);
    if (!ca->copies && !ca->ntraces && !(ca->ntraces = default_traces(ca->paths, MAX_TRACES)))
        die_usage("check: no traces found (workloads/traces/*.rep); give one with --trace FILE");
}

struct tally {
    int correct, util_n, util_small_n, ratio_n;
    double util_sum, util_small_sum, log_ratio_sum; /* utilisation on traces with 1 MiB live or more, and under */
    char violation[512]; /* the first */
    char disagreements[1024]; /* traces where the strategy's own count of reserved bytes is not the driver's */
};

/* The operation a replay stopped at, for a message. */
static void name_op(const struct trace *t, uint64_t k, char *buf, size_t len)
{
    if (k >= t->num_ops) {
        snprintf(buf, len, "after its last operation");
        return;
    }
    const struct trace_op *op = &t->ops[k];
    if (op->kind == OP_FREE)
        snprintf(buf, len, "at op %llu (f id %u)", (unsigned long long)k, op->id);
    else
        snprintf(buf, len, "at op %llu (%c id %u size %zu)", (unsigned long long)k, op->kind, op->id, op->size);
}

/* Wait for the child within the time limit; 0 when it exited cleanly, else
 * o->res.violation says how it ended. */
static int await_replay(pid_t pid, const struct trace *t, double timeout_s, struct check_outcome *o)
{
    uint64_t deadline = os_now_ns() + (uint64_t)(timeout_s * 1e9);
    struct timespec nap = {0, 2 * 1000 * 1000};
    int status = 0;
    while (waitpid(pid, &status, WNOHANG) != pid) {
        if (os_now_ns() > deadline) {
            kill(pid, SIGKILL);
            waitpid(pid, &status, 0);
            status = -1;
            break;
        }
        nanosleep(&nap, NULL);
    }
    if (status == 0)
        return 0;
    char where[128];
    name_op(t, o->op, where, sizeof where);
    o->res.correct = 0;
    if (status == -1)
        snprintf(o->res.violation, sizeof o->res.violation, "trace %s: no answer within %.0f s: stuck %s%s",
                 t->name, timeout_s, o->timing ? "while being timed, " : "", where);
    else if (WIFSIGNALED(status))
        snprintf(o->res.violation, sizeof o->res.violation, "trace %s: the strategy crashed (SIG%s) %s%s", t->name,
                 sigabbrev_np(WTERMSIG(status)) ? sigabbrev_np(WTERMSIG(status)) : "?",
                 o->timing ? "while being timed, " : "", where);
    else
        snprintf(o->res.violation, sizeof o->res.violation, "trace %s: the replay exited with status %d %s", t->name,
                 WEXITSTATUS(status), where);
    return -1;
}

int check_trace(const struct allocator *a, const char *options, const struct trace *t, int threads,
                double timeout_s, struct check_outcome *out)
{
    struct check_outcome *o = mmap(NULL, sizeof *o, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (o == MAP_FAILED)
        return -1;
    memset(o, 0, sizeof *o);
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) { /* a strategy's crash or hang ends this process, not the grader */
        /* glibc moves its trim and mmap thresholds with what the process freed
         * before (here: whatever the grader did): fixed at their documented
         * defaults, the C library's heap is as warm on every trace, whatever
         * ran first. Without this, its time on binary.rep moved over 10x
         * with the traces graded before it. */
        mallopt(M_MMAP_THRESHOLD, 128 * 1024);
        mallopt(M_TRIM_THRESHOLD, 128 * 1024);
        replay_watch(&o->op);
        replay_checked_threads(a, options, t, threads, &o->res);
        replay_watch(NULL);
        o->timing = 1;
        if (o->res.correct) {
            o->mine = replay_timed(a, options, t, 3);
            o->theirs = replay_timed(allocator_find(STRATEGY_SYSTEM_MALLOC), NULL, t, 3);
        }
        _exit(0);
    }
    int rc = pid < 0 ? -1 : 0;
    if (pid > 0)
        await_replay(pid, t, timeout_s, o);
    *out = *o;
    munmap(o, sizeof *o);
    return rc;
}

/* --verbose: the operations around the one a replay stopped at */
static void show_context(const struct trace *t, uint64_t at)
{
    uint64_t from = at > 6 ? at - 6 : 0, to = at + 3 < t->num_ops ? at + 3 : t->num_ops;
    for (uint64_t k = from; k < to; k++) {
        char op[128];
        name_op(t, k, op, sizeof op);
        printf("    %s %s\n", k == at ? "->" : "  ", op + strlen("at "));
    }
}

/* The contract's edge cases, as a trace of its own (no file could hold its
 * sizes: a trace file's are checked at load): sizes refused with NULL and
 * ENOMEM (0, over the limit, sizes that wrap when rounded up), refused
 * reallocs that must leave their block as it was, a realloc of an id whose
 * zero-byte request got NULL (it allocates), shrinking and growing. */
void check_contract_trace(struct trace *t)
{
    static struct trace_op ops[] = {
        {'a', 0, 100},        {'a', 1, 0},           {'a', 2, 0},
        {'r', 0, 0},          {'a', 3, ALLOC_MAX_REQUEST + 1}, {'a', 4, SIZE_MAX},
        {'a', 5, SIZE_MAX - 15}, {'a', 6, (size_t)1 << 50}, {'r', 0, SIZE_MAX},
        {'r', 0, ALLOC_MAX_REQUEST + 1}, {'r', 0, 40}, {'r', 0, 5000},
        {'r', 0, 17},         {'r', 1, 64},          {'f', 2, 0},
        {'a', 7, 1},          {'a', 8, 16},          {'a', 9, 4096},
        {'a', 10, 1 << 20},   {'r', 10, 3 << 20},    {'r', 10, 100},
        {'f', 0, 0},          {'f', 1, 0},           {'f', 7, 0},
        {'f', 8, 0},          {'f', 9, 0},           {'f', 10, 0},
    };
    *t = (struct trace){.name = "contract", .num_ids = 11, .num_ops = sizeof ops / sizeof *ops, .ops = ops};
}

/* The contract, checked in a child process like a trace; correctness only. */
static void grade_contract(const struct check_args *ca, struct tally *y)
{
    struct trace t;
    check_contract_trace(&t);
    struct check_outcome o;
    if (check_trace(ca->a, ca->options, &t, 1, CHECK_TRACE_TIMEOUT_S, &o) != 0) {
        o.res.correct = 0;
        snprintf(o.res.violation, sizeof o.res.violation, "the contract: cannot start its replay");
    }
    printf("%-28s %8zu %8s %11s %10s %9s\n", "(contract: sizes 0, huge)", t.num_ops, o.res.correct ? "yes" : "no",
           "-", "-", "-");
    if (!o.res.correct && ca->verbose) {
        printf("  %s\n", o.res.violation);
        show_context(&t, o.op);
    }
    fflush(stdout);
    if (!o.res.correct && y->correct)
        snprintf(y->violation, sizeof y->violation, "%s", o.res.violation);
    y->correct &= o.res.correct;
}

/* One trace: checked, then timed against the baseline, in a child process;
 * its line of the table. */
static void grade_trace(const struct check_args *ca, const struct trace *t, struct tally *y)
{
    struct check_outcome o;
    if (check_trace(ca->a, ca->options, t, ca->threads, CHECK_TRACE_TIMEOUT_S, &o) != 0) {
        o.res.correct = 0;
        snprintf(o.res.violation, sizeof o.res.violation, "trace %.200s: cannot start the replay", t->name);
    }
    if (!o.res.correct) {
        if (y->correct)
            snprintf(y->violation, sizeof y->violation, "%s", o.res.violation);
        y->correct = 0;
        printf("%-28s %8zu %8s %11s %10s %9s\n", t->name, t->num_ops, "no", "-", "-", "-");
        if (ca->verbose) {
            printf("  %s\n", o.res.violation);
            show_context(t, o.op);
        }
        fflush(stdout);
        return;
    }
    /* the driver's count; the C library's heap (system_malloc) can only say itself */
    double mapped = is_na(o.res.peak_mapped) ? o.res.peak_reserved : o.res.peak_mapped, util = NAN;
    bool scored = o.res.peak_live >= CHECK_UTIL_MIN_LIVE;
    if (mapped > 0) { /* NA compares false */
        util = (double)o.res.peak_live / mapped;
        util = util > 1 ? 1 : util; /* a heap that held memory before the trace cannot be charged for it */
        y->util_sum += scored ? util : 0;
        y->util_n += scored;
        y->util_small_sum += scored ? 0 : util;
        y->util_small_n += !scored;
    }
    double reported = o.res.peak_reserved, counted = o.res.peak_mapped;
    size_t len = strlen(y->disagreements);
    if (!is_na(reported) && !is_na(counted) && fabs(reported - counted) > fmax(4096, 0.01 * counted) &&
        len + 128 < sizeof y->disagreements)
        snprintf(y->disagreements + len, sizeof y->disagreements - len, "\n  %.60s: reports %.0f bytes, %.0f mapped",
                 t->name, reported, counted);
    double ratio = o.theirs / o.mine;
    if (ratio > 0 && isfinite(ratio)) {
        y->log_ratio_sum += log(ratio);
        y->ratio_n++;
    }
    printf("%-28s %8zu %8s", t->name, t->num_ops, "yes");
    if (isnan(util))
        printf(" %11s", "NA");
    else if (scored)
        printf(" %10.1f%%", 100 * util);
    else
        printf("   (%5.1f%%)", 100 * util);
    printf(" %10.3g %8.2fx\n", (double)t->num_ops / o.mine, ratio);
    fflush(stdout);
}

static void print_score(const struct check_args *ca, const struct tally *y)
{
    /* with no trace of 1 MiB live (a run on one small trace), every trace counts, and it is said */
    bool small_only = !y->util_n && y->util_small_n;
    double util = y->util_n ? y->util_sum / y->util_n : small_only ? y->util_small_sum / y->util_small_n : NAN;
    double ratio = y->ratio_n ? exp(y->log_ratio_sum / y->ratio_n) : NAN;
    int score = y->correct ? check_score(util, ratio) : 0;
    char util_text[160] = "NA (nothing mapped was counted)";
    if (!isnan(util))
        snprintf(util_text, sizeof util_text, "%.1f%% (mean of peak live over peak mapped, over %s)", 100 * util,
                 small_only ? "every trace: none has 1 MiB live, so it measures the arena more than the algorithm"
                            : "the traces with 1 MiB or more live; in parentheses: not counted");
    if (*y->disagreements)
        printf("\nthe strategy's own peak of bytes reserved is not what the driver counted mapped (the driver's "
               "count is used):%s\n", y->disagreements);
    if (!y->correct)
        printf("\nFIRST VIOLATION: %s\n", y->violation);
    else
        printf("\nall %d traces correct; utilization U = %s, throughput T = %.2fx system_malloc's (geometric mean "
               "over the traces)\n",
               ca->ntraces, util_text, ratio);
    printf("%s score: %d/100 (100 x (0.6 U + 0.4 min(1, T)))%s\n", ca->a->name, score,
           ca->threads > 1 ? "; U from the threads' checked replays, T single-threaded" : "");
    if (ca->grade)
        printf("correct:%d\nscore:%d\n", y->correct, score);
}

int check_main(int argc, char **argv)
{
    static struct check_args ca;
    parse_check_args(argc, argv, &ca);
    if (ca.copies)
        return cowcheck_main(ca.a, ca.options, ca.grade);
    static struct trace traces[MAX_TRACES];
    char err[512];
    for (int i = 0; i < ca.ntraces; i++)
        if (trace_load(ca.paths[i], &traces[i], err, sizeof err) != 0)
            die_usage("check: %s", err);
    printf("%-28s %8s %8s %11s %10s %9s\n", "trace", "ops", "correct", "utilization", "ops/s", "vs malloc");
    struct tally y = {.correct = 1};
    replay_debug(ca.debug); /* the replays' children inherit it */
    grade_contract(&ca, &y);
    for (int i = 0; i < ca.ntraces; i++)
        grade_trace(&ca, &traces[i], &y);
    print_score(&ca, &y);
    for (int i = 0; i < ca.ntraces; i++) {
        trace_free(&traces[i]);
        free(ca.paths[i]);
    }
    return y.correct ? EXIT_OK : EXIT_MEASURE;
}
