/* cell.h - one repetition of one (strategy, workload, parameters) cell, run
 * in a child process of its own so that a crash or a hang fails only it. */
#ifndef ALLOCLAB_CELL_H
#define ALLOCLAB_CELL_H

#include <stdbool.h>
#include <stdint.h>

#include "allocator.h"
#include "perf.h"
#include "topo.h"
#include "workload.h"

#define CELL_MAX_WORKERS 256

struct cell_spec {
    const char *group; /* which part of a bench it belongs to: main, sweep, churn, fork, ... */
    bool force;        /* run even past the memory guard */
    const struct allocator *strategy;
    const struct workload *workload;
    struct alloc_config config;
    struct workload_params params;
    enum worker_model model;
    enum pin_mode pin;
    bool oversubscribe;
    double timeout_s;
};

struct cell_result {
    char status[48]; /* ok | crashed:SIGSEGV | timeout | failed | not_applicable | interrupted */
    char message[256];
    uint64_t wall_ns, provision_ns, work_ns;
    uint64_t pages_written, pages_copied, copy_fallbacks; /* ALLOC_NA where not measured */
    double ev[EV_COUNT];
    bool ev_valid[EV_COUNT];
    char perf_mode[16];
    int64_t pss_kib, private_dirty_kib, shared_kib, rss_kib, rss_peak_kib; /* -1: not measured */
    int64_t anon_huge_kib; /* memory backed by transparent huge pages, -1: not measured */
    int64_t committed_delta_kib, mem_available_delta_kib;
    char pus[256]; /* where each worker last ran, "0;1" */
    /* heap workloads */
    uint64_t ops;
    double ops_per_sec, lat_p50_ns, lat_p99_ns, lat_p999_ns, lat_max_ns; /* NAN: not measured */
    double fragmentation;   /* peak reserved / peak live */
    double lock_wait_share; /* lock wait / (threads x wall time) */
    double fork_ns, fork_rss_kib, fork_ms_per_gib; /* per GiB resident in the forking process */
    /* overcommit: one sample after each step */
    int nsteps;
    struct timeline_point {
        double fraction_written;
        int64_t pss_sum_kib, mem_available_kib, committed_as_kib, commit_limit_kib;
    } timeline[WORKLOAD_MAX_STEPS + 1];
};

/* Run one repetition in a child process with a time limit. Returns 0 when
 * the child reported (result->status says how it went), -1 when the run was
 * interrupted by SIGINT/SIGTERM (everything it started is reaped). */
int cell_run(const struct cell_spec *spec, struct topo *tp, struct cell_result *result);

/* Set by the SIGINT/SIGTERM handler of the runner; cell_run stops at once. */
extern volatile int cell_interrupted;
void cell_install_interrupt_handlers(void);

#endif
