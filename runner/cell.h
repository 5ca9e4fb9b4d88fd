/* cell.h - one repetition of one (strategy, workload, parameters) cell, run
 * in a child process of its own so that a crash or a hang fails only it. */
#ifndef ALLOCLAB_CELL_H
#define ALLOCLAB_CELL_H

#include <stdbool.h>
#include <stdint.h>

#include "allocator.h"
#include "figures.h"
#include "topo.h"
#include "workload.h"

struct cell_spec {
    const char *group; /* the bench plan's group; NULL for `run` */
    bool force;        /* run even past the memory guard */
    const struct allocator *strategy;
    const struct workload *workload;
    union param_value knob[PARAM_MAX]; /* the workload's knobs, in its table's order */
    const char *options;               /* the strategy's options as given; NULL: its defaults */
    struct alloc_config config;        /* parsed from them, with the THP choice */
    enum worker_model model;
    enum pin_mode pin;
    bool oversubscribe;
    double timeout_s;
    /* The untimed memory pass (a cell's warm-up): the heap samples what
     * would cost calls in a timed phase (alloc_config.sample_memory), and
     * only the memory figures are kept (cell_keep_memory_figures). */
    bool memory_pass;
};

/* The harness-free control, a cell of its own beside system_malloc's in
 * every group of a workload with .plain_loop: the workload's operations on
 * the C library's malloc in a plain loop. Not in the registry (no program
 * can use it as its malloc); `run --strategy plain_loop` and the CSV name it. */
#define PLAIN_LOOP "plain_loop"
const struct allocator *plain_loop_strategy(void);
bool cell_is_plain_loop(const struct cell_spec *s);
/* allocator_find, and plain_loop */
const struct allocator *cell_strategy_find(const char *name);

/* A cell spec with the workload's default knobs and the strategy's default
 * options; 0, or -1 with err (a table whose defaults do not parse). */
int cell_spec_init(struct cell_spec *s, const struct allocator *a, const struct workload *w, char *err, size_t len);
/* The value of a knob every workload (workers) or every VIEWS workload
 * (size) has; 0 when the workload has no such knob. */
uint64_t cell_knob(const struct cell_spec *s, const char *name);

enum cell_status {
    CELL_OK,
    CELL_CRASHED,        /* with the signal */
    CELL_TIMEOUT,
    CELL_FAILED,         /* the message says why: wrong data, a failed call */
    CELL_NOT_APPLICABLE, /* a heap workload on a strategy without a heap */
    CELL_UNAVAILABLE,    /* the strategy cannot run on this machine */
    CELL_SKIPPED,        /* refused before it ran (the message says why) */
    CELL_INTERRUPTED,
};
/* "ok", "crashed:SIGSEGV", "timeout", ... as written in the CSV files */
const char *cell_status_text(enum cell_status status, int signal, char *buf, size_t len);

struct timeline_point {
    double fraction_written; /* steps done over steps */
    double ms;               /* since the measured phase began */
    double pss_sum_kib, rss_sum_kib, mem_available_kib, committed_as_kib, commit_limit_kib; /* NA: not read */
    double heap_live_kib, heap_reserved_kib; /* heap workloads: the heap's own counters, NA if it has none */
    double strict_commit_kib; /* what strict overcommit would have charged: Committed_AS + MAP_NORESERVE */
};

/* room for "0;1;...;255": up to 4 characters a worker */
#define CELL_WHERE_LEN (4 * WORKLOAD_MAX_WORKERS + 8)

struct cell_result {
    enum cell_status status;
    int signal; /* CELL_CRASHED */
    char message[256];
    double fig[FIG_COUNT];               /* NA where not measured */
    double result[WORKLOAD_MAX_RESULTS]; /* the workload's own, NA where not set */
    char perf_mode[16];
    char pus[CELL_WHERE_LEN];   /* where each worker last ran, "0;1" (OS indexes) */
    char nodes[CELL_WHERE_LEN]; /* the NUMA node of each of those units, "0;0" */
    double cell_ns; /* the whole repetition as the runner saw it: the cell process's start, set-up, measured
                     * phase and tear-down (what the bench's time estimate is checked against) */
    int nsteps;    /* memory sampled after each step (workloads that call step_done) */
    struct timeline_point timeline[WORKLOAD_MAX_STEPS + 1];
};

/* Run one repetition in a child process with a time limit. Returns 0 when
 * the child reported (result->status says how it went), -1 when the run was
 * interrupted by SIGINT/SIGTERM (everything it started is reaped). */
int cell_run(const struct cell_spec *spec, struct topo *tp, struct cell_result *result);
/* A memory pass that ran and measured a memory figure: its row is kept
 * (as rep 0), its times dropped. */
bool cell_result_has_memory(const struct cell_result *r);
/* A memory pass's result: its memory figures kept, every other figure and
 * result NA (its times include its sampling). */
void cell_result_keep_memory(struct cell_result *r);
/* Worker value v of the workload's result k into the cell's, as the result merges. */
void cell_result_merge(const struct workload *w, struct cell_result *r, int k, double v);
/* A result with every figure NA and the given status and message. */
void cell_result_set(struct cell_result *r, enum cell_status status, const char *message);

/* Set by the SIGINT/SIGTERM handler of the runner; cell_run stops at once. */
extern volatile int cell_interrupted;
void cell_install_interrupt_handlers(void);

#endif
