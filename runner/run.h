/* run.h - `alloclab run`, the guard every cell passes before it runs, and
 * the progress line. */
#ifndef ALLOCLAB_RUN_H
#define ALLOCLAB_RUN_H
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "cell.h"

/* (workers + 1) x size may take at most this share of MemAvailable, the
 * worst case of every worker copying the whole data set, unless --force. */
#define RUN_MEMORY_GUARD 0.8

int run_main(int argc, char **argv);
/* The usage of run, with every workload's knobs. */
void run_print_usage(FILE *f);
/* Refuse a cell that cannot run here; 0, or -1 with why. */
int cell_spec_validate(struct cell_spec *spec, struct topo *tp, char *why, size_t whylen);
/* "[k/N] what, elapsed, estimate" on stderr, only when it is a terminal */
void progress(int k, int total, uint64_t started_ns, const char *what);
void progress_done(void);
#endif
