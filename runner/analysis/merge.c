/*
 * merge.c - `alloclab merge RUN... [--out DIR]`: runs from several machines
 * (a class's lab, a cluster's nodes) in one table and one set of figures.
 *
 * Machines differ in speed, so beside each cell's own figures (wall time,
 * heap operations per second) every run's figure is also given against that
 * run's own calibration, this machine's limits:
 *
 *   x its floor       a copy's time over the physical floor of the same work
 *                     on that machine (run_copy_floor: pages x the first-touch
 *                     fault and memcpy, or x the kernel's COW fault)
 *   of churn floor    a heap's operations per second over that machine's
 *                     churn floor (the same loop on a heap that does nothing)
 *
 * so that a slow machine does not make a strategy look slow. Each run is
 * named by its host (and its folder, when two runs share a host), with its
 * topology, kernel, profile and calibration shown.
 *
 * Written into DIR: merged.md, merged.csv, machines.csv (one row per run:
 * its limits), and the figures plots/merge_*.gp draw from them.
 */
#include "merge.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "groups.h"
#include "plots.h"
#include "results.h"
#include "runfolder.h"

#define MAX_RUNS 64

static const char *const limits[] = {"memcpy_bandwidth", "first_touch_fault", "kernel_cow_fault",
                                     "segv_mprotect_round_trip", "fork_per_gib", "churn_floor"};
#define NLIMITS (sizeof limits / sizeof *limits)

struct named_run {
    struct run_folder run;
    char name[160];
};

/* "host", or "host:folder" when another run has the same host; no spaces
 * (the figures take the names as gnuplot words) */
static void name_runs(struct named_run *r, int n)
{
    for (int i = 0; i < n; i++) {
        const char *host = run_meta(&r[i].run, "host");
        bool twin = false;
        for (int j = 0; j < n; j++)
            twin |= j != i && !strcmp(host, run_meta(&r[j].run, "host"));
        const char *base = strrchr(r[i].run.dir, '/');
        base = base && base[1] ? base + 1 : r[i].run.dir;
        if (twin)
            snprintf(r[i].name, sizeof r[i].name, "%.60s:%.90s", host, base);
        else
            snprintf(r[i].name, sizeof r[i].name, "%.150s", host);
        for (char *p = r[i].name; *p; p++)
            *p = *p == ' ' || *p == '\'' || *p == '"' || *p == ',' ? '_' : *p;
    }
}

static void machines_write(const struct named_run *r, int n, FILE *md, FILE *csv)
{
    fputs("# Runs from several machines\n\n| run | topology | kernel | profile | commit |", md);
    fputs("run,host,topology,kernel,profile", csv);
    for (size_t k = 0; k < NLIMITS; k++) {
        fprintf(md, " %s |", limits[k]);
        fprintf(csv, ",%s", limits[k]);
    }
    fputs("\n|---|---|---|---|---|", md);
    for (size_t k = 0; k < NLIMITS; k++)
        fputs("---|", md);
    fputc('\n', md);
    fputc('\n', csv);
    for (int i = 0; i < n; i++) {
        const struct run_folder *run = &r[i].run;
        fprintf(md, "| %s | %s | %s | %s | %s |", r[i].name, run_meta(run, "topology"), run_meta(run, "kernel"),
                run_meta(run, "profile"), run_meta(run, "git commit"));
        fprintf(csv, "\"%s\",\"%s\",\"%s\",\"%s\",%s", r[i].name, run_meta(run, "host"), run_meta(run, "topology"),
                run_meta(run, "kernel"), run_meta(run, "profile"));
        for (size_t k = 0; k < NLIMITS; k++) {
            double v = run_calibrated(run, limits[k]);
            fprintf(md, isnan(v) ? " NA |" : " %.4g |", v);
            fprintf(csv, isnan(v) ? ",NA" : ",%.6g", v);
        }
        fputc('\n', md);
        fputc('\n', csv);
    }
    fputs("\nThe limits are each machine's `calibrate.csv` (ns a page, GiB/s, ms per GiB, ops/s).\n", md);
}


static void fig(FILE *md, FILE *csv, const char *fmt, double v)
{
    if (isnan(v)) {
        fputs(" NA |", md);
        fputs(",NA", csv);
        return;
    }
    fputc(' ', md);
    fprintf(md, fmt, v);
    fputs(" |", md);
    fprintf(csv, ",%.6g", v);
}

