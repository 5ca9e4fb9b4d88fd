/*
 * crossover.c - the write fraction where copy-on-write stops paying (claim
 * C4, the report). At each fraction of the sweep, the copy-on-write
 * strategy's wall time over the best eager strategy's, with its interval:
 * surely faster (the interval wholly under 1), surely no faster (wholly at
 * or over 1), or neither: the interval every claim takes (a percentile
 * bootstrap over both cells' repetitions). The crossover lies after the
 * last surely-faster fraction and by the first surely-no-faster one. A cell
 * whose repetitions fall in two groups has a median that says little: it
 * decides only when all its repetitions lie on one side of all the other
 * cell's. Beside it, where straight-line fits of each one's wall time
 * against the fraction cross.
 */
#include "crossover.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "allocator.h"
#include "groups.h"
#include "interval.h"

#define MAX_FRACTIONS 64
#define REPS 256

/* The sweep's row of a strategy at fraction f, or -1. */
static long sweep_row(const struct run_folder *run, const char *strategy, double f)
{
    char where[64];
    snprintf(where, sizeof where, "write_fraction=%.17g", f);
    return run_find(run, GROUP_SWEEP, strategy, NULL, where);
}

/* The best eager strategy's row at fraction f (smallest median wall time). */
static long best_eager(const struct run_folder *run, double f)
{
    const char *eager[RUN_MAX_STRATEGIES];
    int n = run_strategies(run, KIND_EAGER, eager, RUN_MAX_STRATEGIES);
    long best = -1;
    for (int k = 0; k < n; k++) {
        long row = sweep_row(run, eager[k], f);
        if (row >= 0 && (best < 0 || run_median(run, row, "wall_ns") < run_median(run, best, "wall_ns")))
            best = row;
    }
    return best;
}

/* Least squares of median wall time against fraction: intercept and slope. */
struct line {
    double sx, sy, sxx, sxy;
    int n;
};

static void line_add(struct line *l, double x, double y)
{
    if (isnan(y))
        return;
    l->sx += x, l->sy += y, l->sxx += x * x, l->sxy += x * y, l->n++;
}

static double line_slope(const struct line *l)
{
    return (l->n * l->sxy - l->sx * l->sy) / (l->n * l->sxx - l->sx * l->sx);
}

static double line_intercept(const struct line *l) { return (l->sy - line_slope(l) * l->sx) / l->n; }

static void extremes(const double *v, int n, double *lo, double *hi)
{
    *lo = INFINITY, *hi = -INFINITY;
    for (int i = 0; i < n; i++)
        *lo = fmin(*lo, v[i]), *hi = fmax(*hi, v[i]);
}

static void note_fraction(char *list, size_t len, double f)
{
    size_t used = strlen(list);
    snprintf(list + used, len - used, "%s%g", used ? ", " : "", f);
}

/* Where cow stands at one fraction; notes a bimodal cell in x. A bimodal
 * cell is on a side only when every repetition of one cell is under every
 * repetition of the other (then its interval is on that side too). */
static enum side side_at(const struct run_folder *run, long cow_row, long eager_row, double f, struct crossover *x)
{
    static double a[REPS], b[REPS];
    int na = run_reps(run, cow_row, "wall_ns", a, REPS), nb = run_reps(run, eager_row, "wall_ns", b, REPS);
    enum side side = interval_side(interval_ratio(a, na, b, nb), 1.0);
    if (na && nb && (interval_bimodal(a, na) || interval_bimodal(b, nb))) {
        double alo, ahi, blo, bhi;
        extremes(a, na, &alo, &ahi);
        extremes(b, nb, &blo, &bhi);
        bool apart = ahi < blo || alo >= bhi;
        note_fraction(apart ? x->bimodal_decided : x->bimodal, apart ? sizeof x->bimodal_decided : sizeof x->bimodal,
                      f);
        return apart ? (ahi < blo ? SIDE_BELOW : SIDE_ABOVE) : SIDE_STRADDLES;
    }
    return side;
}

static void note_straddling(struct crossover *x, long row)
{
    if (x->nstraddling < CROSSOVER_MAX_ROWS)
        x->straddling[x->nstraddling++] = row;
}

int crossover_find(const struct run_folder *run, const char *cow, struct crossover *out)
{
    *out = (struct crossover){.after = NA, .by = NA, .fit = NA};
    double fr[MAX_FRACTIONS];
    int nfr = run_values(run, GROUP_SWEEP, "write_fraction", fr, MAX_FRACTIONS), seen = 0;
    struct line mine = {0}, theirs = {0};
    for (int j = 0; j < nfr; j++) {
        long c = sweep_row(run, cow, fr[j]), e = best_eager(run, fr[j]);
        if (c < 0 || e < 0)
            continue;
        seen++;
        line_add(&mine, fr[j], run_median(run, c, "wall_ns"));
        line_add(&theirs, fr[j], run_median(run, e, "wall_ns"));
        enum side side = side_at(run, c, e, fr[j], out);
        if (side == SIDE_STRADDLES) {
            note_straddling(out, c);
            note_straddling(out, e);
        }
        if (side == SIDE_BELOW && is_na(out->by))
            out->after = fr[j];
        if (side == SIDE_ABOVE && is_na(out->by))
            out->by = fr[j];
        out->undecided_at_top = side == SIDE_STRADDLES || side == SIDE_NA;
    }
    if (!seen)
        return -1;
    double db = line_slope(&mine) - line_slope(&theirs);
    double cross = (line_intercept(&theirs) - line_intercept(&mine)) / db;
    out->fit = mine.n >= 2 && db > 0 && cross >= 0 ? cross : NA;
    return 0;
}

void crossover_text(const char *cow, const struct crossover *x, double almost_every, char *buf, size_t len)
{
    char fit[64] = "", bimodal[400] = "", after[64] = "never surely faster";
    if (!is_na(x->after))
        snprintf(after, sizeof after, "surely faster up to %g", x->after);
    if (!is_na(x->fit))
        snprintf(fit, sizeof fit, "; straight-line fits cross at %.2f", x->fit);
    size_t used = 0;
    if (x->bimodal_decided[0])
        used = (size_t)snprintf(bimodal, sizeof bimodal, "; bimodal, every repetition on one side: fraction %s",
                                x->bimodal_decided);
    if (x->bimodal[0] && used < sizeof bimodal)
        snprintf(bimodal + used, sizeof bimodal - used, "; bimodal, repetitions on both sides, deciding nothing: "
                                                         "fraction %s", x->bimodal);
    if (!is_na(x->by))
        snprintf(buf, len, "%s is surely no faster than an eager copy by a write fraction of %g (%s)%s%s%s", cow, x->by,
                 after, x->by < almost_every ? ", sooner than \"almost every page\"" : "", fit, bimodal);
    else if (x->undecided_at_top)
        snprintf(buf, len, "%s cannot be told from an eager copy at the largest write fraction (%s)%s%s", cow, after,
                 fit, bimodal);
    else
        snprintf(buf, len, "%s stays surely faster than every eager copy, even at the largest write fraction%s%s",
                 cow, fit, bimodal);
}
