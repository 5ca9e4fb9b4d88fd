/* results.h - measured rows, and the raw and summary CSV files. */
#ifndef ALLOCLAB_RESULTS_H
#define ALLOCLAB_RESULTS_H

#include <stddef.h>
#include <stdio.h>

#include "cell.h"

struct row {
    const struct cell_spec *spec;
    int rep; /* 1..K; 0: the warm-up, recorded when it failed, or as the memory pass (cell.h) */
    bool oversubscribed;
    struct cell_result r;
};

struct row_set {
    struct row *rows;
    size_t n, cap;
};

void rows_add(struct row_set *set, const struct cell_spec *spec, int rep, bool oversubscribed,
              const struct cell_result *r);
void rows_sort(struct row_set *set);
void rows_free(struct row_set *set);

/* A cell whose wall time varies more than this (coefficient of variation)
 * is flagged noisy in summary.csv. */
#define RESULTS_NOISY_CV 0.10

/* The CSV columns: the cell key (strategy, workload, run settings, every
 * workload's knobs) and the figures (every cell's, then every workload's
 * results), in file order; how many. */
int results_key_columns(const char *out[], int max);
int results_figure_columns(const char *out[], int max);

/* A cell's key as raw.csv writes it: its first key columns, comma-separated
 * (the same cell has the same text in every file and run). */
void results_key_text(const struct cell_spec *s, char *buf, size_t len);

/* Write every row to path atomically (temp file + rename); 0 or -1. */
int results_write_raw(const char *path, const struct row_set *set);
/* The raw rows as CSV, with a header. */
void results_print_raw(FILE *f, const struct row_set *set);
/* Median, min, max and MAD per figure for each cell; 0 or -1. */
int results_write_summary(const char *path, const struct row_set *set);
/* The sampled memory timeline of every row that has one; 0 or -1. */
int results_write_timeline(const char *path, const struct row_set *set);
/* Every file alloclab writes goes to a temporary name first and is renamed
 * over the target when complete: readers never see half a file.
 * atomic_open gives the stream (tmp receives its name; len >= strlen(path)+32);
 * atomic_commit flushes, syncs and renames, or removes the temporary. 0 or -1. */
FILE *atomic_open(const char *path, char *tmp, size_t len);
int atomic_commit(FILE *f, const char *tmp, const char *path);
/* Check that a file can be created next to path (for early, clear errors). */
int results_check_writable(const char *path, char *why, size_t whylen);

#endif
