/*
 * C6 - fork shares pages, "eliminating any allocation cost for the child".
 *
 * fork() is not free: the child gets its own page tables, and every page's
 * reference count is raised. Whether that is "eliminating" the allocation
 * is a question of scale, so the claim weighs fork against the allocation
 * it replaces, in the same run (fork_cost, group fork): a repeated fork's
 * cost per GiB of private memory against an eager copy's provisioning per
 * GiB (the best eager strategy's, the copy a child would otherwise get),
 * both as slopes between the smallest and the largest size, so that what
 * every fork or copy pays whatever its size drops out. The ratio has a
 * bootstrap interval over both cells' repetitions at the largest size.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "groups.h"
#include "judges.h"
#include "strategy_names.h"

#define REPS 256

static void threshold_text(const struct claim *c, char *buf, size_t len)
{
    snprintf(buf, len, "holds if a repeated fork costs, per GiB of private memory, surely under %g%% of what an eager "
                       "copy of the same GiB costs to provision (the allocation it replaces; slopes over the sizes "
                       "measured); does not hold if surely %g%% or more%s",
             100 * c->threshold, 100 * c->threshold, CLAIM_INTERVAL_RULE);
}

static void either_way(const struct claim *c, char *buf, size_t len)
{
    snprintf(buf, len, "it would hold on a repeated fork's cost per GiB wholly under %g%% of an eager copy's; it would "
                       "fail on it wholly at or over %g%% (a host whose page faults are cheap makes the copy cheaper, "
                       "and the fork a larger share of it)",
             100 * c->threshold, 100 * c->threshold);
}

/* The fork group's rows of one strategy at its smallest and largest size. */
static void fork_rows(const struct run_folder *run, const char *strategy, long *small, long *big)
{
    const struct csv *s = &run->summary;
    *small = *big = -1;
    for (size_t i = 0; i < s->nrows; i++) {
        if (strcmp(csv_text(s, i, "group"), GROUP_FORK) || strcmp(csv_text(s, i, "strategy"), strategy) ||
            strcmp(csv_text(s, i, "status"), "ok"))
            continue;
        double size = csv_num(s, i, "size_bytes");
        if (*big < 0 || size > csv_num(s, (size_t)*big, "size_bytes"))
            *big = (long)i;
        if (*small < 0 || size < csv_num(s, (size_t)*small, "size_bytes"))
            *small = (long)i;
    }
}

/* A figure's cost per GiB of `per` (a figure in KiB, or "size_bytes"), as
 * the slope from the smallest size's median to each repetition at the
 * largest size, in ms per GiB; how many (0: not two sizes). */
static int slope(const struct run_folder *run, long small, long big, const char *figure, const char *per,
                 double *out)
{
    if (small < 0 || small == big)
        return 0;
    double gib = !strcmp(per, "size_bytes")
                     ? (csv_num(&run->summary, (size_t)big, per) - csv_num(&run->summary, (size_t)small, per)) /
                           (1 << 30)
                     : (run_median(run, big, per) - run_median(run, small, per)) / (1 << 20);
    int n = gib > 0 ? run_reps(run, big, figure, out, REPS) : 0;
    for (int i = 0; i < n; i++)
        out[i] = (out[i] - run_median(run, small, figure)) / 1e6 / gib;
    return n;
}

/* The eager strategy whose provisioning costs least per GiB: its slope. */
static int eager_slope(const struct run_folder *run, const char **name, double *out)
{
    const char *eager[RUN_MAX_STRATEGIES];
    int ne = run_strategies(run, KIND_EAGER, eager, RUN_MAX_STRATEGIES), best_n = 0;
    static double v[REPS];
    double best = NAN;
    *name = "?";
    for (int k = 0; k < ne; k++) {
        long small, big;
        fork_rows(run, eager[k], &small, &big);
        int n = slope(run, small, big, "provision_ns", "size_bytes", v);
        struct interval m = interval_median(v, n);
        if (n && (isnan(best) || m.value < best)) {
            best = m.value, best_n = n, *name = eager[k];
            memcpy(out, v, (size_t)n * sizeof *v);
        }
    }
    return best_n;
}

static void judge(const struct run_folder *run, struct judgement *c)
{
    static double fork[REPS], copy[REPS], views[REPS];
    long small, big, vsmall, vbig;
    fork_rows(run, STRATEGY_FORK_COW, &small, &big);
    fork_rows(run, STRATEGY_MPROTECT_COW, &vsmall, &vbig);
    const char *eager;
    int nf = slope(run, small, big, "fork_ns", "fork_private_kib", fork);
    int ne = eager_slope(run, &eager, copy);
    int nv = slope(run, vsmall, vbig, "fork_ns", "fork_private_kib", views);
    if (!nf || !ne)
        return judge_say(c, VERDICT_NA, "fork_cost was not measured at two sizes on fork_cow and an eager copy");
    struct interval share = interval_ratio(fork, nf, copy, ne);
    long eager_big, eager_small;
    fork_rows(run, eager, &eager_small, &eager_big);
    enum side side = judge_side(c, share, c->claim->threshold, big, eager_big);
    char f[128], e[128], s[128], v[128];
    judge_show(interval_median(fork, nf), "%.2f", f, sizeof f);
    judge_show(interval_median(copy, ne), "%.0f", e, sizeof e);
    judge_show((struct interval){100 * share.value, 100 * share.lo, 100 * share.hi}, "%.2f%%", s, sizeof s);
    judge_show(interval_median(views, nv), "%.2f", v, sizeof v);
    double size_mib = csv_num(&run->summary, (size_t)big, "size_bytes") / (1 << 20);
    enum verdict verdict = side == SIDE_BELOW ? VERDICT_HOLDS : side == SIDE_ABOVE ? VERDICT_NOT : VERDICT_INCONCLUSIVE;
    char said[96];
    snprintf(said, sizeof said, verdict == VERDICT_HOLDS ? ": surely under %g%%, the allocation as good as gone"
                                : verdict == VERDICT_NOT ? ": surely %g%% or more, a cost the child still pays"
                                                         : ": not surely either side of %g%%",
             100 * c->claim->threshold);
    judge_say(c, verdict,
              "a repeated fork() of fork_cow's worker cost %s ms per GiB of private memory, %s of the %s ms per GiB "
              "an eager copy (%s's) took to provision the same view (slopes up to %.0f MiB)%s. Not free: the "
              "child gets its own page tables (the first fork took %.1f ms at %.0f MiB, write-protecting every "
              "page). mprotect_cow's views, private mappings too, forked at %s ms per GiB",
              f, s, e, eager, size_mib, said, run_median(run, big, "fork_first_ns") / 1e6, size_mib, v);
}

const struct claim claim_C6 = {
    .name = "C6",
    .quote = "fork shares pages, \"eliminating any allocation cost for the child\"",
    .experiment = "fork_cost over sizes: a repeated fork() of fork_cow's worker (private anonymous memory) against "
                  "the private memory of the forking process, weighed against an eager copy's provisioning of the "
                  "same view (the allocation fork replaces), each as a slope per GiB; mprotect_cow's views (private "
                  "file mappings of a memfd) and the first fork beside it",
    .figure = "fig_g_fork",
    .reads = {GROUP_FORK},
    .threshold = 0.01, /* fork's cost per GiB over an eager copy's: "eliminating" the allocation under it */
    .threshold_text = threshold_text,
    .either_way = either_way,
    .judge = judge,
    .caveats = "The child still gets its own page tables (about 2 MiB per GiB of 4 KiB pages); huge pages shrink "
               "them.",
};
