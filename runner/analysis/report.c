/*
 * report.c - report.md: what a run measured, in tables a newcomer can read
 * without opening a CSV. Everything is read back from the run folder
 * (runfolder.c), so a report can be rebuilt from any run. Every group of
 * cells a workload's plan declares gets a table: the key columns that vary
 * in it, the figures of the workload's kind (their headings, units, formats
 * and the tables that show them come from the table of figures,
 * figures.c), and the workload's own results.
 */
#include "report.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "claims.h"
#include "cli.h"
#include "crossover.h"
#include "figures.h"
#include "lookups.h"
#include "plots.h"
#include "harness.h"
#include "placement.h"
#include "release.h"
#include "resolution.h"
#include "groups.h"
#include "plan.h"
#include "results.h"
#include "runfolder.h"
#include "targets.h"
#include "tax.h"
#include "workload.h"

#define FIG(x) figure_defs[x].name

static void cell(FILE *f, const char *fmt, double v)
{
    if (isnan(v)) {
        fputs(" NA |", f);
        return;
    }
    fputc(' ', f);
    fprintf(f, fmt, v);
    fputs(" |", f);
}

/* a workload's result as the table shows it: ns in ms where the section's
 * largest value reaches a millisecond (a program's CPU time; a read's
 * latency stays in ns), KiB in MiB */
static double result_scale(const char *unit, double largest, const char **shown)
{
    bool ms = !strcmp(unit, "ns") && largest >= 1e6;
    *shown = ms ? "ms" : !strcmp(unit, "KiB") ? "MiB" : unit;
    return ms ? 1e-6 : !strcmp(unit, "KiB") ? 1.0 / 1024 : 1;
}

/* ---- one table per (group, workload) ---- */
struct section {
    const struct run_folder *run;
    const char *group, *workload;
    bool heap;                /* the workload's kind */
    bool ops;                 /* heap operations were counted (not in programs: they run elsewhere) */
    bool latency;             /* allocation and free latencies were sampled (churn's; not shared_object's) */
    const char *vary[32];     /* key columns whose value differs within the section */
    int nvary;
    bool baseline, huge;      /* a baseline row to compare with; memory backed by huge pages */
    const struct workload *w; /* NULL: a workload this build does not have */
    double largest[WORKLOAD_MAX_RESULTS]; /* each result's largest median in the section */
};

static bool in_section(const struct section *sc, size_t i)
{
    return !strcmp(csv_text(&sc->run->summary, i, "group"), sc->group) &&
           !strcmp(csv_text(&sc->run->summary, i, "workload"), sc->workload);
}

/* a row that stands for a strategy this cell could not run: no figures */
static bool row_says_why(const struct csv *s, size_t i)
{
    const char *status = csv_text(s, i, "status");
    return !strcmp(status, "not_applicable") || !strcmp(status, "unavailable");
}

/* why a strategy is unavailable, from its row in raw.csv */
static const char *unavailable_why(const struct run_folder *run, const char *strategy)
{
    const struct csv *raw = &run->raw;
    for (size_t i = 0; i < raw->nrows; i++)
        if (!strcmp(csv_text(raw, i, "strategy"), strategy) && !strcmp(csv_text(raw, i, "status"), "unavailable"))
            return csv_text(raw, i, "message");
    return "unavailable";
}

