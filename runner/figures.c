/* figures.c - the names, units and meanings of the figures every cell measures. */
#include "figures.h"

#include <stddef.h>

#define ALL_TABLES (SHOWN_VIEWS | SHOWN_HEAP | SHOWN_WALL)
/* a latency: in ns, where latencies were sampled, "<STEP" under the timer's step */
#define LATENCY(heading) {heading, "ns", 1, "%.0f", SHOWN_HEAP | SHOWN_IF_LATENCY, EXTRA_STEP}

const struct figure_def figure_defs[FIG_COUNT] = {
    [FIG_WALL_NS] = {"wall_ns", "ns", "the measured phase: the forks of the workers (processes), then from their "
                                     "start to the last one done, the runner's memory sampling between steps taken "
                                     "out",
        .report = {"wall", "ms", 1e6, "%.1f", SHOWN_VIEWS | SHOWN_WALL, EXTRA_BASELINE | EXTRA_RANGE}},
    [FIG_SPAWN_NS] = {"spawn_ns", "ns", "the runner's fork() of every worker process, one after the other (0 for "
                                       "threads); fork_cow's snapshot is this fork"},
    [FIG_PROVISION_NS] = {"provision_ns", "ns", "the slowest worker's time to take its view, its own fork included "
                                               "(processes)",
        .report = {"provision", "ms", 1e6, "%.2f", SHOWN_VIEWS, 0}},
    [FIG_WORK_NS] = {"work_ns", "ns", "the slowest worker's time working on its view (paused at a step: not working)"},
    [FIG_PAGES_WRITTEN] = {"pages_written", "pages", "data pages the workers wrote"},
    [FIG_PAGES_COPIED] = {"pages_copied", "pages", "data pages the strategy copied for the views",
        .report = {"pages copied", NULL, 1, "%.0f", SHOWN_VIEWS, 0}},
    [FIG_COPY_FALLBACKS] = {"copy_fallbacks", "count", "copy-on-write fallbacks taken (mprotect_cow's block promotions)"},
    [FIG_MINOR_FAULTS] = {"minor_faults", "count", "perf: minor page faults in the measured phase",
        .report = {"minor faults", NULL, 1, "%.0f", SHOWN_VIEWS, 0}},
    [FIG_MAJOR_FAULTS] = {"major_faults", "count", "perf: major page faults"},
    [FIG_CONTEXT_SWITCHES] = {"context_switches", "count", "perf: context switches"},
    [FIG_CPU_MIGRATIONS] = {"cpu_migrations", "count", "perf: migrations between processing units"},
    [FIG_TASK_CLOCK_NS] = {"task_clock_ns", "ns", "perf: CPU time of every thread and process of the cell"},
    [FIG_CYCLES] = {"cycles", "count", "perf: CPU cycles (hardware counter)"},
    [FIG_INSTRUCTIONS] = {"instructions", "count", "perf: instructions retired (hardware counter)"},
    [FIG_CACHE_MISSES] = {"cache_misses", "count", "perf: last-level cache misses (hardware counter)"},
    [FIG_DTLB_LOAD_MISSES] = {"dtlb_load_misses", "count", "perf: data TLB load misses (hardware counter)"},
    [FIG_PSS_KIB] = {"pss_kib", "KiB", "proportional set size of every process of the cell, views held",
        .report = {"PSS", "MiB", 1024, "%.0f", SHOWN_VIEWS, 0}},
    [FIG_PRIVATE_DIRTY_KIB] = {"private_dirty_kib", "KiB", "private dirty memory of every process of the cell"},
    [FIG_SHARED_KIB] = {"shared_kib", "KiB", "shared memory, clean and dirty"},
    [FIG_RSS_KIB] = {"rss_kib", "KiB", "sum of RSS: shared pages counted once per process",
        .report = {"RSS sum", "MiB", 1024, "%.0f", SHOWN_VIEWS, 0}},
    [FIG_RSS_PEAK_KIB] = {"rss_peak_kib", "KiB", "sum of every process's peak RSS (VmHWM)"},
    [FIG_ANON_HUGE_KIB] = {"anon_huge_kib", "KiB", "memory backed by transparent huge pages",
        .report = {"AnonHugePages", "MiB", 1024, "%.1f", ALL_TABLES | SHOWN_IF_HUGE, 0}},
    [FIG_COMMITTED_DELTA_KIB] = {"committed_delta_kib", "KiB", "change of Committed_AS over the measured phase"},
    [FIG_MEM_AVAILABLE_DELTA_KIB] = {"mem_available_delta_kib", "KiB", "change of MemAvailable over the phase"},
    [FIG_OPS] = {"ops_done", "count", "heap operations every worker did, counted (churn's and larson's `ops` knob "
                                    "is what each was asked for)"},
    [FIG_OPS_PER_SEC] = {"ops_per_sec", "ops/s", "heap operations over wall time",
        .report = {"ops/s", NULL, 1, "%.3g", SHOWN_HEAP, EXTRA_BASELINE}},
    [FIG_ALLOC_P50_NS] = {"alloc_p50_ns", "ns", "median latency of the sampled allocations, the mean cost of a pair "
                                              "of stamps taken out",
        .report = LATENCY("alloc p50")},
    [FIG_ALLOC_P99_NS] = {"alloc_p99_ns", "ns", "99th percentile latency of the sampled allocations",
        .report = LATENCY("alloc p99")},
    [FIG_ALLOC_P999_NS] = {"alloc_p999_ns", "ns", "99.9th percentile latency of the sampled allocations",
        .report = LATENCY("alloc p99.9")},
    [FIG_ALLOC_MAX_NS] = {"alloc_max_ns", "ns", "the slowest sampled allocation"},
    [FIG_FREE_P50_NS] = {"free_p50_ns", "ns", "median latency of the sampled frees",
        .report = LATENCY("free p50")},
    [FIG_FREE_P99_NS] = {"free_p99_ns", "ns", "99th percentile latency of the sampled frees",
        .report = LATENCY("free p99")},
    [FIG_FREE_P999_NS] = {"free_p999_ns", "ns", "99.9th percentile latency of the sampled frees",
        .report = LATENCY("free p99.9")},
    [FIG_FREE_MAX_NS] = {"free_max_ns", "ns", "the slowest sampled free"},
    [FIG_LAT_RESOLUTION_NS] = {"lat_resolution_ns", "ns", "the latency timer's step, the spacing of the values its "
                                                        "differences take (at least one tick): a latency under it "
                                                        "cannot be told from 0, one under two is compared with "
                                                        "nothing"},
    [FIG_LIVE_PEAK_KIB] = {"live_peak_kib", "KiB", "the heap's peak of bytes live (requested), as it counts them"},
    [FIG_RESERVED_PEAK_KIB] = {"reserved_peak_kib", "KiB", "the heap's peak of bytes reserved from the OS, as it "
                                                         "counts them (a heap on a library: sampled in the memory "
                                                         "pass only, rep 0)"},
    [FIG_FRAGMENTATION] = {"fragmentation", "ratio", "peak bytes reserved from the OS over peak bytes live",
        .report = {"fragmentation", NULL, 1, "%.2f", SHOWN_HEAP, 0}},
    [FIG_LOCK_CONTENDED_SHARE] = {"lock_contended_share", "ratio", "lock acquisitions that had to wait, over heap "
                                                                 "operations",
        .report = {"lock waits", NULL, 1, "%.2f%%", SHOWN_HEAP, EXTRA_PERCENT}},
    [FIG_OFF_CPU_SHARE] = {"off_cpu_share", "ratio", "1 - task clock over workers x wall time: the workers' time "
                                                   "off a CPU (blocked, or waiting for one); the clock also holds the "
                                                   "cell process's own sleeping thread, so a share a hair under 0 "
                                                   "reads 0",
        .report = {"off-CPU share", NULL, 1, "%.0f%%", SHOWN_HEAP, EXTRA_PERCENT}},
};