/* every cell of every run that measured something: its figures, and against its machine's limits */
static int cells_write(const struct named_run *r, int n, FILE *md, FILE *csv, int *floored)
{
    fputs("\n## Every cell, on every machine\n\n`x its floor`: the copy's time over the floor of the same work on "
          "that machine (the report's column of that name). `of churn floor`: operations per second over that "
          "machine's churn floor. Both take the machine out; the raw figures keep it.\n\n"
          "| group | strategy | workload | settings | run | wall ms | ops/s | x its floor | of churn floor |\n"
          "|---|---|---|---|---|---|---|---|---|\n",
          md);
    fputs("run,row,group,strategy,workload,settings,wall_ns,ops_per_sec,x_floor,of_churn_floor\n", csv);
    int rows = 0;
    char settings[1024];
    for (int i = 0; i < n; i++) {
        const struct run_folder *run = &r[i].run;
        const struct csv *s = &run->summary;
        double floor_ops = run_calibrated(run, "churn_floor");
        for (size_t j = 0; j < s->nrows; j++) {
            if (strcmp(csv_text(s, j, "status"), "ok"))
                continue;
            run_settings(s, j, settings, sizeof settings);
            fprintf(md, "| %s | %s | %s | %s | %s |", csv_text(s, j, "group"), csv_text(s, j, "strategy"),
                    csv_text(s, j, "workload"), settings, r[i].name);
            fprintf(csv, "\"%s\",%zu,%s,%s,%s,\"%s\"", r[i].name, j, csv_text(s, j, "group"),
                    csv_text(s, j, "strategy"), csv_text(s, j, "workload"), settings);
            bool cow;
            double ops = run_median(run, (long)j, "ops_per_sec");
            fig(md, csv, "%.1f", run_median(run, (long)j, "wall_ns") / 1e6);
            fig(md, csv, "%.3g", ops);
            double floor = run_copy_floor(run, (long)j, &cow);
            fig(md, csv, "%.2fx", floor);
            *floored += !isnan(floor) && !strcmp(csv_text(s, j, "group"), GROUP_MAIN);
            fig(md, csv, "%.2f", ops / floor_ops);
            fputc('\n', md);
            fputc('\n', csv);
            rows++;
        }
    }
    return rows;
}

static FILE *open_in(const char *dir, const char *name)
{
    char path[4400];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    if (!f)
        die_usage("merge: cannot write '%s': %s", path, strerror(errno));
    return f;
}

int merge_main(int argc, char **argv)
{
    const char *usage = "alloclab merge RUN... [--out DIR]";
    const char *out = run_out_option("merge", usage, argc, argv, "results/merged");
    int n = argc - optind;
    if (n < 1 || n > MAX_RUNS)
        die_usage("merge: one to %d run folders (usage: %s)", MAX_RUNS, usage);
    static struct named_run r[MAX_RUNS];
    for (int i = 0; i < n; i++)
        if (run_load(argv[optind + i], &r[i].run) != 0)
            die_usage("merge: '%s' holds no summary.csv: not a run folder", argv[optind + i]);
    name_runs(r, n);
    run_make_out("merge", out);
    FILE *md = open_in(out, "merged.md"), *csv = open_in(out, "merged.csv"), *mc = open_in(out, "machines.csv");
    machines_write(r, n, md, mc);
    int floored = 0;
    int rows = cells_write(r, n, md, csv, &floored);
    bool written = fclose(md) == 0 && fclose(csv) == 0 && fclose(mc) == 0;
    char vars[MAX_RUNS * 170] = "runs='";
    for (int i = 0; i < n; i++)
        snprintf(vars + strlen(vars), sizeof vars - strlen(vars), "%s%s", i ? " " : "", r[i].name);
    strncat(vars, "';", sizeof vars - strlen(vars) - 1);
    plots_draw_one(out, "merge_limits", vars);
    if (floored) /* the figure of the main cells against their floors */
        plots_draw_one(out, "merge_floor", vars);
    printf("%d runs, %d cells in all\n%s/merged.md (and merged.csv, machines.csv, merge_limits.png%s)\n", n, rows,
           out, floored ? ", merge_floor.png" : "; no main cell with a floor: merge_floor not drawn");
    for (int i = 0; i < n; i++)
        run_free(&r[i].run);
    return written ? EXIT_OK : EXIT_MEASURE;
}
