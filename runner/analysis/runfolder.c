/*
 * runfolder.c - read a run folder back (summary.csv, calibrate.csv,
 * timeline.csv, c2.csv, meta.txt) and look things up in it by name.
 */
#include "runfolder.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "allocator.h"
#include "cli.h"
#include "plan.h"
#include "results.h"

static int load_meta(struct run_folder *run)
{
    char path[4200], line[512];
    snprintf(path, sizeof path, "%s/meta.txt", run->dir);
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    while (f && fgets(line, sizeof line, f) && run->nmeta < RUN_MAX_META) {
        line[strcspn(line, "\n")] = '\0';
        char *colon = strstr(line, ": ");
        if (!colon)
            continue;
        *colon = '\0';
        snprintf(run->meta[run->nmeta].key, sizeof run->meta[0].key, "%.63s", line);
        snprintf(run->meta[run->nmeta].value, sizeof run->meta[0].value, "%s", colon + 2);
        run->nmeta++;
    }
    fclose(f);
    return 0;
}

int run_load_meta(const char *dir, struct run_folder *run)
{
    memset(run, 0, sizeof *run);
    snprintf(run->dir, sizeof run->dir, "%s", dir);
    return load_meta(run);
}

static void load_csv(const struct run_folder *run, const char *name, struct csv *out)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/%s", run->dir, name);
    if (csv_load(path, out) != 0)
        memset(out, 0, sizeof *out);
}

int run_load(const char *dir, struct run_folder *run)
{
    memset(run, 0, sizeof *run);
    snprintf(run->dir, sizeof run->dir, "%s", dir);
    load_csv(run, "summary.csv", &run->summary);
    if (!run->summary.ncols)
        return -1;
    load_csv(run, "raw.csv", &run->raw);
    load_csv(run, "calibrate.csv", &run->calibrate);
    load_csv(run, "calibrate_end.csv", &run->calibrate_end);
    load_csv(run, "timeline.csv", &run->timeline);
    load_csv(run, "c2.csv", &run->c2);
    load_meta(run);
    return 0;
}

const char *run_open(const char *cmd, int argc, char **argv, struct run_folder *run)
{
    if (argc > 2)
        die_usage("%s: one run folder at most (default: results/latest)", cmd);
    const char *dir = argc == 2 ? argv[1] : "results/latest";
    if (run_load(dir, run) != 0)
        die_usage("%s: '%s' holds no summary.csv: not a run folder (run `make bench` first)", cmd, dir);
    return dir;
}

void run_free(struct run_folder *run)
{
    csv_free(&run->summary);
    csv_free(&run->raw);
    csv_free(&run->calibrate_end);
    csv_free(&run->calibrate);
    csv_free(&run->timeline);
    csv_free(&run->c2);
}

const char *run_meta(const struct run_folder *run, const char *key)
{
    for (int i = 0; i < run->nmeta; i++)
        if (!strcmp(run->meta[i].key, key))
            return run->meta[i].value;
    return "NA";
}

/* Two key values alike: as numbers when both are, else as text. */
static bool same_value(const char *a, const char *b)
{
    char *ea, *eb;
    double x = strtod(a, &ea), y = strtod(b, &eb);
    if (*a && *b && !*ea && !*eb)
        return fabs(x - y) <= 1e-9 * fmax(1, fabs(x));
    return !strcmp(a, b);
}

