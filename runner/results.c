/*
 * results.c - CSV output.
 *
 * Every file is written whole to a temporary name and renamed over the
 * target, after every cell: an interrupted run keeps every completed cell,
 * never leaves half a row, and never clobbers an earlier file with a broken
 * one. A figure that was not measured is written NA, never 0.
 */
#include "results.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *pattern_name(enum pattern p) { return p == PATTERN_RANDOM ? "random" : "seq"; }
static const char *thp_name(enum thp_mode t) { return t == THP_NEVER ? "never" : t == THP_ALWAYS ? "always" : "default"; }

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

/* ---- the figures: one table drives raw, summary and NA handling ---- */
enum fig_kind { FIG_U64, FIG_I64, FIG_EV, FIG_DBL };
struct figure {
    const char *name;
    enum fig_kind kind;
    size_t offset; /* in struct cell_result, or the event index */
};

#define U64(f) {#f, FIG_U64, offsetof(struct cell_result, f)}
#define I64(f) {#f, FIG_I64, offsetof(struct cell_result, f)}
#define DBL(f) {#f, FIG_DBL, offsetof(struct cell_result, f)}
static const struct figure figures[] = {
    U64(wall_ns), U64(provision_ns), U64(work_ns), U64(pages_written), U64(pages_copied), U64(copy_fallbacks),
    {"minor_faults", FIG_EV, EV_MINOR_FAULTS}, {"major_faults", FIG_EV, EV_MAJOR_FAULTS},
    {"context_switches", FIG_EV, EV_CONTEXT_SWITCHES}, {"cpu_migrations", FIG_EV, EV_CPU_MIGRATIONS},
    {"task_clock_ns", FIG_EV, EV_TASK_CLOCK}, {"cycles", FIG_EV, EV_CYCLES},
    {"instructions", FIG_EV, EV_INSTRUCTIONS}, {"cache_misses", FIG_EV, EV_CACHE_MISSES},
    {"dtlb_load_misses", FIG_EV, EV_DTLB_LOAD_MISSES},
    I64(pss_kib), I64(private_dirty_kib), I64(shared_kib), I64(rss_kib), I64(rss_peak_kib), I64(anon_huge_kib),
    I64(committed_delta_kib), I64(mem_available_delta_kib),
    U64(ops), DBL(ops_per_sec), DBL(lat_p50_ns), DBL(lat_p99_ns), DBL(lat_p999_ns), DBL(lat_max_ns),
    DBL(fragmentation), DBL(lock_wait_share), DBL(fork_ns), DBL(fork_rss_kib), DBL(fork_ms_per_gib),
};
#define NFIG (sizeof figures / sizeof *figures)

/* The value of figure f in r, or NAN when it was not measured. */
static double figure_value(const struct figure *f, const struct cell_result *r)
{
    if (strcmp(r->status, "ok") != 0)
        return NAN;
    switch (f->kind) {
    case FIG_U64: {
        uint64_t v;
        memcpy(&v, (const char *)r + f->offset, sizeof v);
        return v == ALLOC_NA ? NAN : (double)v;
    }
    case FIG_I64: {
        int64_t v;
        memcpy(&v, (const char *)r + f->offset, sizeof v);
        return v == INT64_MIN || (v < 0 && strstr(f->name, "delta") == NULL) ? NAN : (double)v;
    }
    case FIG_DBL: {
        double v;
        memcpy(&v, (const char *)r + f->offset, sizeof v);
        return v;
    }
    default:
        return r->ev_valid[f->offset] ? r->ev[f->offset] : NAN;
    }
}

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

static void put_cell_key(FILE *f, const struct cell_spec *s)
{
    const struct workload_params *p = &s->params;
    fprintf(f, "%s,%s,%s,%s,%d,%zu,%g,%s,%s,%s,%llu,%zu", s->group ? s->group : "run", s->strategy->name, s->workload->name,
            s->model == MODEL_PROCESSES ? "processes" : "threads", p->workers, p->size, p->write_fraction,
            pattern_name(p->pattern), thp_name(s->config.thp), pin_mode_name(s->pin), (unsigned long long)p->seed,
            s->config.granule);
}

