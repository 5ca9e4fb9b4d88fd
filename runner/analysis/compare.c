/*
 * compare.c - `alloclab compare RUN_A RUN_B [--out DIR]`: what changed from
 * one run to another (another build, another day, a neighbour's machine).
 *
 * A cell is the same cell in both runs when every key column matches (group,
 * strategy, workload, options, knobs). For each figure both runs measured
 * in it (each `<figure>_median` column of summary.csv), the change is B's
 * median over A's with a 95% bootstrap interval over the two cells'
 * repetitions (raw.csv), a percentile bootstrap as the claims take (a noisy
 * cell's spread widens it). It is significant when the
 * interval leaves out 1. A figure with a repetition at 0 or below (a delta,
 * a count that reached 0) has no ratio and is left out. Cells only one run
 * has are listed apart.
 *
 * Written into DIR: compare.md (the tables), compare.csv (every change) and
 * compare.png/svg (plots/compare.gp: each shared cell's headline figure,
 * wall time, with its interval).
 */
#include "compare.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "plots.h"
#include "results.h"
#include "runfolder.h"

#define MAX_REPS 256



static long find_cell(const struct run_folder *run, const char *key)
{
    char k[2048];
    for (size_t i = 0; i < run->summary.nrows; i++) {
        run_cell_key(&run->summary, i, k, sizeof k);
        if (!strcmp(k, key))
            return (long)i;
    }
    return -1;
}

/* B's figure over A's, with its interval; NA where either lacks it. */
static struct interval change_of(const struct run_folder *a, long ra, const struct run_folder *b, long rb,
                                 const char *figure)
{
    static double va[MAX_REPS], vb[MAX_REPS];
    int na = run_reps(a, ra, figure, va, MAX_REPS), nb = run_reps(b, rb, figure, vb, MAX_REPS);
    if (!na || !nb)
        return (struct interval){NA, NA, NA};
    for (int i = 0; i < na || i < nb; i++) /* a ratio needs values above 0 (not deltas, not counts of 0) */
        if ((i < na && !(va[i] > 0)) || (i < nb && !(vb[i] > 0)))
            return (struct interval){NA, NA, NA};
    return interval_ratio(vb, nb, va, na);
}

struct tally {
    int shared, changes, significant, only_a, only_b;
};

/* Significant only when the interval leaves 1 out: a figure that did not
 * move at all has the interval [1, 1], which is no change. */
static const char *side_word(struct interval x)
{
    if (is_na(x.lo))
        return "too few repetitions";
    return x.lo > 1 ? "higher" : x.hi < 1 ? "lower" : "no change shown";
}

/* One shared cell: a table row and a CSV line per figure both measured. */
static void compare_cell(const struct run_folder *a, long ra, const struct run_folder *b, long rb, FILE *md,
                         FILE *csv, struct tally *t)
{
    const struct csv *s = &a->summary;
    char settings[1024];
    run_settings(s, (size_t)ra, settings, sizeof settings);
    for (size_t c = 0; c < s->ncols; c++) {
        char figure[128];
        if (!run_median_of(s->header[c], figure, sizeof figure))
            continue;
        double ma = run_median(a, ra, figure), mb = run_median(b, rb, figure);
        if (isnan(ma) || isnan(mb) || ma == 0)
            continue;
        struct interval x = change_of(a, ra, b, rb, figure);
        if (isnan(x.value))
            continue;
        const char *word = side_word(x);
        bool significant = !strcmp(word, "higher") || !strcmp(word, "lower");
        t->changes++;
        t->significant += significant;
        fprintf(md, "| %s | %s | %s | %s | %s | %.4g | %.4g | %.3fx", csv_text(s, (size_t)ra, "group"),
                csv_text(s, (size_t)ra, "strategy"), csv_text(s, (size_t)ra, "workload"), settings, figure, ma, mb,
                x.value);
        if (!is_na(x.lo))
            fprintf(md, " [%.3f-%.3f]", x.lo, x.hi);
        fprintf(md, " | %s%s%s |\n", significant ? "**" : "", word, significant ? "**" : "");
        fprintf(csv, "%s,%s,%s,\"%s\",%s,%.6g,%.6g,%.6g,%.6g,%.6g,%d\n", csv_text(s, (size_t)ra, "group"),
                csv_text(s, (size_t)ra, "strategy"), csv_text(s, (size_t)ra, "workload"), settings, figure, ma, mb,
                x.value, x.lo, x.hi, significant);
    }
}

