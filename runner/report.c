/*
 * report.c - report.md: what a run measured, in tables a newcomer can read
 * without opening a CSV. Everything here is read back from the run folder's
 * CSV files, so a report can be rebuilt from any run.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "allocator.h"
#include "bench.h"
#include "results.h"
#include "csvread.h"

/* ---- lookups in summary.csv ---- */
long summary_find(const struct csv *s, const char *group, const char *strategy, const char *workload,
                  double fraction, int workers, size_t size)
{
    for (size_t i = 0; i < s->nrows; i++) {
        if (strcmp(csv_text(s, i, "group"), group) || strcmp(csv_text(s, i, "strategy"), strategy) ||
            strcmp(csv_text(s, i, "workload"), workload))
            continue;
        if (!isnan(fraction) && fabs(csv_num(s, i, "write_fraction") - fraction) > 1e-9)
            continue;
        if (workers > 0 && (int)csv_num(s, i, "workers") != workers)
            continue;
        if (size && (size_t)csv_num(s, i, "size_bytes") != size)
            continue;
        return (long)i;
    }
    return -1;
}

/* The strategies a summary holds, in order of first appearance (a run may
 * hold a student's strategy, or lack one); kind: 0 all, 1 eager (a heap), 2
 * copy-on-write, as this build's registry says. */
int summary_strategies(const struct csv *s, int kind, const char *out[], int max)
{
    int n = 0;
    for (size_t i = 0; i < s->nrows && n < max; i++) {
        const char *name = csv_text(s, i, "strategy");
        int seen = 0;
        for (int k = 0; k < n && !seen; k++)
            seen = !strcmp(out[k], name);
        const struct allocator *a = allocator_find(name);
        int cow = a && a->view_open;
        if (!seen && (kind == 0 || (kind == 1 && a && !cow) || (kind == 2 && cow)))
            out[n++] = name;
    }
    return n;
}

static int cmp_double(const void *x, const void *y)
{
    double a = *(const double *)x, b = *(const double *)y;
    return (a > b) - (a < b);
}

/* The write fractions of the sweep, ascending. */
int summary_fractions(const struct csv *s, double out[], int max)
{
    int n = 0;
    for (size_t i = 0; i < s->nrows && n < max; i++) {
        if (strcmp(csv_text(s, i, "group"), "sweep"))
            continue;
        double f = csv_num(s, i, "write_fraction");
        int seen = 0;
        for (int k = 0; k < n && !seen; k++)
            seen = fabs(out[k] - f) < 1e-12;
        if (!seen && !isnan(f))
            out[n++] = f;
    }
    qsort(out, (size_t)n, sizeof *out, cmp_double);
    return n;
}

double summary_median(const struct csv *s, long row, const char *figure)
{
    if (row < 0)
        return NAN;
    char col[96];
    snprintf(col, sizeof col, "%s_median", figure);
    return csv_num(s, (size_t)row, col);
}

double calibrated(const struct csv *cal, const char *figure)
{
    for (size_t i = 0; i < cal->nrows; i++)
        if (!strcmp(csv_text(cal, i, "figure"), figure))
            return csv_num(cal, i, "value");
    return NAN;
}

static void cell(FILE *f, const char *fmt, double v)
{
    if (isnan(v))
        fputs(" NA |", f);
    else {
        fputc(' ', f);
        fprintf(f, fmt, v);
        fputs(" |", f);
    }
}

static int is_cow(const char *strategy)
{
    const struct allocator *a = allocator_find(strategy);
    return a && a->view_open;
}

static int file_nonempty(const char *dir, const char *name)
{
    char path[4300];
    struct stat st;
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return stat(path, &st) == 0 && st.st_size > 0;
}

static void meta_line(const char *dir, const char *key, char *out, size_t len)
{
    char path[4300], line[512];
    snprintf(path, sizeof path, "%s/meta.txt", dir);
    snprintf(out, len, "NA");
    FILE *f = fopen(path, "r");
    size_t k = strlen(key);
    while (f && fgets(line, sizeof line, f))
        if (!strncmp(line, key, k) && line[k] == ':') {
            line[strcspn(line, "\n")] = '\0';
            snprintf(out, len, "%s", line + k + 2);
            break;
        }
    if (f)
        fclose(f);
}

