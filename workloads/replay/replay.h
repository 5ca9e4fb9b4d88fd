/* replay.h - CS:APP malloc-lab traces: parse, replay through a heap strategy
 * with every result checked, and time. Used by the trace workload and by the
 * grader (`alloclab check`), so it lives with the workloads. */
#ifndef ALLOCLAB_REPLAY_H
#define ALLOCLAB_REPLAY_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "allocator.h"

enum trace_op_kind { OP_ALLOC = 'a', OP_REALLOC = 'r', OP_FREE = 'f' };

struct trace_op {
    char kind;
    uint32_t id;
    size_t size;
};

struct trace {
    char name[256];
    size_t num_ids, num_ops;
    struct trace_op *ops;
};

/* Parse a trace file; 0, or -1 with err naming the file and line. */
int trace_load(const char *path, struct trace *t, char *err, size_t errlen);
void trace_free(struct trace *t);

struct replay_result {
    int correct;           /* 1: every check passed */
    char violation[512];   /* the first violation: trace, operation index, ids, addresses */
    uint64_t peak_live;    /* bytes, as the trace asked for them */
    double peak_reserved;  /* from the strategy's counters; NA if it cannot say */
    double peak_mapped;    /* counted by the driver (support/ledger.h); NA for a strategy on the C library's heap */
    double seconds;        /* the unchecked, timed replay */
};

/* Replay once with every check on; fills correct, violation, peak_live,
 * peak_reserved and peak_mapped. The driver counts what the strategy maps
 * (support/ledger.h): a block outside it is a violation. */
void replay_checked(const struct allocator *a, const char *options, const struct trace *t, struct replay_result *r);
/* The same on an existing instance (the trace workload's shared heap): no
 * end-of-trace counter check, since other workers may hold blocks. */
void replay_on(const struct allocator *a, void *self, const struct trace *t, struct replay_result *r);
/* --debug: call the strategy's check_heap (if it has one) after every operation. */
void replay_debug(bool on);
/* Have replay_on store the index of the operation it is at in *op (NULL:
 * stop): a process watching from outside can name the operation a strategy
 * crashed or hung in. */
void replay_watch(volatile uint64_t *op);
/* On one instance: a warm-up replay, then `times` with no checks; the seconds
 * of the fastest, or -1. */
double replay_timed(const struct allocator *a, const char *options, const struct trace *t, int times);

/* ---- threads sharing one heap ---- */
struct replay_handed {
    void *p;
    size_t size;
};
struct replay_handoff { /* blocks handed to one thread, which frees them */
    pthread_mutex_t lock;
    struct replay_handed *q;
    size_t n, cap;
};
/* For the calling thread's replays from now on: its salt (so its payload
 * patterns differ from the other threads'), the queue others hand it blocks
 * on (freed every 64 operations), and the next thread's, which gets the
 * blocks of its odd ids to free. replay_share(0, NULL, NULL): alone again. */
void replay_share(uint32_t thread_salt, struct replay_handoff *own, struct replay_handoff *next);
/* Free what was handed to h. */
void replay_handoff_drain(const struct allocator *a, void *self, struct replay_handoff *h);
/* replay_checked with `threads` threads on one instance, each replaying the
 * whole trace, every check on, half the frees on another thread. */
void replay_checked_threads(const struct allocator *a, const char *options, const struct trace *t, int threads,
                            struct replay_result *r);

/* ---- the live-block set: ordered by address, refusing overlaps ---- */
struct live_range {
    uintptr_t start, end;
    uint32_t id;
};
struct live_set {
    struct live_range *r;
    size_t n, cap;
};
/* Insert [p, p+size) for id; 0, or the id of the live block it overlaps + 1
 * (written to *other) and -1. */
int live_insert(struct live_set *s, const void *p, size_t size, uint32_t id, uint32_t *other);
void live_remove(struct live_set *s, const void *p);
/* The ids of the live blocks just below and just above address p (UINT32_MAX: none). */
void live_neighbours(const struct live_set *s, const void *p, uint32_t *below, uint32_t *above);
void live_free(struct live_set *s);

#endif
