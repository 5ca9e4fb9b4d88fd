/*
 * shared_object - one object (a configuration, an index) read by every
 * worker while some operations update it: the four ways to share it, and
 * what each costs its readers.
 *
 *   sync=mutex     readers and writers take one mutex; a writer edits in place
 *   sync=rwlock    readers share a read-write lock; a writer takes it alone
 *   sync=refcount  copy-on-write by reference count: a reader takes a
 *                  reference (an atomic increment) and drops it after the
 *                  read (an atomic decrement); a writer copies the object,
 *                  edits the copy and publishes it with an atomic swap; the
 *                  old version is freed by whoever drops its last reference.
 *                  Loading the pointer and counting the reference must be
 *                  one step, or the object can be freed in between: as in
 *                  C++'s std::atomic<std::shared_ptr> (libstdc++), a lock bit
 *                  in the pointer word covers the load and the increment, so
 *                  a read writes one shared cache line three times.
 *   sync=rcu       read-copy-update (liburcu, its memb flavour, called through
 *                  the library): a reader marks a read-side critical section
 *                  in its own thread's state and writes nothing shared; a
 *                  writer copies, publishes, waits for a grace period (every
 *                  reader that could hold the old version has finished) and
 *                  frees it. The pointer is published and read with C11
 *                  atomics, release and acquire, as rcu_assign_pointer and
 *                  rcu_dereference do.
 *
 * Writers serialize on a writer lock in the copy-on-write variants too (the
 * documents: "writes still need to acquire a lock to perform the copy"). The
 * copies come from the heap strategy under test, so its cost on the write
 * path shows; the object itself is allocated from it too.
 *
 * Every worker reads; after each read, a write follows with probability
 * write-rate. A read takes the object, reads 4 random pairs of words and
 * checks them (versioned.h: a half-written pair, a freed object or one
 * replaced under the reader fails the cell), then lets it go. One read in 64
 * is timed with fenced stamps (stamp.h), every write is. CPU time per read
 * is the thread's CPU time less what its writes took, over its reads.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <urcu/urcu-memb.h>

#include "groups.h"
#include "stamp.h"
#include "versioned.h"
#include "workload.h"

#define PAIRS_READ 4
#define PAIRS_EDITED 8
#define READ_SAMPLE_MASK 63
#define MAX_WRITE_SAMPLES (1u << 20)
#define LOCK_BIT ((uintptr_t)1)

enum sync_kind { SYNC_MUTEX, SYNC_RWLOCK, SYNC_REFCOUNT, SYNC_RCU }; /* the choices of knob sync, in order */
static const char *const sync_names[] = {"mutex", "rwlock", "refcount", "rcu"};

enum { K_WORKERS, K_SYNC, K_OBJECT, K_READS, K_WRITE_RATE, K_SEED, K_COUNT };
static const struct param knobs[K_COUNT + 1] = {
    [K_WORKERS] = KNOB_WORKERS("2"),
    [K_SYNC] = {.name = "sync", .type = PARAM_CHOICE, .def = "refcount", .choices = "mutex|rwlock|refcount|rcu",
                .help = "how readers and writers share the object (see the workload's comment)"},
    [K_OBJECT] = {.name = "object", .type = PARAM_SIZE, .def = "64k", .min = 4096, .max = (double)(1ull << 30),
                  .multiple = 16, .help = "bytes in the shared object"},
    [K_READS] = {.name = "reads", .type = PARAM_COUNT, .def = "500000", .min = 1, .max = 1e11,
                 .help = "reads per worker"},
    [K_WRITE_RATE] = {.name = "write-rate", .type = PARAM_FRACTION, .def = "0.001", .min = 0, .max = 1,
                      .help = "writes per read: after each read, a write (a copy or an in-place edit) with this "
                              "probability"},
    [K_SEED] = KNOB_SEED,
};