static void section_scan(struct section *sc)
{
    const struct csv *s = &sc->run->summary;
    const char *keys[256];
    int nkeys = results_key_columns(keys, 256);
    for (int k = 0; k < nkeys && sc->nvary < 32; k++) {
        if (!strcmp(keys[k], "group") || !strcmp(keys[k], "strategy") || !strcmp(keys[k], "workload") ||
            !strcmp(keys[k], "options") || !strcmp(keys[k], "model") || csv_col(s, keys[k]) < 0)
            continue;
        const char *first = NULL;
        bool varies = false;
        for (size_t i = 0; i < s->nrows && !varies; i++)
            if (in_section(sc, i) && !row_says_why(s, i)) {
                varies = first && strcmp(first, csv_text(s, i, keys[k]));
                first = first ? first : csv_text(s, i, keys[k]);
            }
        if (varies)
            sc->vary[sc->nvary++] = keys[k];
    }
    for (size_t i = 0; i < s->nrows; i++)
        if (in_section(sc, i)) {
            long row = (long)i;
            sc->baseline |= !strcmp(csv_text(s, i, "strategy"), PLAN_BASELINE);
            sc->huge |= run_median(sc->run, row, FIG(FIG_ANON_HUGE_KIB)) > 0;
            sc->ops |= !isnan(run_median(sc->run, row, FIG(FIG_OPS_PER_SEC)));
            sc->latency |= !isnan(run_median(sc->run, row, FIG(FIG_ALLOC_P50_NS)));
            for (size_t k = 0; sc->w && k < workload_nresults(sc->w); k++) {
                double v = fabs(run_median(sc->run, row, sc->w->results[k].name));
                sc->largest[k] = isnan(v) || v < sc->largest[k] ? sc->largest[k] : v;
            }
        }
}

/* Is figure d a column of this section's table (figures.h)? */
static bool shows(const struct section *sc, const struct figure_column *d)
{
    unsigned kind = sc->heap ? (sc->ops ? SHOWN_HEAP : SHOWN_WALL) : SHOWN_VIEWS;
    return d->heading && (d->shown & kind) && (sc->latency || !(d->shown & SHOWN_IF_LATENCY)) &&
           (sc->huge || !(d->shown & SHOWN_IF_HUGE));
}

/* "wall ms": a column's heading, and its unit */
static void heading(FILE *f, const char *what, const char *unit)
{
    fprintf(f, " %s%s%s |", what, unit ? " " : "", unit ? unit : "");
}

static void section_header(FILE *f, const struct section *sc)
{
    fprintf(f, "## %s (%s)\n\n| strategy |", sc->workload, sc->group);
    int ncols = 1 + sc->nvary;
    for (int k = 0; k < sc->nvary; k++)
        fprintf(f, " %s |", sc->vary[k]);
    for (int i = 0; i < FIG_COUNT; i++) {
        const struct figure_column *d = &figure_defs[i].report;
        if (!shows(sc, d))
            continue;
        heading(f, d->heading, d->unit), ncols++;
        if ((d->extra & EXTRA_BASELINE) && sc->baseline)
            fprintf(f, " vs %s |", PLAN_BASELINE), ncols++;
        if (d->extra & EXTRA_RANGE)
            heading(f, "min-max", d->unit), ncols++;
    }
    if (!sc->heap)
        fputs(" x its floor |", f), ncols++;
    for (size_t k = 0; sc->w && k < workload_nresults(sc->w); k++, ncols++) {
        const char *unit, *name = sc->w->results[k].name, *was = sc->w->results[k].unit;
        bool rescaled = result_scale(was, sc->largest[k], &unit) != 1;
        size_t len = strlen(name), tail = strlen(was) + 1;
        size_t cut = rescaled && len > tail && name[len - tail] == '_' && !strcasecmp(name + len - tail + 1, was) ? tail : 0;
        fprintf(f, " %.*s (%s) |", (int)(len - cut), name, unit); /* program_cpu_ns in ms: program_cpu (ms) */
    }
    fputs("\n|", f);
    for (int k = 0; k < ncols; k++)
        fputs("---|", f);
    fputc('\n', f);
}

/* A strategy's copying against the physical floor of the same work
 * (run_copy_floor), or "-" where too few pages were copied to say. */
