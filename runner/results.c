/*
 * results.c - CSV output.
 *
 * Every file is written whole to a temporary name and renamed over the
 * target, after every cell: an interrupted run keeps every completed cell,
 * never leaves half a row, and never clobbers an earlier file with a broken
 * one. A figure that was not measured is written NA, never 0.
 *
 * The columns come from the tables: the key is the cell's strategy,
 * workload and run settings, then every knob any workload declares (a row
 * fills its own workload's, NA for the others'); the figures are the ones
 * every cell measures (figures.c), then every result any workload declares.
 */
#include "results.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "support/os.h"

void rows_add(struct row_set *set, const struct cell_spec *spec, int rep, bool oversubscribed,
              const struct cell_result *r)
{
    if (set->n == set->cap) {
        size_t cap = set->cap ? 2 * set->cap : 64;
        struct row *rows = realloc(set->rows, cap * sizeof *rows);
        if (!rows)
            return;
        set->rows = rows;
        set->cap = cap;
    }
    set->rows[set->n++] = (struct row){spec, rep, oversubscribed, *r};
}

static int by_plan_order(const void *x, const void *y)
{
    const struct row *a = x, *b = y;
    if (a->spec != b->spec)
        return (uintptr_t)a->spec < (uintptr_t)b->spec ? -1 : 1;
    return (a->rep > b->rep) - (a->rep < b->rep);
}

/* A bench plans its cells in one array and runs them in interleaved rounds:
 * this puts each cell's rows together again, cells in planned order. */
void rows_sort(struct row_set *set)
{
    if (set->n > 1)
        qsort(set->rows, set->n, sizeof *set->rows, by_plan_order);
}

void rows_free(struct row_set *set)
{
    free(set->rows);
    memset(set, 0, sizeof *set);
}

/* ---- the columns: the union of every workload's knobs and results ---- */
#define MAX_COLUMNS 128

static struct {
    const struct param *knob[MAX_COLUMNS]; /* one per distinct knob name */
    int nknobs;
    const char *result[MAX_COLUMNS];
    int nresults;
} cols;

static void columns_build(void)
{
    if (cols.nknobs)
        return;
    for (size_t w = 0; workload_registry[w]; w++) {
        const struct workload *wl = workload_registry[w];
        for (size_t i = 0; wl->knobs[i].name; i++) {
            int seen = 0;
            for (int k = 0; k < cols.nknobs && !seen; k++)
                seen = !strcmp(cols.knob[k]->name, wl->knobs[i].name);
            if (!seen && cols.nknobs < MAX_COLUMNS)
                cols.knob[cols.nknobs++] = &wl->knobs[i];
        }
        for (size_t i = 0; i < workload_nresults(wl); i++) {
            int seen = 0;
            for (int k = 0; k < cols.nresults && !seen; k++)
                seen = !strcmp(cols.result[k], wl->results[i].name);
            if (!seen && cols.nresults < MAX_COLUMNS)
                cols.result[cols.nresults++] = wl->results[i].name;
        }
    }
}

/* A knob's column: its name with '-' as '_', sizes with "_bytes". */
static void knob_column(const struct param *p, char *buf, size_t len)
{
    snprintf(buf, len, "%s%s", p->name, p->type == PARAM_SIZE ? "_bytes" : "");
    for (char *c = buf; *c; c++)
        if (*c == '-')
            *c = '_';
}

int results_key_columns(const char *out[], int max)
{
    static const char *const fixed[] = {"group", "strategy", "workload", "model", "options", "thp", "pin"};
    static char names[MAX_COLUMNS][64];
    columns_build();
    int n = 0;
    for (size_t i = 0; i < sizeof fixed / sizeof *fixed && n < max; i++)
        out[n++] = fixed[i];
    for (int k = 0; k < cols.nknobs && n < max; k++) {
        knob_column(cols.knob[k], names[k], sizeof names[k]);
        out[n++] = names[k];
    }
    return n;
}