enum { R_READS_PER_SEC, R_READ_P50, R_READ_P99, R_WRITE_P50, R_WRITE_P99, R_OLD_BYTES, R_READ_CPU, R_WRITES, R_COUNT };
static const struct result_def results[R_COUNT + 1] = {
    [R_READS_PER_SEC] = {"reads_per_sec", "reads/s", MERGE_SUM,
                         "reads per second of reading (a worker's own writes' time left out), summed over the workers"},
    [R_READ_P50] = {"read_p50_ns", "ns", MERGE_MAX, "median read (take, read, check, let go): the slowest worker's"},
    [R_READ_P99] = {"read_p99_ns", "ns", MERGE_MAX, "99th percentile read: the slowest worker's"},
    [R_WRITE_P50] = {"write_p50_ns", "ns", MERGE_MAX, "median write (lock, copy or edit, publish, free the old)"},
    [R_WRITE_P99] = {"write_p99_ns", "ns", MERGE_MAX, "99th percentile write: the slowest worker's"},
    [R_OLD_BYTES] = {"old_bytes_peak", "bytes", MERGE_MAX, "most bytes held at once by replaced versions not yet freed"},
    [R_READ_CPU] = {"read_cpu_ns", "ns", MERGE_SUM, "CPU time per read (writes' excluded), the workers' mean"},
    [R_WRITES] = {"writes_done", "writes", MERGE_SUM, "writes done, summed over the workers"},
};

struct shared {
    enum sync_kind sync;
    size_t bytes;
    double write_rate;
    uint64_t reads, seed;
    int workers;
    pthread_barrier_t start, end;
    pthread_mutex_t lock;       /* mutex: everyone's; refcount, rcu: the writers' */
    pthread_rwlock_t rwlock;
    _Atomic uintptr_t current;  /* struct version *, LOCK_BIT while a reader counts itself in */
    _Atomic long old_bytes, old_bytes_peak;
    _Atomic int failed;
};

struct worker_state {
    struct shared *sh;
    struct stamp_clock clock;
    uint64_t *read_ticks, *write_ticks;
    size_t nread_samples, nwrite_samples, write_cap;
    uint64_t writes, write_cpu_ns, write_wall_ns;
};

static void note_old(struct shared *sh, long bytes)
{
    long now = atomic_fetch_add(&sh->old_bytes, bytes) + bytes, peak = atomic_load(&sh->old_bytes_peak);
    while (now > peak && !atomic_compare_exchange_weak(&sh->old_bytes_peak, &peak, now))
        ;
}

static void retire(struct worker_ctx *ctx, struct version *v)
{
    struct shared *sh = ((struct worker_state *)ctx->exchange)->sh;
    size_t bytes = v->bytes;
    version_poison(v);
    note_old(sh, -(long)bytes);
    ctx->strategy->free(ctx->self, v, bytes);
}

/* ---- sync=refcount: the pointer and the count ---- */
static struct version *refcount_take(struct shared *sh)
{
    uintptr_t p;
    while ((p = atomic_fetch_or_explicit(&sh->current, LOCK_BIT, memory_order_acquire)) & LOCK_BIT)
        while (atomic_load_explicit(&sh->current, memory_order_relaxed) & LOCK_BIT)
            __builtin_ia32_pause();
    struct version *v = (struct version *)p;
    atomic_fetch_add_explicit(&v->refs, 1, memory_order_relaxed);
    atomic_store_explicit(&sh->current, p, memory_order_release);
    return v;
}

static void refcount_drop(struct worker_ctx *ctx, struct version *v)
{
    if (atomic_fetch_sub_explicit(&v->refs, 1, memory_order_acq_rel) == 1)
        retire(ctx, v);
}

/* ---- one read: take the object, read and check it, let it go ---- */
static int read_once(struct worker_ctx *ctx, struct shared *sh, uint64_t r, uint64_t *sum)
{
    struct version *v;
    enum version_fault f;
    switch (sh->sync) {
    case SYNC_MUTEX:
        pthread_mutex_lock(&sh->lock);
        v = (struct version *)atomic_load_explicit(&sh->current, memory_order_relaxed);
        f = version_read(v, version_open(v), r, PAIRS_READ, sum);
        pthread_mutex_unlock(&sh->lock);
        break;
    case SYNC_RWLOCK:
        pthread_rwlock_rdlock(&sh->rwlock);
        v = (struct version *)atomic_load_explicit(&sh->current, memory_order_relaxed);
        f = version_read(v, version_open(v), r, PAIRS_READ, sum);
        pthread_rwlock_unlock(&sh->rwlock);
        break;
    case SYNC_REFCOUNT:
        v = refcount_take(sh);
        f = version_read(v, version_open(v), r, PAIRS_READ, sum);
        refcount_drop(ctx, v);
        break;
    default:
        urcu_memb_read_lock();
        v = (struct version *)atomic_load_explicit(&sh->current, memory_order_acquire); /* rcu_dereference */
        f = version_read(v, version_open(v), r, PAIRS_READ, sum);
        urcu_memb_read_unlock();
    }
    if (f == VERSION_OK)
        return 0;
    static const char *const what[] = {"", "half written (a torn read)", "freed under the reader",
                                       "replaced under the reader"};
    snprintf(ctx->err, WORKLOAD_ERR_LEN, "worker %d: sync=%s: the object read was %s", ctx->index,
             sync_names[sh->sync], what[f]);
    return -1;
}