static void copy_floor(FILE *f, const struct section *sc, size_t i)
{
    bool cow;
    double x = run_copy_floor(sc->run, (long)i, &cow);
    const struct csv *s = &sc->run->summary;
    double copied = run_median(sc->run, (long)i, FIG(FIG_PAGES_COPIED));
    if (copied / csv_num(s, i, "workers") * PAGE_BYTES < 0.01 * csv_num(s, i, "size_bytes"))
        fputs(" - |", f);
    else if (isnan(x))
        fputs(" NA |", f);
    else
        fprintf(f, " %.2fx %s |", x, cow ? "(work, COW)" : "(provision, copy)");
}

/* a latency, or "<STEP" when under one step of the timer (resolution.h):
 * it cannot be told from 0. A step under 10 ns keeps two digits ("<2.4",
 * not "<2"). */
static void latency_cell(FILE *f, const struct section *sc, long row, double v)
{
    double step = latency_step(run_median(sc->run, row, FIG(FIG_LAT_RESOLUTION_NS)));
    if (latency_under_step(v, step))
        fprintf(f, step >= 9.5 ? " <%.0f |" : " <%.2g |", step);
    else
        cell(f, "%.0f", v);
}

/* a figure's column in a row, and what follows it (figures.h) */
static void figure_cells(FILE *f, const struct section *sc, long row, enum figure fig)
{
    const struct figure_column *d = &figure_defs[fig].report;
    const char *name = figure_defs[fig].name;
    double v = run_median(sc->run, row, name);
    if (d->extra & EXTRA_STEP)
        latency_cell(f, sc, row, v);
    else
        cell(f, d->format, (d->extra & EXTRA_PERCENT ? 100 * v : v) / d->per);
    if ((d->extra & EXTRA_BASELINE) && sc->baseline)
        cell(f, "%.2fx", v / run_baseline_median(sc->run, row, name));
    if (!(d->extra & EXTRA_RANGE))
        return;
    double min = run_stat(sc->run, row, name, "min"), max = run_stat(sc->run, row, name, "max");
    char lo[64] = "NA", hi[64] = "NA";
    if (!isnan(min))
        snprintf(lo, sizeof lo, d->format, min / d->per);
    if (!isnan(max))
        snprintf(hi, sizeof hi, d->format, max / d->per);
    fprintf(f, " %s-%s |", lo, hi);
}

/* a row's figures, then (a copy workload) its copying against the floor */
static void figures_row(FILE *f, const struct section *sc, size_t i)
{
    for (int k = 0; k < FIG_COUNT; k++)
        if (shows(sc, &figure_defs[k].report))
            figure_cells(f, sc, (long)i, (enum figure)k);
    if (!sc->heap)
        copy_floor(f, sc, i);
}

static void section_write(FILE *f, struct section *sc)
{
    const struct csv *s = &sc->run->summary;
    section_scan(sc);
    section_header(f, sc);
    for (size_t i = 0; i < s->nrows; i++) {
        if (!in_section(sc, i))
            continue;
        const char *st = csv_text(s, i, "strategy"), *status = csv_text(s, i, "status");
        if (!strcmp(status, "not_applicable")) {
            fprintf(f, "| %s | not applicable: %s has no heap |\n", st, st);
            continue;
        }
        if (!strcmp(status, "unavailable")) {
            fprintf(f, "| %s | %s |\n", st, unavailable_why(sc->run, st));
            continue;
        }
        fprintf(f, "| %s%s |", st, strcmp(status, "ok") ? " (failed)" : "");
        for (int k = 0; k < sc->nvary; k++) {
            const char *v = csv_text(s, i, sc->vary[k]);
            size_t len = strlen(sc->vary[k]);
            if (len > 6 && !strcmp(sc->vary[k] + len - 6, "_bytes")) /* sizes in MiB */
                fprintf(f, " %g MiB |", csv_num(s, i, sc->vary[k]) / (1 << 20));
            else
                fprintf(f, " %s |", v);
        }
        figures_row(f, sc, i);
        for (size_t k = 0; sc->w && k < workload_nresults(sc->w); k++) {
            const char *unit;
            double v = run_median(sc->run, (long)i, sc->w->results[k].name) *
                       result_scale(sc->w->results[k].unit, sc->largest[k], &unit);
            cell(f, fabs(v) >= 1e6 ? "%.3g" : fabs(v) >= 100 || v == floor(v) ? "%.0f" : "%.3g", v);
        }
        fputc('\n', f);
    }
    fputc('\n', f);
}

