/*
 * C9 - with copy-on-write, readers never take the lock;
 * "the only synchronization point is the reference-count update (often an
 * atomic increment), which is far cheaper than a mutex".
 *
 * From shared_object's cells on system_malloc (group shared). Reads count
 * over the whole wall time (every worker's reads over the cell's wall
 * time), never over a worker's time between its own writes: with writes, a
 * worker's write time holds its wait for the others' copies, and the reads
 * left would run mostly while another worker writes. The claim is about the
 * reader's cost, so it is decided at write rate 0, where there is nothing
 * else: at each thread count, reference-counted readers' reads over mutex
 * readers', with an interval. At the other write rates the same ratio is
 * shown apart, with each write's cost (a copy of the object for refcount),
 * and decides nothing. Beside it: the ratio over rwlock, rcu's over
 * refcount, and refcount's reads at the most threads over at one (below 1:
 * more readers, fewer reads: the count is the bottleneck).
 */
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "groups.h"
#include "judges.h"
#include "strategy_names.h"

#define MAX_POINTS 32
#define MAX_REPS 256

static void threshold_text(const struct claim *c, char *buf, size_t len)
{
    snprintf(buf, len, "holds if, with no writes, reference-counted readers read >= %gx as fast as mutex readers over "
                       "the whole wall time at every thread count (\"far cheaper\"); holds only when surely at some and "
                       "surely not at others; does not hold if surely at none%s",
             c->threshold, CLAIM_INTERVAL_RULE);
}

static void either_way(const struct claim *c, char *buf, size_t len)
{
    snprintf(buf, len, "it would hold on refcount readers' reads over mutex readers', with no writes, wholly at or "
                       "over %gx at every thread count; it would fail on that ratio wholly under %gx at every thread "
                       "count",
             c->threshold, c->threshold);
}

static long cell(const struct run_folder *run, const char *sync, double workers, double rate)
{
    char where[128];
    snprintf(where, sizeof where, "sync=%s workers=%g write_rate=%g", sync, workers, rate);
    return run_find(run, GROUP_SHARED, STRATEGY_SYSTEM_MALLOC, "shared_object", where);
}

/* every worker's reads over the cell's wall time, per repetition; how many */
static int reads_over_wall(const struct run_folder *run, long row, double *out)
{
    int n = run_reps(run, row, "wall_ns", out, MAX_REPS);
    double reads = row >= 0 ? csv_num(&run->summary, (size_t)row, "reads") *
                                  csv_num(&run->summary, (size_t)row, "workers")
                            : NAN;
    for (int i = 0; i < n; i++)
        out[i] = reads / (out[i] / 1e9);
    return isnan(reads) ? 0 : n;
}

/* row a's reads over the whole wall over row b's, with its interval */
static struct interval over(const struct run_folder *run, long a, long b)
{
    static double va[MAX_REPS], vb[MAX_REPS];
    int na = reads_over_wall(run, a, va), nb = reads_over_wall(run, b, vb);
    if (!na || !nb)
        return (struct interval){NA, NA, NA};
    return interval_ratio(va, na, vb, nb);
}

struct point {
    double workers, rate;
    long refcount, mutex; /* summary rows */
    struct interval over_mutex, over_rwlock, rcu_over;
};

static int points_of(const struct run_folder *run, struct point out[MAX_POINTS])
{
    double workers[16], rates[16];
    int nw = run_values(run, GROUP_SHARED, "workers", workers, 16);
    int nr = run_values(run, GROUP_SHARED, "write_rate", rates, 16), n = 0;
    for (int r = 0; r < nr; r++)
        for (int w = 0; w < nw && n < MAX_POINTS; w++) {
            long rc = cell(run, "refcount", workers[w], rates[r]), mx = cell(run, "mutex", workers[w], rates[r]);
            if (rc < 0 || mx < 0)
                continue;
            out[n++] = (struct point){workers[w], rates[r], rc, mx, over(run, rc, mx),
                                      over(run, rc, cell(run, "rwlock", workers[w], rates[r])),
                                      over(run, cell(run, "rcu", workers[w], rates[r]), rc)};
        }
    return n;
}

/* "1 thr: 0.54x [0.5-0.6]" for each point at write rate 0 (writes: the others), of one ratio */
static void list_ratios(const struct point *p, int n, bool writes, size_t field, bool brief, char *buf, size_t len)
{
    size_t used = 0;
    buf[0] = '\0';
    for (int i = 0; i < n && used < len; i++) {
        if ((p[i].rate > 0) != writes)
            continue;
        char x[96], rate[32] = "";
        const struct interval *r = (const struct interval *)((const char *)&p[i] + field);
        if (brief)
            snprintf(x, sizeof x, "%.2fx", r->value);
        else
            judge_show(*r, "%.2fx", x, sizeof x);
        if (writes)
            snprintf(rate, sizeof rate, ", w %g", p[i].rate);
        used += (size_t)snprintf(buf + used, len - used, "%s%g thr%s: %s", used ? "; " : "", p[i].workers, rate, x);
    }
}