int results_figure_columns(const char *out[], int max)
{
    columns_build();
    int n = 0;
    for (int i = 0; i < FIG_COUNT && n < max; i++)
        out[n++] = figure_defs[i].name;
    for (int k = 0; k < cols.nresults && n < max; k++)
        out[n++] = cols.result[k];
    return n;
}

/* ---- writing ---- */
static void put_number(FILE *f, double v)
{
    if (isnan(v))
        fputs(",NA", f);
    else if (fabs(v) >= 1000 || v == floor(v))
        fprintf(f, ",%.0f", v);
    else
        fprintf(f, ",%.4f", v); /* ratios and shares */
}

static void put_text(FILE *f, const char *s)
{
    fputs(",\"", f);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', f);
        fputc(*s == '\n' ? ' ' : *s, f);
    }
    fputc('"', f);
}

static void put_header(FILE *f, const char *const names[], int n, const char *suffix)
{
    for (int i = 0; i < n; i++)
        fprintf(f, "%s%s%s", i ? "," : "", names[i], suffix);
}

/* The strategy's options, canonical and complete: "fit=first;arena=1M" (';'
 * so that no field holds a comma: cut -d, and awk -F, still work). */
static void options_text(const struct cell_spec *s, char *buf, size_t len)
{
    size_t used = 0;
    buf[0] = '\0';
    for (size_t i = 0; s->strategy->options && s->strategy->options[i].name && used < len; i++) {
        char v[128];
        param_format(&s->strategy->options[i], s->config.opt[i], v, sizeof v);
        used += (size_t)snprintf(buf + used, len - used, "%s%s=%s", i ? ";" : "", s->strategy->options[i].name, v);
    }
}

static void put_key(FILE *f, const struct cell_spec *s)
{
    static const char *const thp[] = {[THP_DEFAULT] = "default", [THP_NEVER] = "never", [THP_ALWAYS] = "always"};
    char options[512];
    options_text(s, options, sizeof options);
    fprintf(f, "%s,%s,%s,%s", s->group ? s->group : "run", s->strategy->name, s->workload->name,
            s->model == MODEL_PROCESSES ? "processes" : "threads");
    put_text(f, options);
    fprintf(f, ",%s,%s", thp[s->config.thp], pin_mode_name(s->pin));
    for (int k = 0; k < cols.nknobs; k++) {
        int i = params_find(s->workload->knobs, cols.knob[k]->name);
        if (i < 0) {
            fputs(",NA", f); /* another workload's knob */
            continue;
        }
        const struct param *p = &s->workload->knobs[i];
        char v[512];
        if (p->type == PARAM_SIZE || p->type == PARAM_COUNT)
            fprintf(f, ",%llu", (unsigned long long)s->knob[i].n); /* numbers, for plotting */
        else if (p->type == PARAM_TEXT)
            put_text(f, (param_format(p, s->knob[i], v, sizeof v), v));
        else
            fprintf(f, ",%s", (param_format(p, s->knob[i], v, sizeof v), v));
    }
}

void results_key_text(const struct cell_spec *s, char *buf, size_t len)
{
    columns_build();
    FILE *f = fmemopen(buf, len, "w");
    if (!f) {
        snprintf(buf, len, "?");
        return;
    }
    put_key(f, s);
    fclose(f);
}

/* Figure j of a row (core figures, then the results columns), NA unless ok. */
static double figure_value(const struct row *row, int j)
{
    if (row->r.status != CELL_OK)
        return NAN;
    if (j < FIG_COUNT)
        return row->r.fig[j];
    const struct workload *w = row->spec->workload;
    for (size_t i = 0; i < workload_nresults(w); i++)
        if (!strcmp(w->results[i].name, cols.result[j - FIG_COUNT]))
            return row->r.result[i];
    return NAN;
}

int atomic_commit(FILE *f, const char *tmp, const char *path)
{
    if (fflush(f) != 0 || fsync(fileno(f)) != 0) {
        fclose(f);
        unlink(tmp);
        return -1;
    }
    if (fclose(f) != 0 || rename(tmp, path) != 0) {
        unlink(tmp);
        return -1;
    }
    return 0;
}