static void crossover_notes(FILE *f, const struct run_folder *run)
{
    const char *cows[RUN_MAX_STRATEGIES];
    int ncow = run_strategies(run, KIND_COPY_ON_WRITE, cows, RUN_MAX_STRATEGIES);
    for (int k = 0; k < ncow; k++) {
        struct crossover x;
        char text[400];
        if (crossover_find(run, cows[k], &x) != 0)
            continue;
        crossover_text(cows[k], &x, 0, text, sizeof text); /* no "almost every page" here: that is the claim's */
        fprintf(f, "%s.\n\n", text);
    }
}

/* Every (group, workload) pair of the run: the main group's first (the
 * table a newcomer reads first), then the others in order of appearance. */
static void sections_write(FILE *f, const struct run_folder *run)
{
    const struct csv *s = &run->summary;
    for (size_t k = 0; k < 2 * s->nrows; k++) {
        size_t i = k % s->nrows;
        struct section sc = {.run = run, .group = csv_text(s, i, "group"), .workload = csv_text(s, i, "workload")};
        if ((k < s->nrows) != !strcmp(sc.group, GROUP_MAIN))
            continue;
        bool seen = false;
        for (size_t j = 0; j < i && !seen; j++)
            seen = !strcmp(csv_text(s, j, "group"), sc.group) && !strcmp(csv_text(s, j, "workload"), sc.workload);
        if (seen)
            continue;
        sc.w = workload_find(sc.workload);
        sc.heap = sc.w ? sc.w->kind == WORKLOAD_HEAP : !isnan(run_median(run, (long)i, FIG(FIG_OPS_PER_SEC)));
        section_write(f, &sc);
        if (!strcmp(sc.group, GROUP_SWEEP))
            crossover_notes(f, run);
        if (!strcmp(sc.group, GROUP_LOOKUPS))
            lookups_notes(f, run);
        if (!strcmp(sc.group, GROUP_PROGRAMS))
            tax_write(f, run);
    }
    fputs("`vs system_malloc`: the figure over the C library's in the same cell (wall time: below 1 is faster; "
          "ops/s: above 1 is faster). `x its floor`: a strategy's copying over the physical floor of the same "
          "work on this machine, per worker: `(provision, copy)`, an eager copy's provisioning over its pages x "
          "(first-touch fault + memcpy of a page); `(work, COW)`, a copy-on-write strategy's work over its pages "
          "copied x the kernel's COW fault (its work also holds the workload's own reads and writes: an upper "
          "bound); `-` where under 1% of the pages were copied. PSS counts shared pages once; the RSS sum counts them in every process. "
          "Latencies: sampled allocations and frees, spread over the whole run, the mean cost of a pair of time "
          "stamps taken out; `<R` is under one step of the timer (R ns, `lat_resolution_ns`), which cannot "
          "be told from 0, and a latency under two steps is compared with nothing. "
          "fragmentation: peak bytes reserved from the OS over peak bytes live (1 is perfect). off-CPU share: "
          "1 - task clock over workers x wall time. lock waits: lock acquisitions that had to wait, over heap "
          "operations, where the strategy counts them.\n\n",
          f);
}