/* Does row match every "column=value" word of where? */
static bool matches(const struct csv *s, size_t row, const char *where)
{
    char text[512];
    snprintf(text, sizeof text, "%s", where ? where : "");
    for (char *save = NULL, *w = strtok_r(text, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
        char *eq = strchr(w, '=');
        if (!eq)
            return false;
        *eq = '\0';
        if (csv_col(s, w) < 0 || !same_value(csv_text(s, row, w), eq + 1))
            return false;
    }
    return true;
}

long run_find(const struct run_folder *run, const char *group, const char *strategy, const char *workload,
              const char *where)
{
    const struct csv *s = &run->summary;
    for (size_t i = 0; i < s->nrows; i++) {
        if ((group && strcmp(csv_text(s, i, "group"), group)) ||
            (strategy && strcmp(csv_text(s, i, "strategy"), strategy)) ||
            (workload && strcmp(csv_text(s, i, "workload"), workload)))
            continue;
        if (matches(s, i, where))
            return (long)i;
    }
    return -1;
}

/* summary.csv names a figure's statistics figure_median, _min, _max, _mad (results.c) */
double run_stat(const struct run_folder *run, long row, const char *figure, const char *stat)
{
    if (row < 0)
        return NA;
    char col[160];
    snprintf(col, sizeof col, "%s_%s", figure, stat);
    return csv_num(&run->summary, (size_t)row, col);
}

double run_median(const struct run_folder *run, long row, const char *figure)
{
    return run_stat(run, row, figure, "median");
}

const char *run_median_of(const char *column, char *figure, size_t len)
{
    static const char suffix[] = "_median";
    size_t n = strlen(column), k = sizeof suffix - 1;
    if (n <= k || strcmp(column + n - k, suffix))
        return NULL;
    snprintf(figure, len, "%.*s", (int)(n - k), column);
    return figure;
}

double run_baseline_median(const struct run_folder *run, long row, const char *figure)
{
    const struct csv *s = &run->summary;
    const char *keys[256];
    int nkeys = results_key_columns(keys, 256);
    for (size_t i = 0; row >= 0 && i < s->nrows; i++) {
        if (strcmp(csv_text(s, i, "strategy"), PLAN_BASELINE))
            continue;
        bool same = true;
        for (int k = 0; k < nkeys && same; k++)
            if (strcmp(keys[k], "strategy") && strcmp(keys[k], "model") && strcmp(keys[k], "options") &&
                csv_col(s, keys[k]) >= 0)
                same = same_value(csv_text(s, i, keys[k]), csv_text(s, (size_t)row, keys[k]));
        if (same)
            return run_median(run, (long)i, figure);
    }
    return NA;
}

/* Does raw row r belong to summary row s's cell? Every key column both files have is alike. */
static bool same_cell(const struct run_folder *run, size_t r, size_t s)
{
    const char *keys[256];
    int nkeys = results_key_columns(keys, 256);
    for (int k = 0; k < nkeys; k++)
        if (csv_col(&run->raw, keys[k]) >= 0 && csv_col(&run->summary, keys[k]) >= 0 &&
            !same_value(csv_text(&run->raw, r, keys[k]), csv_text(&run->summary, s, keys[k])))
            return false;
    return true;
}

int run_reps(const struct run_folder *run, long row, const char *figure, double *out, int max)
{
    int n = 0;
    for (size_t r = 0; row >= 0 && r < run->raw.nrows && n < max; r++) {
        if (strcmp(csv_text(&run->raw, r, "status"), "ok") || !same_cell(run, r, (size_t)row))
            continue;
        double v = csv_num(&run->raw, r, figure);
        if (!isnan(v))
            out[n++] = v;
    }
    return n;
}

static double calibration_value(const struct csv *cal, const char *figure)
{
    for (size_t i = 0; i < cal->nrows; i++)
        if (!strcmp(csv_text(cal, i, "figure"), figure))
            return csv_num(cal, i, "value");
    return NA;
}

double run_calibrated(const struct run_folder *run, const char *figure)
{
    return calibration_value(&run->calibrate, figure);
}

struct interval run_calibrated_interval(const struct run_folder *run, const char *figure)
{
    const struct csv *cal = &run->calibrate;
    for (size_t i = 0; i < cal->nrows; i++)
        if (!strcmp(csv_text(cal, i, "figure"), figure))
            return (struct interval){csv_num(cal, i, "value"), csv_num(cal, i, "min"), csv_num(cal, i, "max")};
    return (struct interval){NA, NA, NA};
}

double run_recalibrated(const struct run_folder *run, const char *figure)
{
    return calibration_value(&run->calibrate_end, figure);
}

int run_strategies(const struct run_folder *run, enum strategy_kind kind, const char *out[], int max)
{
    int n = 0;
    for (size_t i = 0; i < run->summary.nrows && n < max; i++) {
        const char *name = csv_text(&run->summary, i, "strategy");
        bool seen = false;
        for (int k = 0; k < n && !seen; k++)
            seen = !strcmp(out[k], name);
        const struct allocator *a = allocator_find(name); /* as this build knows it */
        bool cow = a && a->view_open;
        if (!seen && (kind == KIND_ANY || (kind == KIND_EAGER && a && !cow) || (kind == KIND_COPY_ON_WRITE && cow)))
            out[n++] = name;
    }
    return n;
}

static int cmp_double(const void *x, const void *y)
{
    double a = *(const double *)x, b = *(const double *)y;
    return (a > b) - (a < b);
}

int run_values(const struct run_folder *run, const char *group, const char *column, double out[], int max)
{
    int n = 0;
    for (size_t i = 0; i < run->summary.nrows && n < max; i++) {
        if (group && strcmp(csv_text(&run->summary, i, "group"), group))
            continue;
        double v = csv_num(&run->summary, i, column);
        bool seen = false;
        for (int k = 0; k < n && !seen; k++)
            seen = fabs(out[k] - v) < 1e-12;
        if (!seen && !isnan(v))
            out[n++] = v;
    }
    qsort(out, (size_t)n, sizeof *out, cmp_double);
    return n;
}

struct interval run_ratio(const struct run_folder *run, long a, const char *fig_a, long b, const char *fig_b)
{
    enum { MAX = 256 };
    static double va[MAX], vb[MAX];
    int na = run_reps(run, a, fig_a, va, MAX), nb = run_reps(run, b, fig_b, vb, MAX);
    if (!na || !nb)
        return (struct interval){NA, NA, NA};
    return interval_ratio(va, na, vb, nb);
}

/* a cell's measured repetitions by number: out[k] for rep k, NA where it has none */
static void reps_by_number(const struct run_folder *run, long row, const char *figure, double *out, int max)
{
    for (int k = 0; k < max; k++)
        out[k] = NA;
    for (size_t r = 0; row >= 0 && r < run->raw.nrows; r++) {
        double rep = csv_num(&run->raw, r, "rep");
        if (!(rep >= 1 && rep < max) || strcmp(csv_text(&run->raw, r, "status"), "ok") ||
            !same_cell(run, r, (size_t)row))
            continue;
        out[(int)rep] = csv_num(&run->raw, r, figure);
    }
}

struct interval run_paired_ratio(const struct run_folder *run, long a, const char *fig_a, long b, const char *fig_b)
{
    enum { MAX = 256 };
    static double va[MAX], vb[MAX], ratio[MAX];
    reps_by_number(run, a, fig_a, va, MAX);
    reps_by_number(run, b, fig_b, vb, MAX);
    int n = 0;
    for (int k = 1; k < MAX; k++)
        if (!isnan(va[k]) && !isnan(vb[k]) && vb[k] != 0)
            ratio[n++] = va[k] / vb[k];
    return n ? interval_median(ratio, n) : (struct interval){NA, NA, NA};
}

double run_copy_floor(const struct run_folder *run, long row, bool *cow)
{
    const struct csv *s = &run->summary;
    if (row < 0)
        return NA;
    const struct allocator *a = allocator_find(csv_text(s, (size_t)row, "strategy"));
    double copied = run_median(run, row, "pages_copied") / csv_num(s, (size_t)row, "workers");
    double gib_s = run_calibrated(run, "memcpy_bandwidth");
    *cow = a && a->view_open;
    double per_page = *cow ? run_calibrated(run, "kernel_cow_fault")
                           : run_calibrated(run, "first_touch_fault") + (double)PAGE_BYTES / (gib_s * (1u << 30)) * 1e9;
    double spent = run_median(run, row, *cow ? "work_ns" : "provision_ns");
    double x = spent / (copied * per_page);
    return copied > 0 && isfinite(x) ? x : NA;
}

/* A row's key columns as "name=value" words: all that are set, or (settings)
 * those that tell a cell apart beside its group, strategy and workload. */
static void key_text(const struct csv *s, size_t row, bool settings, char *buf, size_t len)
{
    const char *keys[256];
    int n = results_key_columns(keys, 256);
    size_t used = 0;
    buf[0] = '\0';
    for (int k = 0; k < n && used < len; k++) {
        const char *v = csv_text(s, row, keys[k]);
        if (!*v || !strcmp(v, "NA"))
            continue;
        if (settings && (!strcmp(keys[k], "group") || !strcmp(keys[k], "strategy") || !strcmp(keys[k], "workload") ||
                         !strcmp(keys[k], "seed") || !strcmp(keys[k], "model") || !strcmp(keys[k], "pin") ||
                         (!strcmp(keys[k], "thp") && !strcmp(v, "default"))))
            continue;
        used += (size_t)snprintf(buf + used, len - used, "%s%s=%s", used ? " " : "", keys[k], v);
    }
}

void run_settings(const struct csv *s, size_t row, char *buf, size_t len) { key_text(s, row, true, buf, len); }

void run_cell_key(const struct csv *s, size_t row, char *buf, size_t len) { key_text(s, row, false, buf, len); }

const char *run_out_option(const char *cmd, const char *usage, int argc, char **argv, const char *dflt)
{
    static const struct option opts[] = {{"out", required_argument, NULL, 'o'}, {NULL, 0, NULL, 0}};
    const char *out = dflt;
    int c;
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) { /* "": options may follow the folders */
        if (c != 'o')
            die_usage("%s: unknown or incomplete option '%s' (usage: %s)", cmd, argv[optind - 1], usage);
        out = optarg;
    }
    return out;
}

void run_make_out(const char *cmd, const char *dir)
{
    if (mkdir(dir, 0777) != 0 && errno != EEXIST)
        die_usage("%s: cannot make '%s': %s", cmd, dir, strerror(errno));
}
