/*
 * workload.h - the one interface every alloclab workload fills in.
 *
 * A workload is one .c file in workloads/ that defines
 *
 *     const struct workload workload_<file name> = { ... };
 *
 * and the Makefile registers it: adding the file adds the workload, with
 * its command-line options, CSV columns, bench cells and docs; nothing else
 * is edited. In its own file a workload declares
 *
 *   knobs    a table of struct param (support/params.h): name, type,
 *            default, range or choices, help. Shared code derives from it
 *            the `run` options (--name), list --verbose and --help, the CSV
 *            key columns, and the docs. Every workload has `workers` and
 *            `seed`; a VIEWS workload also `size`. work() reads its values
 *            as ctx->knob[i], i its index in the table.
 *   results  named figures with units (struct result_def), set by work()
 *            in ctx->result[i] and written by shared code as CSV columns;
 *            a result left unset is NA.
 *   plan     its bench cells (struct bench_plan): in which profiles, on
 *            which strategies, with which knob values, under which group.
 *
 * The runner builds the data set once (fill), then gives each worker a
 * private view of it from the strategy under test and calls work() in the
 * worker: a thread or a forked child, pinned. work() verifies what it reads,
 * so a strategy that serves wrong data fails its cell instead of reporting a
 * fast time.
 */
#ifndef ALLOCLAB_WORKLOAD_H
#define ALLOCLAB_WORKLOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "allocator.h"

#define WORKLOAD_ERR_LEN 600
#define WORKLOAD_MAX_WORKERS 256
#define WORKLOAD_MAX_STEPS 64
#define WORKLOAD_MAX_RESULTS 8

enum pattern { PATTERN_SEQ, PATTERN_RANDOM }; /* the choices of KNOB_PATTERN, in order */

/* VIEWS: each worker gets a private view of a data set (every strategy).
 * HEAP: workers call the strategy's heap directly (heap strategies only;
 * a copy-on-write strategy's cell is reported not applicable). */
enum workload_kind { WORKLOAD_VIEWS, WORKLOAD_HEAP };

/* ---- results ---- */
enum result_merge { MERGE_SUM, MERGE_MAX }; /* how the workers' values make the cell's */

struct result_def {
    const char *name; /* the CSV column */
    const char *unit;
    enum result_merge merge;
    const char *help;
};

/* ---- bench cells ---- */
enum profile_id { PROFILE_TEST, PROFILE_QUICK, PROFILE_DEFAULT, PROFILE_FULL, PROFILE_COUNT };

enum plan_strategies {
    PLAN_EVERY,       /* every strategy (a heap workload on one without a heap: one not-applicable row) */
    PLAN_COPY_ON_WRITE,          /* the strategies with a copy service of their own */
    PLAN_COPY_ON_WRITE_BASELINE, /* those, and system_malloc */
    PLAN_BASELINE_ONLY,          /* system_malloc alone (a control cell, say) */
    PLAN_PACKAGED, /* those with a packaged form (allocator.h's packaged): system_malloc and the references */
    PLAN_OWN_BASELINE, /* those without one (alloclab's own strategies), and system_malloc */
};

/* Settings are "name=value" words: the workload's knobs, and thp, pin or
 * model (threads|processes; a strategy whose workers must be processes, such
 * as fork_cow, has no threads cell). A comma list sweeps
 * ("write-fraction=0,0.5,1"; several lists: every combination). workers=all
 * is every usable processing unit; workers=1..all sweeps up to it, sized to
 * the machine: the powers of two and the counts where the topology changes
 * (plan.h), not every count (the bench never oversubscribes: more is
 * capped, and a count the cap repeats is one cell). A count knob written
 * N/workers ("ops=20000000/workers") is a total the cell's workers share,
 * so that a sweep's work stays bounded. size=N% is N% of MemAvailable
 * shared by the data set and each worker's copy. size=profile and
 * workers=profile are the profile's own scale for a data set every worker
 * copies (4M, 16M, 32M, 64M; 2 workers, 8 in full). pin=compact|cross|
 * scatter|none places the workers (topo.h). */
