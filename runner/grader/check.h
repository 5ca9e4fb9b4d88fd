/* check.h - the malloc-lab grader: every trace replayed, checked and timed
 * in a child process of its own, so that a strategy's crash or hang fails
 * its trace, never the grader. */
#ifndef ALLOCLAB_CHECK_H
#define ALLOCLAB_CHECK_H
#include <stdint.h>

#include "replay/replay.h"

#define CHECK_TRACE_TIMEOUT_S 120 /* for one trace, checked and timed */
/* Utilisation counts only on traces whose peak live set reaches this: on a
 * smaller one it measures the size of a heap's first arena or slab, not its
 * algorithm (the figure is still shown, in parentheses). */
#define CHECK_UTIL_MIN_LIVE ((uint64_t)1 << 20)

struct check_outcome {
    struct replay_result res;   /* correct, or the violation (a crash or a hang with its operation) */
    double mine, theirs;        /* seconds for one timed replay: the strategy, system_malloc */
    volatile uint64_t op;       /* the operation the checked replay is at */
    volatile int timing;        /* the checked replay is done: the timed ones run */
};

#define CHECK_MAX_THREADS 64

/* Replay t on a (its options) in a child process within timeout_s, checked
 * by `threads` threads sharing one instance (1: one thread), then timed by
 * one; 0 with *out filled, -1 when no child could be started. */
int check_trace(const struct allocator *a, const char *options, const struct trace *t, int threads,
                double timeout_s, struct check_outcome *out);
int check_main(int argc, char **argv);
/* The contract's edge cases as an in-memory trace (sizes no file may hold). */
void check_contract_trace(struct trace *t);
/* 100 x (0.6 U + 0.4 min(1, T)), rounded: U and T clamped to [0, 1]; 0 if either is NA */
int check_score(double utilization, double throughput_ratio);
#endif