/* The first repetition's memory timeline of every strategy (timeline.csv). */
static void timeline_write(FILE *f, const struct run_folder *run)
{
    const struct csv *tl = &run->timeline;
    if (!tl->nrows)
        return;
    fputs("## memory over the steps (timeline.csv)\n\n| strategy | workload | PSS at start MiB | PSS at end MiB | "
          "Committed_AS at end MiB | CommitLimit MiB | strict overcommit would refuse |\n"
          "|---|---|---|---|---|---|---|\n", f);
    for (size_t i = 0; i < tl->nrows; i++) {
        bool last = i + 1 == tl->nrows || csv_num(tl, i + 1, "step") == 0;
        if (csv_num(tl, i, "rep") != 1 || !last || !strcmp(csv_text(tl, i, "group"), GROUP_RELEASE))
            continue;
        double start = NAN;
        for (size_t j = i + 1; j-- > 0 && isnan(start);)
            if (csv_num(tl, j, "step") == 0)
                start = csv_num(tl, j, "pss_sum_kib");
        fprintf(f, "| %s | %s |", csv_text(tl, i, "strategy"), csv_text(tl, i, "workload"));
        cell(f, "%.0f", start / 1024);
        cell(f, "%.0f", csv_num(tl, i, "pss_sum_kib") / 1024);
        cell(f, "%.0f", csv_num(tl, i, "committed_as_kib") / 1024);
        cell(f, "%.0f", csv_num(tl, i, "commit_limit_kib") / 1024);
        const char *refuse = csv_text(tl, i, "strict_overcommit_would_refuse");
        fprintf(f, " %s |\n", !strcmp(refuse, "1") ? "yes" : !strcmp(refuse, "0") ? "no" : "NA");
    }
    fputc('\n', f);
}

static void flagged_write(FILE *f, const struct run_folder *run)
{
    const struct csv *s = &run->summary;
    fputs("## noisy, failed and skipped cells\n\n", f);
    int flagged = 0;
    for (size_t i = 0; i < s->nrows; i++) {
        const char *status = csv_text(s, i, "status");
        bool noisy = !strcmp(csv_text(s, i, "noisy"), "1");
        if (!noisy && (!strcmp(status, "ok") || row_says_why(s, i)))
            continue;
        fprintf(f, "- %s / %s / %s (%s workers): %s%s\n", csv_text(s, i, "group"), csv_text(s, i, "strategy"),
                csv_text(s, i, "workload"), csv_text(s, i, "workers"), strcmp(status, "ok") ? status : "",
                noisy ? "noisy: wall-time variation over 10%" : "");
        flagged++;
    }
    if (!flagged)
        fputs("None: every cell ran, and none varied by more than 10%.\n", f);
    fputc('\n', f);
}

/* " (claim C4)", " (claims C1, C7)": the claims a figure shows, from the registry; "" if none */
static const char *figure_claims(const char *figure, char *buf, size_t len)
{
    char names[256] = "";
    size_t used = 0, n = 0;
    for (size_t i = 0; claim_registry[i] && used < sizeof names; i++)
        if (!strcmp(claim_registry[i]->figure, figure))
            used += (size_t)snprintf(names + used, sizeof names - used, "%s%s", n++ ? ", " : "",
                                     claim_registry[i]->name);
    snprintf(buf, len, "%s%s%s%s", n ? " (claim" : "", n > 1 ? "s " : n ? " " : "", names, n ? ")" : "");
    return buf;
}

static void figure_links(FILE *f, const struct run_folder *run)
{
    fputs("\n## figures\n\n", f);
    const char *names[64];
    int n = plots_list(names, 64);
    bool no_counters = strstr(run_meta(run, "perf events"), "cycles=NA") != NULL;
    for (int k = 0; k < n; k++) {
        char path[4400], claims[300];
        struct stat st;
        snprintf(path, sizeof path, "%s/%s.png", run->dir, names[k]);
        fprintf(f, "- %s%s: ", plots_title(names[k]), figure_claims(names[k], claims, sizeof claims));
        if (stat(path, &st) == 0 && st.st_size > 0)
            fprintf(f, "[%s.png](%s.png) ([svg](%s.svg))\n", names[k], names[k], names[k]);
        else if (plots_needs_counters(names[k]) && no_counters)
            fputs("not drawn: this machine exposes no hardware counters (cycles, instructions, cache and dTLB misses "
                  "are NA in every row)\n", f);
        else
            fputs("not drawn (see the message of `make bench`: gnuplot missing or no data)\n", f);
    }
}