FILE *atomic_open(const char *path, char *tmp, size_t len)
{
    snprintf(tmp, len, "%s.tmp.%d", path, (int)getpid());
    return fopen(tmp, "w");
}

int results_check_writable(const char *path, char *why, size_t whylen)
{
    char tmp[4200];
    FILE *f = atomic_open(path, tmp, sizeof tmp);
    if (!f) {
        snprintf(why, whylen, "%s", strerror(errno));
        return -1;
    }
    fclose(f);
    unlink(tmp);
    return 0;
}

int results_write_raw(const char *path, const struct row_set *set)
{
    char tmp[4200];
    FILE *f = atomic_open(path, tmp, sizeof tmp);
    if (!f)
        return -1;
    results_print_raw(f, set);
    return atomic_commit(f, tmp, path);
}

void results_print_raw(FILE *f, const struct row_set *set)
{
    const char *keys[MAX_COLUMNS], *figs[MAX_COLUMNS];
    int nkeys = results_key_columns(keys, MAX_COLUMNS), nfigs = results_figure_columns(figs, MAX_COLUMNS);
    put_header(f, keys, nkeys, "");
    fputs(",rep,status,", f);
    put_header(f, figs, nfigs, "");
    fprintf(f, ",perf_mode,pus,nodes,oversubscribed,cell_ns,message\n");
    for (size_t k = 0; k < set->n; k++) {
        const struct row *row = &set->rows[k];
        char status[48];
        put_key(f, row->spec);
        fprintf(f, ",%d,%s", row->rep, cell_status_text(row->r.status, row->r.signal, status, sizeof status));
        for (int j = 0; j < nfigs; j++)
            put_number(f, figure_value(row, j));
        fprintf(f, ",%s,%s,%s,%d", row->r.perf_mode[0] ? row->r.perf_mode : "NA", row->r.pus[0] ? row->r.pus : "NA",
                row->r.nodes[0] ? row->r.nodes : "NA", row->oversubscribed);
        put_number(f, row->r.cell_ns);
        put_text(f, row->r.message);
        fputc('\n', f);
    }
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median_of(double *v, size_t n)
{
    qsort(v, n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* Median, min, max and MAD of figure j over the rows of one cell. */
static void put_spread(FILE *f, const struct row *rows, size_t n, int j, double *v, double *dev)
{
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        double x = figure_value(&rows[i], j);
        if (!isnan(x))
            v[m++] = x;
    }
    if (!m) {
        fputs(",NA,NA,NA,NA", f);
        return;
    }
    double med = median_of(v, m); /* sorts v */
    for (size_t i = 0; i < m; i++)
        dev[i] = fabs(v[i] - med);
    put_number(f, med);
    put_number(f, v[0]);
    put_number(f, v[m - 1]);
    put_number(f, median_of(dev, m));
}

/* One cell's line: its rows are rows[0..n), together after rows_sort. */
static void put_summary(FILE *f, const struct row *rows, size_t n, int nfigs, double *v, double *dev)
{
    size_t ok = 0, bad = 0;
    const struct row *bad_row = NULL;
    double mean = 0, var = 0;
    for (size_t i = 0; i < n; i++) {
        if (rows[i].r.status == CELL_OK && rows[i].rep == 0)
            continue; /* the memory pass: no times, not a measured repetition */
        if (rows[i].r.status == CELL_OK) {
            ok++;
            mean += rows[i].r.fig[FIG_WALL_NS];
        } else {
            bad++;
            bad_row = &rows[i];
        }
    }
    mean = ok ? mean / (double)ok : 0;
    for (size_t i = 0; i < n; i++)
        if (rows[i].r.status == CELL_OK && rows[i].rep > 0)
            var += pow(rows[i].r.fig[FIG_WALL_NS] - mean, 2) / (double)ok;
    /* noisy: coefficient of variation of wall time over 10% */
    double cv = ok > 1 && mean > 0 ? sqrt(var) / mean : NAN;
    char status[48] = "ok";
    if (bad_row)
        cell_status_text(bad_row->r.status, bad_row->r.signal, status, sizeof status);
    put_key(f, rows[0].spec);
    fprintf(f, ",%zu,%zu,%s,%d", ok, bad, status, !isnan(cv) && cv > RESULTS_NOISY_CV);
    if (isnan(cv))
        fputs(",NA", f);
    else
        fprintf(f, ",%.4f", cv);
    for (int j = 0; j < nfigs; j++)
        put_spread(f, rows, n, j, v, dev);
    fputc('\n', f);
}

int results_write_summary(const char *path, const struct row_set *set)
{
    char tmp[4200];
    FILE *f = atomic_open(path, tmp, sizeof tmp);
    if (!f)
        return -1;
    const char *keys[MAX_COLUMNS], *figs[MAX_COLUMNS];
    int nkeys = results_key_columns(keys, MAX_COLUMNS), nfigs = results_figure_columns(figs, MAX_COLUMNS);
    put_header(f, keys, nkeys, "");
    fputs(",reps_ok,reps_failed,status,noisy,wall_cv", f);
    for (int j = 0; j < nfigs; j++)
        fprintf(f, ",%s_median,%s_min,%s_max,%s_mad", figs[j], figs[j], figs[j], figs[j]);
    fputc('\n', f);
    double *v = malloc((set->n + 1) * sizeof *v), *dev = malloc((set->n + 1) * sizeof *dev);
    if (!v || !dev) {
        free(v);
        free(dev);
        fclose(f);
        unlink(tmp);
        return -1;
    }
    /* rows of one cell are together: sorted by rows_sort, or added in order by run */
    for (size_t k = 0, end; k < set->n; k = end) {
        for (end = k + 1; end < set->n && set->rows[end].spec == set->rows[k].spec; end++)
            ;
        put_summary(f, &set->rows[k], end - k, nfigs, v, dev);
    }
    free(v);
    free(dev);
    return atomic_commit(f, tmp, path);
}

static void put_timeline_point(FILE *f, const struct row *row, int i)
{
    const struct timeline_point *t = &row->r.timeline[i];
    put_key(f, row->spec);
    fprintf(f, ",%d,%d,%.4f", row->rep, i, t->fraction_written);
    put_number(f, t->pss_sum_kib);
    put_number(f, t->mem_available_kib);
    put_number(f, t->committed_as_kib);
    put_number(f, t->commit_limit_kib);
    put_number(f, t->strict_commit_kib);
    put_number(f, t->ms);
    put_number(f, t->rss_sum_kib);
    put_number(f, t->heap_live_kib);
    put_number(f, t->heap_reserved_kib);
    /* vm.overcommit_memory=2 refuses a mapping or fork that takes its charge
     * past CommitLimit, however much is shared, MAP_NORESERVE or not */
    if (is_na(t->strict_commit_kib) || is_na(t->commit_limit_kib))
        fputs(",NA\n", f);
    else
        fprintf(f, ",%d\n", t->strict_commit_kib > t->commit_limit_kib);
}

int results_write_timeline(const char *path, const struct row_set *set)
{
    char tmp[4200];
    FILE *f = atomic_open(path, tmp, sizeof tmp);
    if (!f)
        return -1;
    const char *keys[MAX_COLUMNS];
    put_header(f, keys, results_key_columns(keys, MAX_COLUMNS), "");
    fputs(",rep,step,fraction_written,pss_sum_kib,mem_available_kib,committed_as_kib,commit_limit_kib,"
          "strict_commit_kib,ms,rss_sum_kib,heap_live_kib,heap_reserved_kib,strict_overcommit_would_refuse\n", f);
    for (size_t k = 0; k < set->n; k++)
        for (int i = 0; i < set->rows[k].r.nsteps; i++)
            put_timeline_point(f, &set->rows[k], i);
    return atomic_commit(f, tmp, path);
}
