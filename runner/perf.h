/* perf.h - perf_event_open counters around the measured phase. */
#ifndef ALLOCLAB_PERF_H
#define ALLOCLAB_PERF_H

#include <stdbool.h>

enum perf_ev {
    EV_MINOR_FAULTS,
    EV_MAJOR_FAULTS,
    EV_CONTEXT_SWITCHES,
    EV_CPU_MIGRATIONS,
    EV_TASK_CLOCK,
    EV_CYCLES,
    EV_INSTRUCTIONS,
    EV_CACHE_MISSES,
    EV_DTLB_LOAD_MISSES,
    EV_COUNT
};

struct perf_set {
    int fd[EV_COUNT];  /* -1: not available on this machine */
    bool kernel[EV_COUNT]; /* counted in kernel mode too */
};

extern const char *const perf_ev_name[EV_COUNT];

/* Open every event for this process and whatever it creates afterwards
 * (threads and children inherit), disabled. Events the machine lacks stay -1. */
void perf_open(struct perf_set *ps);
void perf_enable(struct perf_set *ps);
void perf_disable(struct perf_set *ps);
/* Values scaled by enabled/running time; NA where not measured. */
void perf_read(struct perf_set *ps, double value[EV_COUNT]);
void perf_close(struct perf_set *ps);
/* "kernel+user", "user" or "none", for the record */
const char *perf_mode(const struct perf_set *ps);

#endif