/* With writes, apart: the whole-wall ratio and what a write cost each. */
static void writes_text(const struct run_folder *run, const struct point *p, int n, char *buf, size_t len)
{
    char ratios[400];
    list_ratios(p, n, true, offsetof(struct point, over_mutex), false, ratios, sizeof ratios);
    size_t used = (size_t)snprintf(buf, len, "%s", ratios[0] ? " With writes (deciding nothing; each refcount write "
                                                                "copies the object), over the whole wall: "
                                                              : "");
    if (!ratios[0])
        return;
    used += (size_t)snprintf(buf + used, len - used, "%s; a write's median, refcount against mutex:", ratios);
    for (int i = 0, k = 0; i < n && used < len; i++)
        if (p[i].rate > 0)
            used += (size_t)snprintf(buf + used, len - used, "%s %g thr, w %g: %.0f against %.0f ns", k++ ? ";" : "",
                                     p[i].workers, p[i].rate, run_median(run, p[i].refcount, "write_p50_ns"),
                                     run_median(run, p[i].mutex, "write_p50_ns"));
    if (used < len)
        snprintf(buf + used, len - used, ".");
}

/* refcount's and rcu's reads at the most threads over at 1, no writes */
static void bottleneck_text(const struct run_folder *run, const struct point *p, int n, char *buf, size_t len)
{
    double most = 1;
    for (int i = 0; i < n; i++)
        most = fmax(most, p[i].workers);
    struct interval rc = over(run, cell(run, "refcount", most, 0), cell(run, "refcount", 1, 0));
    struct interval rcu = over(run, cell(run, "rcu", most, 0), cell(run, "rcu", 1, 0));
    char a[96], b[96];
    if (most < 2 || isnan(rc.value) || isnan(rcu.value)) {
        snprintf(buf, len, " Scaling was not measured (one thread, or no write-rate 0 cells).");
        return;
    }
    judge_show(rc, "%.2fx", a, sizeof a);
    judge_show(rcu, "%.2fx", b, sizeof b);
    enum side s = interval_side(rc, 1.0);
    snprintf(buf, len, " From 1 to %g threads with no writes, refcount's reads changed %s, rcu's %s: %s.", most, a, b,
             s == SIDE_BELOW   ? "the shared count is the bottleneck (more readers, fewer reads)"
             : s == SIDE_ABOVE ? "the count did not stop readers from scaling here"
                               : "too close to tell whether the count is the bottleneck");
}

static void judge(const struct run_folder *run, struct judgement *c)
{
    struct point p[MAX_POINTS];
    int n = points_of(run, p), deciding = 0, above = 0, below = 0;
    for (int i = 0; i < n; i++) {
        if (p[i].rate > 0)
            continue;
        enum side s = judge_side(c, p[i].over_mutex, c->claim->threshold, p[i].refcount, p[i].mutex);
        deciding++;
        above += s == SIDE_ABOVE;
        below += s == SIDE_BELOW;
    }
    if (!deciding)
        return judge_say(c, VERDICT_NA, "shared_object was not measured with sync=refcount and sync=mutex at write "
                                        "rate 0");
    char mutex[400], rwlock[300], rcu[300], writes[700], tail[400];
    list_ratios(p, n, false, offsetof(struct point, over_mutex), false, mutex, sizeof mutex);
    list_ratios(p, n, false, offsetof(struct point, over_rwlock), true, rwlock, sizeof rwlock);
    list_ratios(p, n, false, offsetof(struct point, rcu_over), true, rcu, sizeof rcu);
    writes_text(run, p, n, writes, sizeof writes);
    bottleneck_text(run, p, n, tail, sizeof tail);
    /* some points far cheaper and others surely not: only when; one across 2x leaves it open */
    enum verdict v = above == deciding ? VERDICT_HOLDS : below == deciding ? VERDICT_NOT
                   : above && below   ? VERDICT_ONLY_WHEN
                                      : VERDICT_INCONCLUSIVE;
    judge_say(c, v, "with no writes, refcount readers' reads over mutex readers', over the whole wall time: %s. Over "
                    "rwlock: %s. rcu over refcount: %s.%s%s",
              mutex, rwlock, rcu, writes, tail);
}

const struct claim claim_C9 = {
    .name = "C9",
    .quote = "with copy-on-write \"readers never need to acquire the allocator's lock ... the only synchronization "
             "point is the reference-count update (often an atomic increment), which is far cheaper than a mutex\"",
    .experiment = "shared_object on system_malloc: every worker reads a 64 KiB object (4 random pairs of words, "
                  "checked) and writes it now and then; sync=mutex, rwlock, refcount (copy-on-write by reference "
                  "count) and rcu (liburcu), at 1..PUs threads and each write rate: every worker's reads over the "
                  "cell's whole wall time; decided with no writes (the reader's cost alone), the write rates above "
                  "shown apart with each write's cost",
    .figure = "fig_l_shared_object",
    .reads = {GROUP_SHARED},
    .threshold = 2, /* "far cheaper": reference-counted readers' reads/s over a mutex's */
    .threshold_text = threshold_text,
    .either_way = either_way,
    .judge = judge,
    .caveats = "A reference count alone cannot make loading the pointer safe: refcount takes a lock bit in the "
               "pointer word around the load and the increment, as libstdc++'s atomic<shared_ptr> does, so a read "
               "writes one shared cache line three times. A write copies 64 KiB, so readers then read memory another "
               "core wrote.",
};
