/* runfolder.h - a run folder read back: one loader and typed lookups, for
 * the report, the figures, the performance targets and the claims. The
 * files' formats are known here and in the writers only. */
#ifndef ALLOCLAB_RUNFOLDER_H
#define ALLOCLAB_RUNFOLDER_H

#include <stdbool.h>
#include <stddef.h>

#include "csvread.h"
#include "interval.h"

#define RUN_MAX_META 64
#define RUN_MAX_STRATEGIES 64

struct run_folder {
    char dir[4096];
    struct csv summary, raw, calibrate, calibrate_end, timeline, c2; /* nrows 0 when the file is missing */
    struct {
        char key[64], value[448];
    } meta[RUN_MAX_META];
    int nmeta;
};

/* 0 when dir holds a summary.csv (every other file is optional), else -1. */
int run_load(const char *dir, struct run_folder *run);
void run_free(struct run_folder *run);
/* dir's meta.txt alone (an interrupted bench may have no summary.csv yet),
 * for run_meta; 0, or -1 when there is none. Nothing to free. */
int run_load_meta(const char *dir, struct run_folder *run);
/* For a command taking [RUN_DIR] (default results/latest): the folder loaded,
 * or one line on stderr and exit 2. Returns the folder's name. */
const char *run_open(const char *cmd, int argc, char **argv, struct run_folder *run);

/* A line of meta.txt ("profile", "kernel", "transparent huge pages"), or "NA". */
const char *run_meta(const struct run_folder *run, const char *key);

/* The summary row of a cell, or -1: group and strategy and workload (NULL:
 * any), and where: "workers=1 write_fraction=0.5", key columns compared as
 * numbers where both are numbers. */
long run_find(const struct run_folder *run, const char *group, const char *strategy, const char *workload,
              const char *where);
/* A figure's median in a row ("wall_ns"), NA for a missing row or value;
 * run_stat: its "median", "min", "max" or "mad". */
double run_median(const struct run_folder *run, long row, const char *figure);
double run_stat(const struct run_folder *run, long row, const char *figure, const char *stat);
/* The figure whose median a summary column holds ("wall_ns" of
 * "wall_ns_median") into figure, or NULL when it holds none. */
const char *run_median_of(const char *column, char *figure, size_t len);
/* The same figure of the baseline strategy's cell with row's key; NA if none. */
double run_baseline_median(const struct run_folder *run, long row, const char *figure);
/* The measured repetitions of a summary row's cell (raw.csv, status ok, the
 * figure not NA) into out; how many. */
int run_reps(const struct run_folder *run, long row, const char *figure, double *out, int max);
/* median(fig_a of row a) / median(fig_b of row b) with its 95% percentile
 * bootstrap interval over both cells' repetitions (a noisy cell's too: its
 * spread widens the interval); NA when either is missing. */
struct interval run_ratio(const struct run_folder *run, long a, const char *fig_a, long b, const char *fig_b);
/* The same ratio taken repetition by repetition: fig_a of a's repetition k
 * over fig_b of b's repetition k, for each k both cells measured, and the
 * median of those ratios with its bootstrap interval. Repetition k of every
 * cell runs in the same round (and the straddle rounds' in turn), so a
 * machine whose speed moves from run to run moves both sides of a pair:
 * the ratio of two cells of one experiment (a control beside its subject)
 * is then as narrow as the pairs agree. NA when no repetition pairs. */
struct interval run_paired_ratio(const struct run_folder *run, long a, const char *fig_a, long b, const char *fig_b);
/* A value of calibrate.csv ("kernel_cow_fault"), or NA; run_recalibrated:
 * the same from calibrate_end.csv, measured when the cells were done. */
double run_calibrated(const struct run_folder *run, const char *figure);
double run_recalibrated(const struct run_folder *run, const char *figure);
/* A calibrated figure with its samples' min and max as the interval (a
 * ratio row of paired samples: an interval of its median, see calibrate.c). */
struct interval run_calibrated_interval(const struct run_folder *run, const char *figure);

/* A strategy's copying against the physical floor of the same work on this
 * run's machine, per worker: an eager copy's provisioning over its pages x
 * (first-touch fault + memcpy of a page); a copy-on-write strategy's work over
 * its pages copied x the kernel's COW fault (its work also holds the
 * workload's own reads and writes: an upper bound). NA without copies or a
 * calibration; *cow says which. */
double run_copy_floor(const struct run_folder *run, long row, bool *cow);

/* The settings that tell a summary row's cell apart beside its group,
 * strategy and workload ("workers=2 write_fraction=0.5"), for tables. */
void run_settings(const struct csv *s, size_t row, char *buf, size_t len);
/* Every key column that is set, "name=value" words: the same cell in two
 * runs has the same key. */
void run_cell_key(const struct csv *s, size_t row, char *buf, size_t len);
/* For compare and merge: parse --out DIR (default dflt); the folders named
 * stay at argv[optind..]. A bad option: one line and exit 2. */
const char *run_out_option(const char *cmd, const char *usage, int argc, char **argv, const char *dflt);
/* Make the output folder once the input is known good; else one line, exit 2. */
void run_make_out(const char *cmd, const char *dir);

enum strategy_kind { KIND_ANY, KIND_EAGER, KIND_COPY_ON_WRITE };
/* The strategies of a run, in order of appearance: all, those that copy
 * eagerly (a heap), or those with a copy-on-write service of their own. */
int run_strategies(const struct run_folder *run, enum strategy_kind kind, const char *out[], int max);
/* The distinct values of a numeric key column within a group, ascending. */
int run_values(const struct run_folder *run, const char *group, const char *column, double out[], int max);

#endif