struct bench_plan {
    const char *group;                   /* how the report, claims and figures find these cells */
    enum plan_strategies strategies;
    const char *every;                   /* settings for every profile that has this plan */
    const char *profile[PROFILE_COUNT];  /* per profile; NULL: no cells in that profile */
    /* past the memory guard ((workers + 1) x size over 80% of MemAvailable) a cell is left out (a sweep that
     * must keep its size); otherwise its size is scaled down to fit. Either is said in meta.txt. */
    bool drop_too_big;
    bool numa; /* cells only where the usable units span two NUMA nodes or more (pin=cross: remote frees) */
};

/* a plan's settings for the test, quick, default and full profiles */
#define PER_PROFILE(test, quick, dflt, full)                                                                       \
    {[PROFILE_TEST] = test, [PROFILE_QUICK] = quick, [PROFILE_DEFAULT] = dflt, [PROFILE_FULL] = full}

/* ---- one worker ---- */
enum lat_kind { LAT_ALLOC, LAT_FREE, LAT_KINDS };
struct lat_samples {
    uint64_t *ns;
    size_t cap, n;
};

struct worker_ctx {
    int index;                         /* 0..workers-1 */
    int workers;
    const union param_value *knob;     /* this cell's knob values, in the table's order */
    struct view *view;                 /* this worker's private view (VIEWS) */
    const struct allocator *strategy;  /* the heap under test (HEAP) */
    const char *options;               /* its options as given ("k=v,..."); NULL: its defaults */
    void *self;
    /* call after each of `steps` steps (0: before the first); returns once
     * the runner has sampled memory (timeline.csv) */
    void (*step_done)(struct worker_ctx *ctx, int step, int steps);
    void *runner_state;
    /* HEAP: other workers' contexts, for handing blocks across threads */
    struct worker_ctx *peers;
    void *exchange;                    /* owned by the workload */
    /* latency samples in ns, allocations and frees apart: room given by the
     * runner, filled by the workload, which also says the finest step its
     * timer can tell (NA: latency not measured) */
    struct lat_samples lat[LAT_KINDS];
    double lat_resolution_ns;
    /* The harness-free control (a workload with .plain_loop): the same
     * operations on the C library's malloc and free, called directly, with
     * no stamps: what the harness costs is the strategy's cell over this. */
    bool plain_loop;
    /* the figures of the workload's kind */
    uint64_t pages_written;            /* VIEWS: data pages this worker wrote */
    uint64_t ops;                      /* HEAP: heap operations */
    double result[WORKLOAD_MAX_RESULTS]; /* the workload's own results; NA until set */
    char err[WORKLOAD_ERR_LEN];
};

struct workload {
    const char *name;
    const char *summary;  /* one line */
    enum workload_kind kind;
    /* HEAP: work() honours ctx->plain_loop, and the bench gives each of its
     * groups that has system_malloc a plain_loop cell beside it */
    bool plain_loop;
    const struct param *knobs;
    const struct result_def *results; /* {0}-terminated; NULL: none */
    const struct bench_plan *plan;    /* {0}-terminated; NULL: never in a bench */
    /* fill the data set with real content (VIEWS); 0 or -1 with err */
    int (*fill)(const union param_value *knob, void *base, size_t size, char err[WORKLOAD_ERR_LEN]);
    /* one worker's measured work; 0, or -1 with ctx->err */
    int (*work)(struct worker_ctx *ctx);
    /* optional (VIEWS): true when, for these knob values, the cell is a
     * control that takes no view: each worker's ctx->view is then the data
     * set itself, shared by every worker, which work() must only read */
    bool (*shares_data)(const union param_value *knob);
    /* optional: refuse a combination of knob values (or of knobs and the
     * strategy) that no cell can run, before anything runs: `run` says why
     * in one line and exits 2, and a bench plan asking for it is refused;
     * 0, or -1 with err. prepare() calls it again for cells built elsewhere. */
    int (*validate)(const union param_value *knob, int workers, const struct allocator *strategy,
                    char err[WORKLOAD_ERR_LEN]);
    /* optional: set up / tear down shared state for all workers (outside
     * the measured phase, before the strategy is created: what it allocates
     * is the harness's, not the heap's); 0 or -1 with err */
    int (*prepare)(const union param_value *knob, struct worker_ctx *ctxs, int n, char err[WORKLOAD_ERR_LEN]);
    void (*finish)(struct worker_ctx *ctxs, int n);
    /* optional: the seconds of the measured phase for these knobs and
     * workers, for the bench's time estimate (runner/estimate.c): a model on
     * the reference run's wall times (README: the time estimate); NULL: a
     * tenth of a second */
    double (*estimate)(const union param_value *knob, int workers);
};