/* ---- one write: an edit in place under the lock, or a published copy ---- */
static struct version *copy_of(struct worker_ctx *ctx, const struct version *old, uint64_t r)
{
    struct version *v = ctx->strategy->alloc(ctx->self, old->bytes);
    if (!v) {
        snprintf(ctx->err, WORKLOAD_ERR_LEN, "worker %d: alloc(%zu) for a copy failed", ctx->index, old->bytes);
        return NULL;
    }
    /* the words; the header is the copy's own (readers are counting themselves in the old one's) */
    memcpy(v->word, old->word, old->bytes - sizeof *v);
    atomic_init(&v->refs, 1);
    atomic_init(&v->magic, VERSION_LIVE);
    atomic_init(&v->number, atomic_load(&((struct version *)old)->number));
    v->bytes = old->bytes;
    v->pairs = old->pairs;
    version_edit(v, (size_t)(r % v->pairs), PAIRS_EDITED);
    return v;
}

static int write_once(struct worker_ctx *ctx, struct shared *sh, uint64_t r)
{
    if (sh->sync == SYNC_MUTEX || sh->sync == SYNC_RWLOCK) {
        bool mutex = sh->sync == SYNC_MUTEX;
        if (mutex)
            pthread_mutex_lock(&sh->lock);
        else
            pthread_rwlock_wrlock(&sh->rwlock);
        struct version *v = (struct version *)atomic_load_explicit(&sh->current, memory_order_relaxed);
        version_edit(v, (size_t)(r % v->pairs), PAIRS_EDITED);
        if (mutex)
            pthread_mutex_unlock(&sh->lock);
        else
            pthread_rwlock_unlock(&sh->rwlock);
        return 0;
    }
    pthread_mutex_lock(&sh->lock);
    struct version *old = (struct version *)(atomic_load(&sh->current) & ~LOCK_BIT);
    struct version *fresh = copy_of(ctx, old, r);
    if (!fresh) {
        pthread_mutex_unlock(&sh->lock);
        return -1;
    }
    note_old(sh, (long)old->bytes);
    if (sh->sync == SYNC_REFCOUNT) {
        /* swap only while no reader holds the lock bit */
        uintptr_t expected = (uintptr_t)old;
        while (!atomic_compare_exchange_weak(&sh->current, &expected, (uintptr_t)fresh))
            expected = (uintptr_t)old;
        pthread_mutex_unlock(&sh->lock);
        refcount_drop(ctx, old); /* the published pointer's reference */
        return 0;
    }
    atomic_store_explicit(&sh->current, (uintptr_t)fresh, memory_order_release); /* rcu_assign_pointer */
    pthread_mutex_unlock(&sh->lock);
    urcu_memb_synchronize_rcu();
    retire(ctx, old);
    return 0;
}

/* ---- the worker ---- */
static void sample(uint64_t *ticks, size_t *n, size_t cap, uint64_t t)
{
    if (*n < cap)
        ticks[(*n)++] = t;
}