/* The cells of `run` that `other` does not have, as a list. */
static int list_apart(const struct run_folder *run, const struct run_folder *other, const char *name, FILE *md)
{
    int n = 0;
    char key[2048];
    for (size_t i = 0; i < run->summary.nrows; i++) {
        run_cell_key(&run->summary, i, key, sizeof key);
        if (find_cell(other, key) >= 0)
            continue;
        if (!n++)
            fprintf(md, "\n## Cells only in %s\n\n", name);
        fprintf(md, "- %s\n", key);
    }
    return n;
}

static void run_header(FILE *md, const char *label, const struct run_folder *run)
{
    fprintf(md, "- **%s**: `%s`: host %s, %s, kernel %s, profile %s, commit %s, %s\n", label, run->dir,
            run_meta(run, "host"), run_meta(run, "topology"), run_meta(run, "kernel"), run_meta(run, "profile"),
            run_meta(run, "git commit"), run_meta(run, "date"));
}

static void compare_write(const struct run_folder *a, const struct run_folder *b, FILE *md, FILE *csv,
                          struct tally *t)
{
    fputs("# What changed from run A to run B\n\n", md);
    run_header(md, "A", a);
    run_header(md, "B", b);
    fputs("\nEach figure both runs measured in a cell both have: B's median over A's, with a 95% bootstrap "
          "interval over the two cells' repetitions (a percentile bootstrap: a noisy cell's spread widens it). "
          "**higher** or **lower** where the interval leaves out 1; \"no change shown\" where it holds 1. A "
          "figure some repetition measured at 0 or below (a delta, a count that reached 0) has no ratio and is "
          "left out. "
          "Across machines a ratio mixes the machines with the code: `calibrate.csv` of each says how the "
          "machines differ.\n\n| group | strategy | workload | settings | figure | A | B | B / A [95% interval] | "
          "change |\n|---|---|---|---|---|---|---|---|---|\n",
          md);
    fputs("group,strategy,workload,settings,figure,a,b,ratio,lo,hi,significant\n", csv);
    char key[2048];
    for (size_t i = 0; i < a->summary.nrows; i++) {
        run_cell_key(&a->summary, i, key, sizeof key);
        long rb = find_cell(b, key);
        if (rb < 0 || strcmp(csv_text(&a->summary, i, "status"), "ok") ||
            strcmp(csv_text(&b->summary, (size_t)rb, "status"), "ok"))
            continue;
        t->shared++;
        compare_cell(a, (long)i, b, rb, md, csv, t);
    }
    t->only_a = list_apart(a, b, "A", md);
    t->only_b = list_apart(b, a, "B", md);
}

int compare_main(int argc, char **argv)
{
    const char *usage = "alloclab compare RUN_A RUN_B [--out DIR]";
    const char *dir = run_out_option("compare", usage, argc, argv, "results/compare");
    if (argc - optind != 2)
        die_usage("compare: two run folders, A then B (usage: %s)", usage);
    static struct run_folder a, b;
    for (int k = 0; k < 2; k++)
        if (run_load(argv[optind + k], k ? &b : &a) != 0)
            die_usage("compare: '%s' holds no summary.csv: not a run folder", argv[optind + k]);
    run_make_out("compare", dir);
    char path[4300], csv_path[4300];
    snprintf(path, sizeof path, "%s/compare.md", dir);
    snprintf(csv_path, sizeof csv_path, "%s/compare.csv", dir);
    FILE *md = fopen(path, "w"), *csv = fopen(csv_path, "w");
    if (!md || !csv)
        die_usage("compare: cannot write into '%s': %s", dir, strerror(errno));
    struct tally t = {0};
    compare_write(&a, &b, md, csv, &t);
    bool written = fclose(md) == 0 && fclose(csv) == 0;
    plots_draw_one(dir, "compare", NULL);
    printf("%d cells in both runs, %d figures compared, %d changed beyond their interval; %d cells only in A, %d "
           "only in B\n%s (and compare.csv, compare.png)\n",
           t.shared, t.changes, t.significant, t.only_a, t.only_b, path);
    run_free(&a);
    run_free(&b);
    return written ? EXIT_OK : EXIT_MEASURE;
}
