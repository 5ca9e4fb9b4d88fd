/*
 * release.c - the report's table of memory_over_time (group "release").
 *
 * From timeline.csv, per repetition: the burst's resident growth (RSS
 * after the burst less RSS before it), the share of it still resident as
 * soon as the frees were done and at the last sample, and the heap's own
 * reserved bytes then; per cell, the median of the repetitions with their
 * range. Steps are the workload's: 0 before the burst, 1 after it, 2 once
 * the frees are done, the last at `until` ms after them.
 */
#include "release.h"

#include <math.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "groups.h"
#include "interval.h"

#define MAX_REPS 64

struct rep_release {
    double growth_kib, kept_freed, kept_end, end_ms, reserved_end_kib;
};

/* median [min-max] of the reps' field at offset, as text */
static void spread(const struct rep_release *r, int n, size_t offset, double scale, const char *fmt, FILE *f)
{
    double v[MAX_REPS];
    int k = 0;
    for (int i = 0; i < n; i++) {
        double x = *(const double *)((const char *)&r[i] + offset);
        if (!isnan(x))
            v[k++] = x * scale;
    }
    if (!k) {
        fputs(" NA |", f);
        return;
    }
    double med = interval_median(v, k).value, lo = v[0], hi = v[0];
    for (int i = 1; i < k; i++) {
        lo = v[i] < lo ? v[i] : lo;
        hi = v[i] > hi ? v[i] : hi;
    }
    fputc(' ', f);
    fprintf(f, fmt, med);
    if (k > 1) {
        fputs(" [", f);
        fprintf(f, fmt, lo);
        fputs("-", f);
        fprintf(f, fmt, hi);
        fputs("]", f);
    }
    fputs(" |", f);
}

/* One repetition's rows [from, to) of the timeline into *out. */
static void read_rep(const struct csv *tl, size_t from, size_t to, struct rep_release *out)
{
    double rss[3] = {NAN, NAN, NAN}, freed_ms = NAN;
    for (size_t i = from; i < to; i++) {
        int step = (int)csv_num(tl, i, "step");
        if (step >= 0 && step < 3)
            rss[step] = csv_num(tl, i, "rss_sum_kib");
        if (step == 2)
            freed_ms = csv_num(tl, i, "ms");
    }
    double last = csv_num(tl, to - 1, "rss_sum_kib");
    out->growth_kib = rss[1] - rss[0];
    out->kept_freed = out->growth_kib > 0 ? (rss[2] - rss[0]) / out->growth_kib : NAN;
    out->kept_end = out->growth_kib > 0 ? (last - rss[0]) / out->growth_kib : NAN;
    out->end_ms = csv_num(tl, to - 1, "ms") - freed_ms;
    out->reserved_end_kib = csv_num(tl, to - 1, "heap_reserved_kib");
}

static void put_cell(FILE *f, const struct csv *tl, size_t row, const struct rep_release *r, int n)
{
    fprintf(f, "| %s | %s | %s | %s |", csv_text(tl, row, "strategy"), csv_text(tl, row, "idle"),
            csv_text(tl, row, "keep"), csv_text(tl, row, "workers"));
    spread(r, n, offsetof(struct rep_release, growth_kib), 1.0 / 1024, "%.1f", f);
    spread(r, n, offsetof(struct rep_release, kept_freed), 100, "%.0f%%", f);
    spread(r, n, offsetof(struct rep_release, kept_end), 100, "%.0f%%", f);
    spread(r, n, offsetof(struct rep_release, end_ms), 1, "%.0f", f);
    spread(r, n, offsetof(struct rep_release, reserved_end_kib), 1.0 / 1024, "%.1f", f);
    fputc('\n', f);
}

void release_write(FILE *f, const struct run_folder *run)
{
    const struct csv *tl = &run->timeline;
    bool any = false;
    for (size_t i = 0; i < tl->nrows && !any; i++)
        any = !strcmp(csv_text(tl, i, "group"), GROUP_RELEASE);
    if (!any)
        return;
    fputs("## memory after a burst of frees (memory_over_time, timeline.csv)\n\n"
          "| strategy | idle | keep | workers | burst's RSS growth MiB | still resident once freed | "
          "still resident at the end | last sample, ms after the freed one | heap's reserved at the end MiB |\n"
          "|---|---|---|---|---|---|---|---|---|\n", f);
    struct rep_release reps[MAX_REPS];
    char key[2048], next[2048];
    for (size_t i = 0; i < tl->nrows;) {
        run_cell_key(tl, i, key, sizeof key);
        size_t end = i;
        int n = 0;
        while (end < tl->nrows && (run_cell_key(tl, end, next, sizeof next), !strcmp(next, key))) {
            size_t rep_end = end + 1; /* one repetition: its steps, in order */
            while (rep_end < tl->nrows && csv_num(tl, rep_end, "rep") == csv_num(tl, end, "rep") &&
                   (run_cell_key(tl, rep_end, next, sizeof next), !strcmp(next, key)))
                rep_end++;
            if (n < MAX_REPS && !strcmp(csv_text(tl, end, "group"), GROUP_RELEASE))
                read_rep(tl, end, rep_end, &reps[n++]);
            end = rep_end;
        }
        if (n)
            put_cell(f, tl, i, reps, n);
        i = end;
    }
    fputs("\nMedian over the repetitions [min-max]. The growth is the process's RSS after the burst less before "
          "it; the shares are of that growth (0%: all given back to the OS). The heap's reserved bytes are its own "
          "figure of what it holds from the OS (NA where it keeps none). Figure (o) draws the first repetition.\n\n",
          f);
}