static const struct {
    const char *file, *what;
} figure_list[] = {
    {"fig_a_time", "(a) time per strategy for each workload"},
    {"fig_b_crossover", "(b) time against write fraction: where copy-on-write stops paying off"},
    {"fig_c_overcommit", "(c) overcommit: PSS against fraction written, with MemAvailable and CommitLimit"},
    {"fig_d_churn_scaling", "(d) churn ops/s against threads, with linear scaling"},
    {"fig_e_churn_latency", "(e) churn latency percentiles"},
    {"fig_f_faults", "(f) faults and pages copied per written page"},
    {"fig_g_fork", "(g) fork time against populated size"},
    {"fig_h_counters", "(h) hardware counters per strategy"},
};

/* The performance targets the issues set, each with its measured figure. */
static void target(FILE *f, const char *what, double measured, const char *unit, double goal, int at_least)
{
    const char *verdict = isnan(measured) ? "NA (not measured)" : (at_least ? measured >= goal : measured <= goal)
                                                                      ? "met" : "not met";
    if (isnan(measured))
        fprintf(f, "| %s | NA | %s %.2f%s | %s |\n", what, at_least ? ">=" : "<=", goal, unit, verdict);
    else
        fprintf(f, "| %s | %.2f%s | %s %.2f%s | %s |\n", what, measured, unit, at_least ? ">=" : "<=", goal, unit,
                verdict);
}

void targets_write(FILE *f, const struct csv *s, const struct csv *cal, const char *profile)
{
    fputs("| target | measured | goal | verdict |\n|---|---|---|---|\n", f);
    double bs1 = summary_median(s, summary_find(s, "churn", "block_suballoc", "churn", NAN, 1, 0), "ops_per_sec");
    double bs2 = summary_median(s, summary_find(s, "churn", "block_suballoc", "churn", NAN, 2, 0), "ops_per_sec");
    double sm1 = summary_median(s, summary_find(s, "churn", "system_malloc", "churn", NAN, 1, 0), "ops_per_sec");
    double lf1 = summary_median(s, summary_find(s, "churn", "locked_freelist", "churn", NAN, 1, 0), "ops_per_sec");
    long lf2row = summary_find(s, "churn", "locked_freelist", "churn", NAN, 2, 0);
    double lf2 = summary_median(s, lf2row, "ops_per_sec"), share = summary_median(s, lf2row, "lock_wait_share");
    target(f, "block_suballoc churn ops/s over system_malloc's, 1 thread", bs1 / sm1, "x", 2.5, 1);
    target(f, "block_suballoc churn ops/s, 2 threads over 1 thread", bs2 / bs1, "x", 1.8, 1);
    target(f, "locked_freelist churn ops/s, 2 threads over 1 thread (the loss should show)", lf2 / lf1, "x", 1.0, 0);
    target(f, "locked_freelist lock wait share at 2 threads (visible)", 100 * share, "%", 1.0, 1);
    double kernel = cal ? calibrated(cal, "kernel_cow_fault") : NAN;
    target(f, "mprotect_cow cost per written page over the kernel's COW fault",
           cal ? calibrated(cal, "mprotect_cow_fault") / kernel : NAN, "x", 2.0, 0);
    target(f, "fork_cow cost per written page over a bare fork-and-write loop",
           cal ? calibrated(cal, "fork_cow_fault") / kernel : NAN, "x", 1.10, 0);
    double floor_ops = cal ? calibrated(cal, "churn_floor") : NAN;
    if (!isnan(floor_ops) && !isnan(sm1))
        fprintf(f, "\nThe ceiling of the first target: churn on a heap that does nothing but pop and push a "
                   "per-thread list (`churn_floor` in calibrate.csv) reaches %.2fx system_malloc's ops/s here; "
                   "block_suballoc reaches %.0f%% of that floor.\n",
                floor_ops / sm1, 100 * bs1 / floor_ops);
    long run_ops = bench_profile_churn_ops(profile), default_ops = bench_profile_churn_ops("default");
    if (!isnan(bs1) && run_ops > 0 && run_ops < default_ops)
        fprintf(f, "\nThe churn targets are set on the default profile (%gM operations a thread). The %s profile "
                   "churns %gM, so a fresh heap's start-up (page faults, cold caches) weighs more, and more for the "
                   "faster heap: on the reference machine block_suballoc's ratio to system_malloc read 0.1x to "
                   "0.2x lower in the quick profile than in the default one.\n",
                (double)default_ops / 1e6, profile, (double)run_ops / 1e6);
}

