/* tax.c - the preload library's cost on each program (tax.h). */
#include "tax.h"

#include <math.h>
#include <string.h>

#include "allocator.h"
#include "groups.h"

/* the programs cell of a strategy, program, workers and via; runs from
 * before via=packaged had that name called it via=none */
static long programs_row(const struct run_folder *run, const char *strategy, const char *program, int workers,
                         const char *via)
{
    char where[160];
    snprintf(where, sizeof where, "program=%s workers=%d via=%s", program, workers, via);
    long row = run_find(run, GROUP_PROGRAMS, strategy, "programs", where);
    if (row < 0 && !strcmp(via, "packaged"))
        return programs_row(run, strategy, program, workers, "none");
    return row;
}

long tax_row(const struct run_folder *run, const char *strategy, const char *program, int workers, const char *via)
{
    return programs_row(run, strategy, program, workers, via);
}

long tax_packaged_row(const struct run_folder *run, long preload_row)
{
    const struct csv *s = &run->summary;
    if (preload_row < 0)
        return -1;
    size_t i = (size_t)preload_row;
    return programs_row(run, csv_text(s, i, "strategy"), csv_text(s, i, "program"), (int)csv_num(s, i, "workers"),
                        "packaged");
}

struct interval tax_ratio(const struct run_folder *run, const char *strategy, const char *program, int workers)
{
    long preload = programs_row(run, strategy, program, workers, "preload");
    long packaged = programs_row(run, strategy, program, workers, "packaged");
    if (preload < 0 || packaged < 0)
        return (struct interval){NA, NA, NA};
    return run_paired_ratio(run, preload, "wall_ns", packaged, "wall_ns");
}

void tax_text(struct interval x, char *buf, size_t len)
{
    if (isnan(x.value))
        snprintf(buf, len, "NA");
    else if (isnan(x.lo) || isnan(x.hi))
        snprintf(buf, len, "%.3fx [too few repetitions]", x.value);
    else
        snprintf(buf, len, "%.3fx [%.3f, %.3f]", x.value, x.lo, x.hi);
}

void tax_write(FILE *f, const struct run_folder *run)
{
    const struct csv *s = &run->summary;
    int rows = 0;
    for (size_t i = 0; i < s->nrows; i++) {
        if (strcmp(csv_text(s, i, "group"), GROUP_PROGRAMS) || strcmp(csv_text(s, i, "via"), "preload") ||
            strcmp(csv_text(s, i, "status"), "ok"))
            continue;
        long packaged = tax_packaged_row(run, (long)i);
        if (packaged < 0)
            continue;
        if (!rows++)
            fputs("What liballoclab.so costs each program: wall time through it over the same strategy as packaged "
                  "(glibc with nothing preloaded, or the allocator's own library preloaded alone): the median of the "
                  "ratios of pairs of repetitions run in the same round, with a 95% bootstrap interval over the "
                  "pairs; 1.000x is free.\n\n"
                  "| program | workers | strategy | through liballoclab.so ms | as packaged ms | ratio [95% interval] |\n"
                  "|---|---|---|---|---|---|\n", f);
        char ratio[96];
        const char *strategy = csv_text(s, i, "strategy"), *program = csv_text(s, i, "program");
        int workers = (int)csv_num(s, i, "workers");
        tax_text(tax_ratio(run, strategy, program, workers), ratio, sizeof ratio);
        fprintf(f, "| %s | %d | %s | %.1f | %.1f | %s |\n", program, workers, strategy,
                run_median(run, (long)i, "wall_ns") / 1e6, run_median(run, packaged, "wall_ns") / 1e6, ratio);
    }
    if (rows)
        fputc('\n', f);
}
