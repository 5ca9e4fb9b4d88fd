/* heapmap.h - `alloclab heapmap`: a heap's address space drawn against a
 * trace's operations (heaprec.h records it, heapmap_out.c lays it out and
 * writes the CSV files, plots/heapmap*.gp draw them). */
#ifndef ALLOCLAB_HEAPMAP_H
#define ALLOCLAB_HEAPMAP_H

#include <stdbool.h>
#include <stddef.h>

#include "heaprec.h"

/* Blocks (and mappings' ends) further apart than an eighth of the bytes
 * they cover, and at least HEAPMAP_GAP_MIN, are drawn in regions of their
 * own, the axis broken between them, not as one huge empty range
 * (heapmap_out.c). */
#define HEAPMAP_GAP_MIN ((uintptr_t)16 << 10)
#define HEAPMAP_GAP_SHARE 8
#define HEAPMAP_MAX_REGIONS 24
#define HEAPMAP_TIMEOUT_S 60 /* the replay, in a child process */

/* What the CSV files hold, for the figures and the lines printed. */
struct heapmap_summary {
    size_t ops, blocks, maps, regions;
    double peak_live, peak_mapped; /* bytes; peak_mapped NA where not known */
    bool ledger;                   /* mappings from the ledger (else the kernel's) */
    double ytop;                   /* the drawn axis: 0 .. ytop */
    char ytics[3072];              /* gnuplot: set ytics (...) */
    char breaks[1024];             /* the drawn positions where the axis breaks */
    char break_text[1024];         /* the bytes left out at each, as 1.0MiB */
    long at;                       /* the moment kept, or -1 */
    double at_live, at_listed, at_unlisted, at_unmapped; /* bytes then */
    int at_free_blocks;            /* the strategy's free blocks then (-1: it does not list them) */
};

int heapmap_main(int argc, char **argv);
/* mkdir -p: 0, or -1 with errno */
int heapmap_make_dir(const char *dir);

/* The CSV files of what r recorded into dir (heapmap_blocks.csv,
 * heapmap_mappings.csv, heapmap_regions.csv, heapmap_util.csv, and with a
 * moment heapmap_at.csv), each whole or not at all; s filled. 0, or -1 with
 * err. */
int heapmap_write(const struct heaprec *r, const char *dir, struct heapmap_summary *s, char *err, size_t len);

/* The figures from those files: heapmap.png and .svg, and heapmap_at.* for
 * a moment (moment_figure). 0, or -1 (gnuplot's message beside it, one line
 * on stderr). */
int heapmap_draw(const char *dir, const struct heapmap_summary *s, const char *strategy, const char *trace,
                 bool moment_figure);

/* step --map DIR, after operation k on id (heaprec_op's arguments): the
 * operation recorded with its moment kept, then the map of the trace so far,
 * the operation marked, drawn into DIR (heapmap.*, and a copy step-NNN.png
 * for each operation; heapmap_at.csv holds the address space after it).
 * 0, or -1 with one line on stderr. */
int heapmap_step(struct heaprec *r, size_t k, uint32_t id, const void *before, const void *after, size_t size,
                 const char *dir, const char *strategy, const char *trace);

#endif