/* The limits at the start, their spread, and at the end: drift over
 * REPORT_DRIFT is flagged, since every ratio to a limit assumes it held. */
static void calibration_write(FILE *f, const struct run_folder *run)
{
    const struct csv *cal = &run->calibrate;
    if (!cal->nrows)
        return;
    fputs("\n## this machine's limits (calibrate.csv, calibrate_end.csv)\n\n| figure | value | min-max | unit | at the "
          "end | drift | how |\n|---|---|---|---|---|---|---|\n", f);
    int drifted = 0;
    for (size_t i = 0; i < cal->nrows; i++) {
        const char *name = csv_text(cal, i, "figure");
        double start = csv_num(cal, i, "value"), end = run_recalibrated(run, name), drift = end / start - 1;
        bool flag = fabs(drift) > REPORT_DRIFT; /* NA compares false */
        drifted += flag;
        fprintf(f, "| %s | %s | %s-%s | %s |", name, csv_text(cal, i, "value"), csv_text(cal, i, "min"),
                csv_text(cal, i, "max"), csv_text(cal, i, "unit"));
        cell(f, end >= 100 ? "%.0f" : "%.2f", end);
        if (isnan(drift))
            fputs(" NA |", f);
        else
            fprintf(f, " %+.0f%%%s |", 100 * drift, flag ? " **drifted**" : "");
        fprintf(f, " %s |\n", csv_text(cal, i, "how"));
    }
    if (drifted)
        fprintf(f, "\n**The machine drifted during this run**: %d limit(s) moved by more than %.0f%% between the "
                   "start and the end. Ratios within the run still compare strategies measured in the same rounds; "
                   "ratios to a limit that drifted are uncertain by that much.\n", drifted, 100 * REPORT_DRIFT);
}

int report_write(const struct run_folder *run)
{
    char path[4300], tmp[4400];
    snprintf(path, sizeof path, "%s/report.md", run->dir);
    FILE *f = atomic_open(path, tmp, sizeof tmp);
    if (!f)
        return -1;
    fprintf(f, "# alloclab report: %s, %s, profile %s\n\n", run_meta(run, "host"), run_meta(run, "date"),
            run_meta(run, "profile"));
    fprintf(f, "Kernel %s; transparent huge pages `%s`. Every figure below is the median of the measured\n"
               "repetitions (the warm-up is dropped); `NA` means not measured here, never zero. Ratios are\n"
               "taken within this run. The machine's own limits are in the calibration table at the end.\n\n",
            run_meta(run, "kernel"), run_meta(run, "transparent huge pages"));
    sections_write(f, run);
    timeline_write(f, run);
    release_write(f, run);
    placement_write(f, run);
    flagged_write(f, run);
    harness_write(f, run);
    fputs("## performance targets\n\nThe goals the suite's issues set, against figures from this run "
          "(ratios within the run; the COW costs come from calibrate.csv).\n\n", f);
    targets_write(f, run);
    figure_links(f, run);
    calibration_write(f, run);
    fputs("\nThe verdicts on the claims the suite tests are in [claims.md](claims.md).\n", f);
    return atomic_commit(f, tmp, path);
}

int report_main(int argc, char **argv)
{
    static struct run_folder run;
    const char *dir = run_open("report", argc, argv, &run);
    plots_render(&run);
    int status = report_write(&run) == 0 && claims_write(&run, NULL) == 0 ? EXIT_OK : EXIT_MEASURE;
    if (status != EXIT_OK)
        fprintf(stderr, "alloclab: cannot write report.md or claims.md in %s\n", dir);
    else
        printf("%s/report.md, %s/claims.md and the figures rebuilt from the run's CSV files\n", dir, dir);
    run_free(&run);
    return status;
}