static const char cell_key_header[] =
    "group,strategy,workload,model,workers,size_bytes,write_fraction,pattern,thp,pin,seed,granule";

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
    fprintf(f, "%s,rep,status", cell_key_header);
    for (size_t i = 0; i < NFIG; i++)
        fprintf(f, ",%s", figures[i].name);
    fprintf(f, ",perf_mode,pus,oversubscribed,message\n");
    for (size_t k = 0; k < set->n; k++) {
        const struct row *row = &set->rows[k];
        put_cell_key(f, row->spec);
        fprintf(f, ",%d,%s", row->rep, row->r.status);
        for (size_t i = 0; i < NFIG; i++)
            put_number(f, figure_value(&figures[i], &row->r));
        fprintf(f, ",%s,%s,%d", row->r.perf_mode[0] ? row->r.perf_mode : "NA", row->r.pus[0] ? row->r.pus : "NA",
                row->oversubscribed);
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

int results_write_summary(const char *path, const struct row_set *set)
{
    char tmp[4200];
    FILE *f = atomic_open(path, tmp, sizeof tmp);
    if (!f)
        return -1;
    fprintf(f, "%s,reps_ok,reps_failed,status,noisy,wall_cv", cell_key_header);
    for (size_t i = 0; i < NFIG; i++)
        fprintf(f, ",%s_median,%s_min,%s_max,%s_mad", figures[i].name, figures[i].name, figures[i].name,
                figures[i].name);
    fputc('\n', f);
    double *v = malloc((set->n + 1) * sizeof *v), *dev = malloc((set->n + 1) * sizeof *dev);
    for (size_t k = 0; k < set->n; k++) {
        const struct cell_spec *spec = set->rows[k].spec;
        bool first = true;
        for (size_t j = 0; j < k; j++)
            if (set->rows[j].spec == spec)
                first = false;
        if (!first)
            continue;
        size_t ok = 0, bad = 0;
        const char *bad_status = "ok";
        for (size_t j = k; j < set->n; j++)
            if (set->rows[j].spec == spec) {
                if (!strcmp(set->rows[j].r.status, "ok"))
                    ok++;
                else {
                    bad++;
                    bad_status = set->rows[j].r.status;
                }
            }
        /* noisy: coefficient of variation of wall time over 10% */
        double mean = 0, var = 0;
        for (size_t j = k; j < set->n; j++)
            if (set->rows[j].spec == spec && !strcmp(set->rows[j].r.status, "ok"))
                mean += (double)set->rows[j].r.wall_ns / (double)ok;
        for (size_t j = k; j < set->n; j++)
            if (set->rows[j].spec == spec && !strcmp(set->rows[j].r.status, "ok"))
                var += pow((double)set->rows[j].r.wall_ns - mean, 2) / (double)ok;
        double cv = ok > 1 && mean > 0 ? sqrt(var) / mean : NAN;
        put_cell_key(f, spec);
        fprintf(f, ",%zu,%zu,%s,%d", ok, bad, bad ? bad_status : "ok", !isnan(cv) && cv > 0.10);
        if (isnan(cv))
            fputs(",NA", f);
        else
            fprintf(f, ",%.4f", cv);
        for (size_t i = 0; i < NFIG; i++) {
            size_t n = 0;
            for (size_t j = k; j < set->n; j++)
                if (set->rows[j].spec == spec) {
                    double x = figure_value(&figures[i], &set->rows[j].r);
                    if (!isnan(x))
                        v[n++] = x;
                }
            if (!n) {
                fputs(",NA,NA,NA,NA", f);
                continue;
            }
            double med = median_of(v, n);
            for (size_t j = 0; j < n; j++)
                dev[j] = fabs(v[j] - med);
            double mad = median_of(dev, n);
            /* v is sorted by median_of */
            put_number(f, med);
            put_number(f, v[0]);
            put_number(f, v[n - 1]);
            put_number(f, mad);
        }
        fputc('\n', f);
    }
    free(v);
    free(dev);
    return atomic_commit(f, tmp, path);
}

int results_write_timeline(const char *path, const struct row_set *set)
{
    char tmp[4200];
    FILE *f = atomic_open(path, tmp, sizeof tmp);
    if (!f)
        return -1;
    fprintf(f, "%s,rep,step,fraction_written,pss_sum_kib,mem_available_kib,committed_as_kib,commit_limit_kib,"
               "strict_overcommit_would_refuse\n",
            cell_key_header);
    for (size_t k = 0; k < set->n; k++) {
        const struct row *row = &set->rows[k];
        for (int i = 0; i < row->r.nsteps; i++) {
            const struct timeline_point *t = &row->r.timeline[i];
            put_cell_key(f, row->spec);
            fprintf(f, ",%d,%d,%.4f", row->rep, i, t->fraction_written);
            put_number(f, t->pss_sum_kib < 0 ? NAN : (double)t->pss_sum_kib);
            put_number(f, t->mem_available_kib < 0 ? NAN : (double)t->mem_available_kib);
            put_number(f, t->committed_as_kib < 0 ? NAN : (double)t->committed_as_kib);
            put_number(f, t->commit_limit_kib < 0 ? NAN : (double)t->commit_limit_kib);
            /* vm.overcommit_memory=2 refuses a mapping or fork that takes
             * Committed_AS past CommitLimit, however much is shared */
            if (t->committed_as_kib < 0 || t->commit_limit_kib < 0)
                fputs(",NA\n", f);
            else
                fprintf(f, ",%d\n", t->committed_as_kib > t->commit_limit_kib);
        }
    }
    return atomic_commit(f, tmp, path);
}
