/*
 * judge_c9.c - claim C9: with copy-on-write, readers never take the lock;
 * "the only synchronization point is the reference-count update (often an
 * atomic increment), which is far cheaper than a mutex".
 *
 * From shared_object's cells on system_malloc (group shared): at each thread
 * count and write rate, reference-counted readers' reads per second over
 * mutex readers', with an interval; the same over rwlock and of rcu over
 * refcount, for the text. And where the count is the bottleneck: refcount's
 * reads per second at the most threads over at one, with no writes, beside
 * rcu's (whose readers write nothing shared).
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "groups.h"
#include "interval.h"
#include "judges.h"

#define T claim_thresholds
#define MAX_POINTS 32
#define FIG "reads_per_sec"

static long cell(const struct run_folder *run, const char *sync, double workers, double rate)
{
    char where[128];
    snprintf(where, sizeof where, "sync=%s workers=%g write_rate=%g", sync, workers, rate);
    return run_find(run, GROUP_SHARED, "system_malloc", "shared_object", where);
}

struct point {
    double workers, rate;
    long refcount, mutex; /* summary rows */
    struct interval over_mutex, over_rwlock, rcu_over;
};

static int points_of(const struct run_folder *run, struct point out[MAX_POINTS])
{
    double workers[16], rates[16];
    int nw = run_values(run, GROUP_SHARED, "workers", workers, 16), nr = run_values(run, GROUP_SHARED, "write_rate",
                                                                                     rates, 16);
    int n = 0;
    for (int r = 0; r < nr; r++)
        for (int w = 0; w < nw && n < MAX_POINTS; w++) {
            long rc = cell(run, "refcount", workers[w], rates[r]), mx = cell(run, "mutex", workers[w], rates[r]);
            if (rc < 0 || mx < 0)
                continue;
            out[n++] = (struct point){workers[w], rates[r], rc, mx, run_ratio(run, rc, FIG, mx, FIG),
                                      run_ratio(run, rc, FIG, cell(run, "rwlock", workers[w], rates[r]), FIG),
                                      run_ratio(run, cell(run, "rcu", workers[w], rates[r]), FIG, rc, FIG)};
        }
    return n;
}

/* "2 threads, write-rate 0.01: 0.54x [0.5-0.6]" for each point, of one ratio */
static void list_ratios(const struct point *p, int n, size_t field, bool brief, char *buf, size_t len)
{
    size_t used = 0;
    buf[0] = '\0';
    for (int i = 0; i < n && used < len; i++) {
        char x[96];
        const struct interval *r = (const struct interval *)((const char *)&p[i] + field);
        if (brief)
            snprintf(x, sizeof x, "%.2fx", r->value);
        else
            judge_show(*r, "%.2fx", x, sizeof x);
        used += (size_t)snprintf(buf + used, len - used, "%s%g thr, w %g: %s", i ? "; " : "", p[i].workers, p[i].rate,
                                 x);
    }
}

/* refcount's and rcu's reads/s at the most threads over at 1, no writes */
static void bottleneck_text(const struct run_folder *run, const struct point *p, int n, char *buf, size_t len)
{
    double most = 1;
    for (int i = 0; i < n; i++)
        most = fmax(most, p[i].workers);
    long rc1 = cell(run, "refcount", 1, 0), rcn = cell(run, "refcount", most, 0);
    long rcu1 = cell(run, "rcu", 1, 0), rcun = cell(run, "rcu", most, 0);
    struct interval rc = run_ratio(run, rcn, FIG, rc1, FIG), rcu = run_ratio(run, rcun, FIG, rcu1, FIG);
    char a[96], b[96];
    if (most < 2 || isnan(rc.value) || isnan(rcu.value)) {
        snprintf(buf, len, " Scaling was not measured (one thread, or no write-rate 0 cells).");
        return;
    }
    judge_show(rc, "%.2fx", a, sizeof a);
    judge_show(rcu, "%.2fx", b, sizeof b);
    enum side s = interval_side(rc, 1.0);
    snprintf(buf, len,
             " From 1 to %g threads with no writes, refcount's reads/s changed %s, rcu's %s: %s.", most, a, b,
             s == SIDE_BELOW   ? "the shared count is the bottleneck (more readers, fewer reads)"
             : s == SIDE_ABOVE ? "the count did not stop readers from scaling here"
                               : "too close to tell whether the count is the bottleneck");
}

void judge_c9(const struct run_folder *run, struct claim *c)
{
    struct point p[MAX_POINTS];
    int n = points_of(run, p);
    if (n == 0)
        return judge_say(c, VERDICT_NA, "shared_object was not measured with sync=refcount and sync=mutex");
    int above = 0, below = 0;
    for (int i = 0; i < n; i++) {
        enum side s = judge_side(c, p[i].over_mutex, T.c9_far, p[i].refcount, p[i].mutex);
        above += s == SIDE_ABOVE;
        below += s == SIDE_BELOW;
    }
    char mutex[400], rwlock[300], rcu[300], tail[400];
    list_ratios(p, n, offsetof(struct point, over_mutex), false, mutex, sizeof mutex);
    list_ratios(p, n, offsetof(struct point, over_rwlock), true, rwlock, sizeof rwlock);
    list_ratios(p, n, offsetof(struct point, rcu_over), true, rcu, sizeof rcu);
    bottleneck_text(run, p, n, tail, sizeof tail);
    enum verdict v = above == n ? VERDICT_HOLDS : below == n ? VERDICT_NOT : above > 0 ? VERDICT_ONLY_WHEN
                                                                                       : VERDICT_INCONCLUSIVE;
    judge_say(c, v, "refcount readers' reads/s over mutex readers' (thr: threads, w: write-rate): %s. Over rwlock: "
                    "%s. rcu over refcount: %s.%s",
              mutex, rwlock, rcu, tail);
}
