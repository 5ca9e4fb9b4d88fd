/*
 * check.c - `alloclab check --strategy S [--trace FILE]... [--grade]`: the
 * malloc-lab driver. Every trace is replayed with every result checked
 * (replay.c); the first violation is reported with its trace, operation,
 * ids and addresses, and makes the score 0. A correct strategy is scored on
 * space utilisation (peak live over peak reserved) and on throughput
 * relative to the C library's malloc timed in the same run, each banded,
 * combined 60/40.
 */
#include <dirent.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "cli.h"
#include "replay/replay.h"
#include "support/os.h"

#define MAX_TRACES 256

/* Bands of 10 points: utilisation earns full marks at 90% (peak live over
 * peak reserved; CS:APP's own target), throughput at system_malloc's speed. */
int band_utilization(double u)
{
    if (isnan(u) || u <= 0)
        return 0;
    int points = 10 * (int)(u / 0.9 * 10);
    return points > 100 ? 100 : points;
}

int band_throughput(double ratio)
{
    if (isnan(ratio) || ratio <= 0)
        return 0;
    int points = 10 * (int)(ratio * 10);
    return points > 100 ? 100 : points;
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

int check_main(int argc, char **argv)
{
    static const struct option opts[] = {{"strategy", required_argument, NULL, 's'},
                                         {"trace", required_argument, NULL, 't'},
                                         {"options", required_argument, NULL, 'o'},
                                         {"grade", no_argument, NULL, 'g'},
                                         {NULL, 0, NULL, 0}};
    const char *name = NULL, *options = NULL;
    char *paths[MAX_TRACES];
    int ntraces = 0, grade = 0, c;
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, "+", opts, NULL)) != -1) {
        if (c == 's')
            name = optarg;
        else if (c == 't' && ntraces == MAX_TRACES)
            die_usage("check: at most %d traces at once", MAX_TRACES);
        else if (c == 't')
            paths[ntraces++] = strdup(optarg);
        else if (c == 'o')
            options = optarg;
        else if (c == 'g')
            grade = 1;
        else
            die_usage("check: unknown or incomplete option '%s' (try: alloclab --help)", argv[optind - 1]);
    }
    if (optind < argc)
        die_usage("check: unexpected argument '%s'", argv[optind]);
    if (!name)
        die_usage("check: --strategy is required (see: alloclab list)");
    const struct allocator *a = allocator_find(name);
    if (!a)
        die_usage("check: unknown strategy '%s' (see: alloclab list)", name);
    if (!allocator_has_heap(a))
        die_usage("check: %s has no heap to check (copy-on-write strategies serve views only)", name);
    const struct allocator *base = allocator_find("system_malloc");
    if (!ntraces && !(ntraces = default_traces(paths, MAX_TRACES)))
        die_usage("check: no traces found (workloads/traces/*.rep); give one with --trace FILE");

    struct trace traces[MAX_TRACES];
    char err[512];
    for (int i = 0; i < ntraces; i++)
        if (trace_load(paths[i], &traces[i], err, sizeof err) != 0)
            die_usage("check: %s", err);

    printf("%-28s %8s %8s %11s %10s %9s\n", "trace", "ops", "correct", "utilization", "ops/s", "vs malloc");
    int correct = 1;
    double util_sum = 0, base_seconds = 0, seconds = 0;
    int util_n = 0;
    const char *first_violation = NULL;
    struct replay_result res;
    static char violation[512];
    for (int i = 0; i < ntraces; i++) {
        replay_checked(a, options, &traces[i], &res);
        if (!res.correct) {
            correct = 0;
            if (!first_violation) {
                snprintf(violation, sizeof violation, "%s", res.violation);
                first_violation = violation;
            }
            printf("%-28s %8zu %8s %11s %10s %9s\n", traces[i].name, traces[i].num_ops, "no", "-", "-", "-");
            continue;
        }
        double util = NAN;
        if (res.peak_reserved > 0) { /* NA compares false */
            util = (double)res.peak_live / res.peak_reserved;
            util = util > 1 ? 1 : util; /* a heap that held memory before the trace cannot be charged for it */
            util_sum += util;
            util_n++;
        }
        double mine = replay_timed(a, options, &traces[i], 3);
        double theirs = replay_timed(base, NULL, &traces[i], 3);
        seconds += mine;
        base_seconds += theirs;
        printf("%-28s %8zu %8s", traces[i].name, traces[i].num_ops, "yes");
        if (isnan(util))
            printf(" %11s", "NA");
        else
            printf(" %10.1f%%", 100 * util);
        printf(" %10.3g %8.2fx\n", (double)traces[i].num_ops / mine, theirs / mine);
    }
    int score = 0;
    double util = util_n ? util_sum / util_n : NAN, ratio = seconds > 0 ? base_seconds / seconds : NAN;
    if (correct)
        score = (int)lround(0.6 * band_utilization(util) + 0.4 * band_throughput(ratio));
    char util_text[64] = "NA (the strategy cannot say what it reserved)";
    if (!isnan(util))
        snprintf(util_text, sizeof util_text, "%.1f%%", 100 * util);
    if (first_violation)
        printf("\nFIRST VIOLATION: %s\n", first_violation);
    else
        printf("\nall %d traces correct; utilization %s (%d points of 100), throughput %.2fx system_malloc's "
               "(%d points of 100)\n",
               ntraces, util_text, band_utilization(util), ratio, band_throughput(ratio));
    printf("%s score: %d/100 (60%% utilization, 40%% throughput)\n", a->name, score);
    if (grade)
        printf("correct:%d\nscore:%d\n", correct, score);
    for (int i = 0; i < ntraces; i++) {
        trace_free(&traces[i]);
        free(paths[i]);
    }
    return correct ? EXIT_OK : EXIT_MEASURE;
}