static uint64_t thread_cpu_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int loop(struct worker_ctx *ctx, struct worker_state *ws, uint64_t *reads_done)
{
    struct shared *sh = ws->sh;
    uint64_t rng = sh->seed * 7919 + (uint64_t)ctx->index, sum = 0;
    uint64_t write_below = (uint64_t)(sh->write_rate * 18446744073709551615.0);
    bool tsc = ws->clock.tsc;
    for (uint64_t i = 0; i < sh->reads; i++) {
        uint64_t r = splitmix64(&rng);
        bool timed = (i & READ_SAMPLE_MASK) == 0;
        uint64_t t0 = timed ? stamp(tsc) : 0;
        if (read_once(ctx, sh, r, &sum) != 0)
            return -1;
        if (timed)
            sample(ws->read_ticks, &ws->nread_samples, sh->reads / (READ_SAMPLE_MASK + 1) + 1, stamp(tsc) - t0);
        ++*reads_done;
        if (sh->write_rate > 0 && splitmix64(&rng) <= write_below) {
            uint64_t c0 = thread_cpu_ns(), n0 = stamp_clock_ns(), w0 = stamp(tsc);
            if (write_once(ctx, sh, splitmix64(&rng)) != 0)
                return -1;
            sample(ws->write_ticks, &ws->nwrite_samples, ws->write_cap, stamp(tsc) - w0);
            ws->write_wall_ns += stamp_clock_ns() - n0;
            ws->write_cpu_ns += thread_cpu_ns() - c0;
            ws->writes++;
        }
        if ((i & 1023) == 0 && atomic_load_explicit(&sh->failed, memory_order_relaxed))
            break; /* another worker failed: the cell has */
    }
    __asm__ volatile("" ::"r"(sum));
    return 0;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

/* the p-th percentile of n tick samples, in ns; NA without samples or a rate */
static double percentile_ns(struct worker_state *ws, uint64_t *ticks, size_t n, double p, double ns_per_tick)
{
    if (!n || !(ns_per_tick > 0))
        return NA;
    qsort(ticks, n, sizeof *ticks, cmp_u64);
    size_t k = (size_t)(p * (double)(n - 1) + 0.5);
    return (double)stamp_sample_ns(&ws->clock, ticks[k], ns_per_tick);
}

static void publish_results(struct worker_ctx *ctx, struct worker_state *ws, uint64_t reads, uint64_t wall_ns,
                            uint64_t cpu_ns)
{
    double ns_per_tick = stamp_rate(&ws->clock);
    ctx->ops = reads + ws->writes;
    double reading_ns = (double)wall_ns - (double)ws->write_wall_ns; /* the time between its writes */
    ctx->result[R_READS_PER_SEC] = reading_ns > 0 ? (double)reads * 1e9 / reading_ns : NA;
    ctx->result[R_READ_P50] = percentile_ns(ws, ws->read_ticks, ws->nread_samples, 0.50, ns_per_tick);
    ctx->result[R_READ_P99] = percentile_ns(ws, ws->read_ticks, ws->nread_samples, 0.99, ns_per_tick);
    ctx->result[R_WRITE_P50] = percentile_ns(ws, ws->write_ticks, ws->nwrite_samples, 0.50, ns_per_tick);
    ctx->result[R_WRITE_P99] = percentile_ns(ws, ws->write_ticks, ws->nwrite_samples, 0.99, ns_per_tick);
    ctx->result[R_OLD_BYTES] = (double)atomic_load(&ws->sh->old_bytes_peak);
    ctx->result[R_READ_CPU] =
        reads ? ((double)cpu_ns - (double)ws->write_cpu_ns) / (double)reads / (double)ctx->workers : NA;
    ctx->result[R_WRITES] = (double)ws->writes;
    if (ns_per_tick > 0)
        ctx->lat_resolution_ns = (double)ws->clock.step_ticks * ns_per_tick;
}

/* Worker 0 makes the object from the heap under test, every worker reads
 * (and writes), and worker 0 frees the last version once all are done. A
 * worker that fails still meets the others at both barriers. */
static int so_work(struct worker_ctx *ctx)
{
    struct worker_state *ws = ctx->exchange;
    struct shared *sh = ws->sh;
    int rc = 0;
    if (ctx->index == 0) {
        struct version *v = ctx->strategy->alloc(ctx->self, sh->bytes);
        if (v)
            version_init(v, sh->bytes, sh->seed);
        else {
            snprintf(ctx->err, WORKLOAD_ERR_LEN, "alloc(%zu) for the shared object failed", sh->bytes);
            atomic_store(&sh->failed, 1);
            rc = -1;
        }
        atomic_store(&sh->current, (uintptr_t)v);
    }
    if (sh->sync == SYNC_RCU)
        urcu_memb_register_thread();
    pthread_barrier_wait(&sh->start);
    uint64_t reads = 0, t0 = stamp_clock_ns(), c0 = thread_cpu_ns();
    if (!atomic_load(&sh->failed) && loop(ctx, ws, &reads) != 0) {
        atomic_store(&sh->failed, 1);
        rc = -1;
    }
    uint64_t wall = stamp_clock_ns() - t0, cpu = thread_cpu_ns() - c0;
    if (sh->sync == SYNC_RCU)
        urcu_memb_unregister_thread();
    pthread_barrier_wait(&sh->end);
    struct version *last = (struct version *)(atomic_load(&sh->current) & ~LOCK_BIT);
    if (ctx->index == 0 && last) { /* no reader is left: the last version goes */
        size_t bytes = last->bytes;
        version_poison(last);
        ctx->strategy->free(ctx->self, last, bytes);
    }
    publish_results(ctx, ws, reads, wall, cpu);
    return rc;
}

static int so_prepare(const union param_value *knob, struct worker_ctx *ctxs, int n, char err[WORKLOAD_ERR_LEN])
{
    struct shared *sh = calloc(1, sizeof *sh);
    if (!sh) {
        snprintf(err, WORKLOAD_ERR_LEN, "out of memory");
        return -1;
    }
    *sh = (struct shared){.sync = (enum sync_kind)knob[K_SYNC].choice, .bytes = knob[K_OBJECT].n,
                          .write_rate = knob[K_WRITE_RATE].f, .reads = knob[K_READS].n, .seed = knob[K_SEED].n,
                          .workers = n};
    pthread_barrier_init(&sh->start, NULL, (unsigned)n);
    pthread_barrier_init(&sh->end, NULL, (unsigned)n);
    pthread_mutex_init(&sh->lock, NULL);
    pthread_rwlock_init(&sh->rwlock, NULL);
    double expected_writes = (double)sh->reads * sh->write_rate;
    for (int i = 0; i < n; i++) {
        struct worker_state *ws = calloc(1, sizeof *ws);
        ctxs[i].exchange = ws;
        if (!ws) {
            snprintf(err, WORKLOAD_ERR_LEN, "out of memory");
            return -1;
        }
        ws->sh = sh;
        ws->write_cap = expected_writes * 2 + 64 < MAX_WRITE_SAMPLES ? (size_t)(expected_writes * 2 + 64)
                                                                      : MAX_WRITE_SAMPLES;
        ws->read_ticks = calloc(sh->reads / (READ_SAMPLE_MASK + 1) + 1, sizeof *ws->read_ticks);
        ws->write_ticks = calloc(ws->write_cap, sizeof *ws->write_ticks);
        if (!ws->read_ticks || !ws->write_ticks) {
            snprintf(err, WORKLOAD_ERR_LEN, "out of memory for the latency samples");
            return -1;
        }
        stamp_clock_init(&ws->clock);
    }
    return 0;
}

static void so_finish(struct worker_ctx *ctxs, int n)
{
    struct shared *sh = NULL;
    for (int i = 0; i < n; i++) {
        struct worker_state *ws = ctxs[i].exchange;
        if (!ws)
            continue;
        sh = ws->sh;
        free(ws->read_ticks);
        free(ws->write_ticks);
        free(ws);
        ctxs[i].exchange = NULL;
    }
    if (sh) {
        pthread_barrier_destroy(&sh->start);
        pthread_barrier_destroy(&sh->end);
        pthread_mutex_destroy(&sh->lock);
        pthread_rwlock_destroy(&sh->rwlock);
        free(sh);
    }
}

/* The estimate: 20 ns a read, and each write's copy at 0.08 ns a byte of the
 * object; c by sync, as the reference's 1 and 2 threads had them */
static double so_estimate(const union param_value *knob, int workers)
{
    static const double c[] = {2.64, 1.95, 8.26, 4.77}; /* mutex, rwlock, refcount, rcu */
    double read = 20e-9 + knob[K_WRITE_RATE].f * (double)knob[K_OBJECT].n * 0.08e-9;
    return estimate_contended((double)knob[K_READS].n * read, c[knob[K_SYNC].choice % 4], workers);
}

static const struct bench_plan plan[] = {
    /* the four ways, at each thread count and write rate: claim C9 */
    {.group = GROUP_SHARED, .strategies = PLAN_BASELINE_ONLY, .every = "sync=mutex,rwlock,refcount,rcu workers=1..all",
     .profile = PER_PROFILE("reads=40000/workers write-rate=0,0.01", "reads=200000/workers write-rate=0,0.01",
                            "reads=400000/workers write-rate=0,0.01",
                            "reads=250000/workers write-rate=0,0.01,0.1")},
    /* the copies' cost on each heap, writing often (refcount: rcu's copies are the same, its waits are not the heap's) */
    {.group = GROUP_SHARED_HEAPS, .strategies = PLAN_EVERY, .every = "sync=refcount workers=all write-rate=0.01",
     .profile = PER_PROFILE(NULL, NULL, "reads=200000/workers", "reads=500000/workers object=1M")},
    {0},
};

const struct workload workload_shared_object = {
    .name = "shared_object",
    .summary = "one object read by every worker and updated now and then: mutex, rwlock, reference-counted "
               "copy-on-write, RCU",
    .kind = WORKLOAD_HEAP,
    .knobs = knobs,
    .results = results,
    .plan = plan,
    .prepare = so_prepare,
    .work = so_work,
    .finish = so_finish,
    .estimate = so_estimate,
};