int report_write(const char *dir)
{
    char path[4300], tmp[4400];
    snprintf(path, sizeof path, "%s/summary.csv", dir);
    struct csv s, cal = {0}, tl = {0};
    if (csv_load(path, &s) != 0)
        return -1;
    snprintf(path, sizeof path, "%s/calibrate.csv", dir);
    csv_load(path, &cal);
    snprintf(path, sizeof path, "%s/timeline.csv", dir);
    csv_load(path, &tl);
    snprintf(path, sizeof path, "%s/report.md", dir);
    FILE *f = atomic_open(path, tmp, sizeof tmp);
    if (!f) {
        csv_free(&s);
        return -1;
    }
    char host[128], date[64], profile[32], kernel[128], thp[128], perf[512];
    meta_line(dir, "host", host, sizeof host);
    meta_line(dir, "date", date, sizeof date);
    meta_line(dir, "profile", profile, sizeof profile);
    meta_line(dir, "kernel", kernel, sizeof kernel);
    meta_line(dir, "transparent huge pages", thp, sizeof thp);
    meta_line(dir, "perf events", perf, sizeof perf);
    fprintf(f, "# alloclab report: %s, %s, profile %s\n\n", host, date, profile);
    fprintf(f, "Kernel %s; transparent huge pages `%s`. Every figure below is the median of the measured\n"
               "repetitions (the warm-up is dropped); `NA` means not measured here, never zero. Ratios are\n"
               "taken within this run. The machine's own limits are in the calibration table at the end.\n\n",
            kernel, thp);

    double memcpy_ns = NAN, cow_ns = NAN;
    if (cal.nrows) {
        double gib_s = calibrated(&cal, "memcpy_bandwidth");
        memcpy_ns = gib_s > 0 ? 4096.0 / (gib_s * (1u << 30)) * 1e9 : NAN;
        cow_ns = calibrated(&cal, "kernel_cow_fault");
    }

    /* ---- the main workloads ---- */
    static const char *const mains[] = {"read_heavy", "write_heavy", "overcommit"};
    for (int w = 0; w < 3; w++) {
        fprintf(f, "## %s\n\n", mains[w]);
        fprintf(f, "| strategy | wall ms | min-max ms | vs system_malloc | pages copied | PSS MiB | RSS sum MiB | "
                   "x copy limit |\n|---|---|---|---|---|---|---|---|\n");
        long base = summary_find(&s, "main", "system_malloc", mains[w], NAN, 0, 0);
        double base_wall = summary_median(&s, base, "wall_ns");
        for (size_t i = 0; i < s.nrows; i++) {
            if (strcmp(csv_text(&s, i, "group"), "main") || strcmp(csv_text(&s, i, "workload"), mains[w]))
                continue;
            const char *st = csv_text(&s, i, "strategy");
            double wall = csv_num(&s, i, "wall_ns_median"), workers = csv_num(&s, i, "workers");
            double copied = csv_num(&s, i, "pages_copied_median");
            /* the floor: each worker copying its pages at the machine's limit */
            double limit = copied / workers * (is_cow(st) ? cow_ns : memcpy_ns);
            fprintf(f, "| %s%s |", st, strcmp(csv_text(&s, i, "status"), "ok") ? " (failed)" : "");
            cell(f, "%.1f", wall / 1e6);
            fprintf(f, " %.1f-%.1f |", csv_num(&s, i, "wall_ns_min") / 1e6, csv_num(&s, i, "wall_ns_max") / 1e6);
            cell(f, "%.2fx", wall / base_wall);
            cell(f, "%.0f", copied);
            cell(f, "%.0f", csv_num(&s, i, "pss_kib_median") / 1024);
            cell(f, "%.0f", csv_num(&s, i, "rss_kib_median") / 1024);
            /* with a handful of pages copied the floor is noise: say nothing */
            if (copied * 4096 < 0.01 * csv_num(&s, i, "size_bytes") * workers)
                fputs(" - |", f);
            else
                cell(f, "%.1f", wall / limit);
            fputc('\n', f);
        }
        fputs("\n`vs system_malloc`: wall time over the C library's (below 1 is faster). `x copy limit`: wall time "
              "over the time to copy the same pages at this machine's limit (memcpy for eager copies, the "
              "kernel's COW fault for copy-on-write; `-` where under 1% of the pages were copied). PSS counts shared pages once; the RSS sum counts them in "
              "every process.\n\n",
              f);
    }

    /* ---- the write-fraction sweep ---- */
    fprintf(f, "## write-fraction sweep (write_heavy)\n\n| fraction |");
    const char *names[MAX_STRATEGIES], *cow_names[MAX_STRATEGIES];
    int nnames = summary_strategies(&s, 0, names, MAX_STRATEGIES);
    int ncow = summary_strategies(&s, 2, cow_names, MAX_STRATEGIES);
    double fr[64];
    int nfr = summary_fractions(&s, fr, 64);
    for (int k = 0; k < nnames; k++)
        fprintf(f, " %s ms |", names[k]);
    fputs("\n|---|", f);
    for (int k = 0; k < nnames; k++)
        fputs("---|", f);
    fputc('\n', f);
    for (int j = 0; j < nfr; j++) {
        fprintf(f, "| %g |", fr[j]);
        for (int k = 0; k < nnames; k++)
            cell(f, "%.1f", summary_median(&s, summary_find(&s, "sweep", names[k], "write_heavy", fr[j], 0, 0),
                                           "wall_ns") / 1e6);
        fputc('\n', f);
    }
    for (int k = 0; k < ncow && nfr; k++) {
        const char *cow = cow_names[k];
        double x = crossover_fraction(&s, cow);
        if (isnan(x))
            fprintf(f, "\n%s: faster than every eager strategy at every fraction measured (no crossover).", cow);
        else
            fprintf(f, "\n%s: no longer faster than the best eager strategy from a write fraction of %g.", cow, x);
    }
    fputs("\n\n", f);

    /* ---- overcommit timeline ---- */
    if (tl.nrows) {
        fprintf(f, "## overcommit memory (timeline.csv)\n\n| strategy | PSS at start MiB | PSS at end MiB | "
                   "Committed_AS at end MiB | CommitLimit MiB | strict overcommit would refuse |\n"
                   "|---|---|---|---|---|---|\n");
        for (int k = 0; k < nnames; k++) {
            double start = NAN, end = NAN, committed = NAN, limit = NAN;
            const char *refuse = "NA";
            for (size_t i = 0; i < tl.nrows; i++) {
                if (strcmp(csv_text(&tl, i, "strategy"), names[k]) || csv_num(&tl, i, "rep") != 1)
                    continue;
                if (csv_num(&tl, i, "step") == 0)
                    start = csv_num(&tl, i, "pss_sum_kib");
                end = csv_num(&tl, i, "pss_sum_kib");
                committed = csv_num(&tl, i, "committed_as_kib");
                limit = csv_num(&tl, i, "commit_limit_kib");
                refuse = strcmp(csv_text(&tl, i, "strict_overcommit_would_refuse"), "1") ? "no" : "yes";
            }
            if (isnan(end))
                continue;
            fprintf(f, "| %s |", names[k]);
            cell(f, "%.0f", start / 1024);
            cell(f, "%.0f", end / 1024);
            cell(f, "%.0f", committed / 1024);
            cell(f, "%.0f", limit / 1024);
            fprintf(f, " %s |\n", refuse);
        }
        fputs("\n", f);
    }

    /* ---- churn ---- */
    fprintf(f, "## churn (small-object alloc/free)\n\n| strategy | threads | ops/s | vs system_malloc | p50 ns | "
               "p99 ns | p99.9 ns | max ns | fragmentation | lock wait share |\n|---|---|---|---|---|---|---|---|---|---|\n");
    for (size_t i = 0; i < s.nrows; i++) {
        if (strcmp(csv_text(&s, i, "group"), "churn"))
            continue;
        const char *st = csv_text(&s, i, "strategy");
        int threads = (int)csv_num(&s, i, "workers");
        if (!strcmp(csv_text(&s, i, "status"), "not_applicable")) {
            fprintf(f, "| %s | - | not applicable: no heap | | | | | | | |\n", st);
            continue;
        }
        double base = summary_median(&s, summary_find(&s, "churn", "system_malloc", "churn", NAN, threads, 0),
                                     "ops_per_sec");
        double ops = csv_num(&s, i, "ops_per_sec_median");
        fprintf(f, "| %s | %d |", st, threads);
        cell(f, "%.3g", ops);
        cell(f, "%.2fx", ops / base);
        cell(f, "%.0f", csv_num(&s, i, "lat_p50_ns_median"));
        cell(f, "%.0f", csv_num(&s, i, "lat_p99_ns_median"));
        cell(f, "%.0f", csv_num(&s, i, "lat_p999_ns_median"));
        cell(f, "%.0f", csv_num(&s, i, "lat_max_ns_median"));
        cell(f, "%.2f", csv_num(&s, i, "fragmentation_median"));
        cell(f, "%.1f%%", 100 * csv_num(&s, i, "lock_wait_share_median"));
        fputc('\n', f);
    }
    fputs("\nfragmentation: peak bytes reserved from the OS over peak bytes live (1 is perfect; small heaps are "
          "dominated by the first arena or slab). lock wait share: time threads waited for the lock over "
          "threads x wall time, where the strategy has one lock to time.\n\n", f);

    /* ---- fork ---- */
    fprintf(f, "## fork cost\n\n| strategy | view MiB | fork ms | resident MiB | ms per GiB resident |\n"
               "|---|---|---|---|---|\n");
    for (size_t i = 0; i < s.nrows; i++) {
        if (strcmp(csv_text(&s, i, "group"), "fork"))
            continue;
        fprintf(f, "| %s | %.0f |", csv_text(&s, i, "strategy"), csv_num(&s, i, "size_bytes") / (1 << 20));
        cell(f, "%.2f", csv_num(&s, i, "fork_ns_median") / 1e6);
        cell(f, "%.0f", csv_num(&s, i, "fork_rss_kib_median") / 1024);
        cell(f, "%.2f", csv_num(&s, i, "fork_ms_per_gib_median"));
        fputc('\n', f);
    }
    fputs("\n", f);

    /* ---- THP ---- */
    fprintf(f, "## transparent huge pages and copy-on-write\n\n| strategy | THP | wall ms | pages copied | "
               "minor faults | AnonHugePages MiB |\n|---|---|---|---|---|---|\n");
    for (size_t i = 0; i < s.nrows; i++) {
        if (strcmp(csv_text(&s, i, "group"), "thp"))
            continue;
        fprintf(f, "| %s | %s |", csv_text(&s, i, "strategy"), csv_text(&s, i, "thp"));
        cell(f, "%.2f", csv_num(&s, i, "wall_ns_median") / 1e6);
        cell(f, "%.0f", csv_num(&s, i, "pages_copied_median"));
        cell(f, "%.0f", csv_num(&s, i, "minor_faults_median"));
        cell(f, "%.1f", csv_num(&s, i, "anon_huge_kib_median") / 1024);
        fputc('\n', f);
    }
    fputs("\n", f);

    /* ---- what to distrust ---- */
    fputs("## noisy, failed and skipped cells\n\n", f);
    int flagged = 0;
    for (size_t i = 0; i < s.nrows; i++) {
        const char *status = csv_text(&s, i, "status");
        int noisy = !strcmp(csv_text(&s, i, "noisy"), "1");
        if (!noisy && (!strcmp(status, "ok") || !strcmp(status, "not_applicable")))
            continue;
        fprintf(f, "- %s / %s / %s (fraction %s, %s workers): %s%s\n", csv_text(&s, i, "group"),
                csv_text(&s, i, "strategy"), csv_text(&s, i, "workload"), csv_text(&s, i, "write_fraction"),
                csv_text(&s, i, "workers"), strcmp(status, "ok") ? status : "",
                noisy ? "noisy: wall-time variation over 10%" : "");
        flagged++;
    }
    if (!flagged)
        fputs("None: every cell ran, and none varied by more than 10%.\n", f);
    fputs("\n## performance targets\n\nThe goals the suite's issues set, against figures from this run "
          "(ratios within the run; the COW costs come from calibrate.csv).\n\n", f);
    targets_write(f, &s, cal.nrows ? &cal : NULL, profile);
    fputs("\n## figures\n\n", f);
    for (size_t k = 0; k < sizeof figure_list / sizeof *figure_list; k++) {
        char png[128];
        snprintf(png, sizeof png, "%s.png", figure_list[k].file);
        if (file_nonempty(dir, png))
            fprintf(f, "- %s: [%s](%s) ([svg](%s.svg))\n", figure_list[k].what, png, png, figure_list[k].file);
        else if (!strcmp(figure_list[k].file, "fig_h_counters") && strstr(perf, "cycles=NA"))
            fprintf(f, "- %s: not drawn: this machine exposes no hardware counters (cycles, instructions, cache "
                       "and dTLB misses are NA in every row)\n", figure_list[k].what);
        else
            fprintf(f, "- %s: not drawn (see the message of `make bench`: gnuplot missing or no data)\n",
                    figure_list[k].what);
    }
    if (cal.nrows) {
        fputs("\n## this machine's limits (calibrate.csv)\n\n| figure | value | unit | how |\n|---|---|---|---|\n", f);
        for (size_t i = 0; i < cal.nrows; i++)
            fprintf(f, "| %s | %s | %s | %s |\n", csv_text(&cal, i, "figure"), csv_text(&cal, i, "value"),
                    csv_text(&cal, i, "unit"), csv_text(&cal, i, "how"));
    }
    fputs("\nThe verdicts on the claims the suite tests are in [claims.md](claims.md).\n", f);
    csv_free(&s);
    csv_free(&cal);
    csv_free(&tl);
    return atomic_commit(f, tmp, path);
}

/* The smallest write fraction from which a copy-on-write strategy is no
 * faster than the best eager strategy, or NAN when it never is. */
double crossover_fraction(const struct csv *s, const char *cow)
{
    double fr[64];
    int nfr = summary_fractions(s, fr, 64);
    const char *eager[MAX_STRATEGIES];
    int neager = summary_strategies(s, 1, eager, MAX_STRATEGIES);
    for (int j = 0; j < nfr; j++) {
        double mine = summary_median(s, summary_find(s, "sweep", cow, "write_heavy", fr[j], 0, 0), "wall_ns");
        double best = NAN;
        for (int k = 0; k < neager; k++) {
            double e = summary_median(s, summary_find(s, "sweep", eager[k], "write_heavy", fr[j], 0, 0), "wall_ns");
            if (!isnan(e) && (isnan(best) || e < best))
                best = e;
        }
        if (!isnan(mine) && !isnan(best) && mine >= best)
            return fr[j];
    }
    return NAN;
}