extern const struct workload *const workload_registry[];
const struct workload *workload_find(const char *name);

static inline size_t workload_nresults(const struct workload *w)
{
    size_t n = 0;
    while (w->results && w->results[n].name)
        n++;
    return n;
}

/* ---- the knobs most workloads share, declared alike ---- */
#define KNOB_WORKERS(d)                                                                                            \
    {.name = "workers", .type = PARAM_COUNT, .def = d, .min = 1, .max = WORKLOAD_MAX_WORKERS,                       \
     .help = "workers, each pinned to a processing unit (threads, or processes with --model processes)"}
#define KNOB_SEED                                                                                                  \
    {.name = "seed", .type = PARAM_COUNT, .def = "1", .min = 0, .max = (double)(1ull << 62),                        \
     .help = "seed of every random choice"}
#define KNOB_SIZE(d)                                                                                               \
    {.name = "size", .type = PARAM_SIZE, .def = d, .min = PAGE_BYTES, .max = (double)(1ull << 40),                 \
     .multiple = PAGE_BYTES, .help = "bytes in the data set each worker takes a private view of"}
#define KNOB_WRITE_FRACTION(d)                                                                                     \
    {.name = "write-fraction", .type = PARAM_FRACTION, .def = d, .min = 0, .max = 1,                               \
     .help = "fraction of the data set's pages each worker writes"}
#define KNOB_PATTERN                                                                                               \
    {.name = "pattern", .type = PARAM_CHOICE, .def = "seq", .choices = "seq|random",                                \
     .help = "order of the pages written: spread evenly, or a random permutation"}

/* ---- the time estimate's model, the same for every workload ----
 * One worker's time on the reference machine (the 2-core VM of
 * results/reference), and what more workers cost there: each adds c of it,
 * c being the reference's wall time at 2 workers over 1, less 1, averaged
 * over the strategies (a lock every worker takes gives a large c, work
 * each does alone a small one). On many units this is an extrapolation:
 * it errs long where the strategies scale, as most do. */
static inline double estimate_contended(double one, double c, int workers)
{
    return one * (1 + c * (workers > 1 ? workers - 1 : 0));
}
static inline double estimate_pages(uint64_t size) { return (double)size / PAGE_BYTES; }

/* ---- helpers the workloads share ---- */

/* Exactly round(fraction x pages) pages: the count every workload writes. */
static inline uint64_t pages_to_write(double fraction, uint64_t pages)
{
    return (uint64_t)(fraction * (double)pages + 0.5);
}

/* The i-th page of a write order over `pages` pages. Sequential: 0, 1, 2...
 * spread evenly when only some are written. Random: a fixed permutation
 * (i * stride + offset mod pages, stride coprime with pages) so no page
 * repeats and no memory is needed to remember which were written. */
static inline uint64_t gcd_u64(uint64_t a, uint64_t b)
{
    while (b) {
        uint64_t t = a % b;
        a = b;
        b = t;
    }
    return a;
}

struct page_order {
    uint64_t pages, count, stride, offset;
    enum pattern pattern;
};

static inline struct page_order page_order_make(uint64_t pages, uint64_t count, enum pattern pattern, uint64_t seed)
{
    struct page_order o = {pages, count, 1, 0, pattern};
    if (pattern == PATTERN_RANDOM && pages > 1) {
        uint64_t s = (seed * 0x9e3779b97f4a7c15ull) | 1;
        o.stride = s % pages;
        while (o.stride == 0 || gcd_u64(o.stride, pages) != 1)
            o.stride = (o.stride + 1) % pages;
        o.offset = (seed >> 7) % pages;
    }
    return o;
}

static inline uint64_t page_order_at(const struct page_order *o, uint64_t i)
{
    if (o->pattern == PATTERN_RANDOM)
        return (i * o->stride + o->offset) % o->pages;
    /* sequential, evenly spread: page floor(i * pages / count) */
    return o->count ? (uint64_t)((__uint128_t)i * o->pages / o->count) : 0;
}

static inline uint64_t splitmix64(uint64_t *state)
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

#endif
