/*
 * claims.c - the claims that motivated the suite, judged on this machine.
 *
 * Each claim gets a short quotation, the experiment that tests it, the
 * figure that shows it, the threshold that decides, a verdict computed from
 * the run's own CSV files, and its caveats. Missing data gives NA, never a
 * verdict. `alloclab claims [RUN_DIR]` rebuilds claims.md for any run.
 */
#include "claims.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "allocator.h"
#include "cli.h"
#include "groups.h"
#include "results.h"
#include "judges.h"
#include "resolution.h"
#include "runfolder.h"

#define T claim_thresholds


const char *verdict_name(enum verdict v)
{
    switch (v) {
    case VERDICT_HOLDS: return "holds";
    case VERDICT_NOT: return "does not hold";
    case VERDICT_ONLY_WHEN: return "holds only when";
    case VERDICT_INCONCLUSIVE: return "inconclusive";
    case VERDICT_FINDING: return "a finding, no verdict";
    default: return "NA (not measured)";
    }
}


static const struct claim templates[NCLAIMS] = {
    {"C1", "\"order-of-magnitude speedups for read-heavy workloads\"",
     "read_heavy over lookups per copy on every strategy, and a control (the same lookups on the shared original, "
     "no view): the best copy-on-write strategy's wall time against the best eager copy's at each count",
     "fig_i_lookups", "",
     "A worker forked per request serves few lookups from its snapshot, a long-lived one millions: the copy's "
     "cost is diluted by the lookups. fork_cow's fork counts as its provisioning; first accesses to inherited or "
     "aliased pages land in its work, beyond the control's (the report splits both).",
     VERDICT_NA, "", {0}, 0, NULL},
    {"C2", "\"naive deep copy ~1.8 s, COW-simulated ~0.4 s\" (10,000,000 ints, 10,000 reads, one write)",
     "the documents' benchmark in C, in rounds (c2.csv, every repetition): deep copy before the reads; real "
     "copy-on-write of the same array with fork_cow (a forked child reads and writes; its fork, its first reads "
     "of inherited pages, its one page copied and its exit timed) and mprotect_cow (a view); and the documents' "
     "own 'simulated' version (the copy after the reads)",
     "c2.csv", "",
     "Both of the documents' own variants copy the whole array: their 4.5x cannot come from copy-on-write, so "
     "the claim is judged on real copy-on-write instead. In C the 10,000 reads take microseconds; the documents' "
     "seconds suggest an interpreter's overheads.",
     VERDICT_NA, "", {0}, 0, NULL},
    {"C3", "\"lock contention can account for up to 30% of total CPU time\"",
     "churn on locked_freelist at 1..PUs threads: operations per CPU-second (task clock) against 1 thread, with "
     "the time off a CPU (any: blocked, or waiting for one) and the share of operations that found the lock taken "
     "beside it",
     "fig_d_churn_scaling", "",
     "CPU time includes spinning and the unlock's wake-ups; off-CPU time is any time off a CPU, blocked on the "
     "lock or waiting for one. The lock is not timed (a clock read while holding it would lengthen every hold). "
     "Two cores bound the contention this machine can show. A verdict would need a workload that does work "
     "between allocations, with the share of its CPU time in the lock measured: not this loop.",
     VERDICT_NA, "", {0}, 0, NULL},
    {"C4", "\"if a workload writes to almost every shared page, the copy-on-write penalty can outweigh its "
           "benefits\"",
     "write_heavy over write fractions 0..1 on every strategy: the first fraction where copy-on-write is no "
     "faster than the best eager copy",
     "fig_b_crossover", "",
     "Sequential writes; random order costs the eager copies nothing more but adds mappings for mprotect_cow.",
     VERDICT_NA, "", {0}, 0, NULL},
    {"C5", "\"physical memory consumption can spike dramatically\" under overcommit",
     "overcommit: N workers take copy-on-write views of S bytes, then write them in steps; PSS is sampled "
     "after each step (timeline.csv)",
     "fig_c_overcommit", "",
     "PSS is summed over every process; RSS would count the shared pages N+1 times. Strict overcommit charges "
     "the whole writable size at fork, shared or not. A verdict would need an experiment whose writes are not "
     "every page, weighed against what strict overcommit would have charged: not this one.",
     VERDICT_NA, "", {0}, 0, NULL},
    {"C6", "fork shares pages, \"eliminating any allocation cost for the child\"",
     "fork_cost over sizes: a repeated fork() of fork_cow's worker (private anonymous memory) against the private "
     "memory of the forking process, weighed against an eager copy's provisioning of the same view (the "
     "allocation fork replaces), each as a slope per GiB; mprotect_cow's views (private file mappings of a memfd) "
     "and the first fork beside it",
     "fig_g_fork", "",
     "The child still gets its own page tables (about 2 MiB per GiB of 4 KiB pages); huge pages shrink them.",
     VERDICT_NA, "", {0}, 0, NULL},
    {"C7", "block sub-allocation gives \"predictable latency, minimal fragmentation\"",
     "churn at 1 thread over a window sweep (group frag: live sets from a heap's first slab to many of its "
     "reservation units): at every window, block_suballoc's p99.9 latency of allocations, of frees (from the "
     "1-thread churn cell with the most operations there) and its fragmentation (peak reserved over peak live), "
     "each against the best other heap's at that window",
     "fig_e_churn_latency", "",
     "Latencies are sampled over the whole run with fenced stamps, the mean cost of a stamp pair taken out; "
     "the timer moves in steps, and a p99.9 under two of them is compared with nothing (" NOT_RESOLVABLE "). "
     "A small live set measures a heap's first arena or slab, not its "
     "algorithm, and a large one its algorithm: every window is judged and named. The sweep's cells run fewer "
     "operations than the churn group's, so their p99.9 rests on fewer samples.",
     VERDICT_NA, "", {0}, 0, NULL},
    {"C8", "transparent huge pages make copy-on-write faults copy 2 MiB instead of 4 KiB",
     "write_heavy, 1% random writes, fork_cow with --thp never and --thp always",
     "report.md (the write_heavy (thp) table)", "",
     "Depends on the kernel: recent kernels split a shared huge page on a write fault and copy 4 KiB.",
     VERDICT_NA, "", {0}, 0, NULL},
    {"C9", "with copy-on-write \"readers never need to acquire the allocator's lock ... the only synchronization "
           "point is the reference-count update (often an atomic increment), which is far cheaper than a mutex\"",
     "shared_object on system_malloc: every worker reads a 64 KiB object (4 random pairs of words, checked) and "
     "writes it now and then; sync=mutex, rwlock, refcount (copy-on-write by reference count) and rcu (liburcu), "
     "at 1..PUs threads and each write rate: every worker's reads over the cell's whole wall time; decided with no "
     "writes (the reader's cost alone), the write rates above shown apart with each write's cost",
     "fig_l_shared_object", "",
     "A reference count alone cannot make loading the pointer safe: refcount takes a lock bit in the pointer word "
     "around the load and the increment, as libstdc++'s atomic<shared_ptr> does, so a read writes one shared "
     "cache line three times. A write copies 64 KiB, so readers then read memory another core wrote.",
     VERDICT_NA, "", {0}, 0, NULL},
};

/* The threshold of claim i, in words, from the numbers in T. */
static void threshold_text(int i, char *buf, size_t len)
{
    static const char *const interval = "; inconclusive when its 95% interval (a percentile bootstrap over both "
                                        "cells' repetitions) crosses the threshold";
    switch (i) {
    case 0: snprintf(buf, len, "holds if the best eager strategy's wall time is >= %gx the best copy-on-write "
                               "strategy's at every count of lookups per copy; holds only with few lookups if it is "
                               "up to some count and is not from a larger one; does not hold if it is at none%s",
                     T.c1_speedup, interval); break;
    case 1: snprintf(buf, len, "holds if real copy-on-write (fork_cow or mprotect_cow) on the documents' workload is "
                               "surely at least %.1fx faster than the deep copy (1.8 s against 0.4 s); does not hold "
                               "if both are surely under it%s", T.c2_claimed, interval); break;
    case 2: snprintf(buf, len, "none: a finding, no verdict. On an allocation-only loop no result could fail \"up to "
                               "%.0f%%\" (any share lost, 0 to 100%%, is up to something), so the share of CPU time "
                               "lost (1 - ops per CPU-second at the most threads over at 1) is reported as this "
                               "machine's ceiling, with its interval", 100 * T.c3_claimed); break;
    case 3: snprintf(buf, len, "holds if, at some write fraction, copy-on-write is surely no faster than the best "
                               "eager copy (the ratio's interval wholly at or over 1; a bimodal cell only when every "
                               "repetition lies on one side of the other cell's); 'sooner than claimed' if that "
                               "fraction is below %g; does not hold if every copy-on-write strategy is surely faster "
                               "at the largest fraction; inconclusive if neither side is sure there%s",
                     T.c4_almost_every, interval); break;
    case 4: snprintf(buf, len, "none: a finding, no verdict. The workers write every page, so PSS reaches (N+1) x S "
                               "by design and no result could fail the claim; PSS at the start and the end, over "
                               "every repetition, is reported, with what strict overcommit would have refused"); break;
    case 5: snprintf(buf, len, "holds if a repeated fork costs, per GiB of private memory, surely under %g%% of what "
                               "an eager copy of the same GiB costs to provision (the allocation it replaces; slopes "
                               "over the sizes measured); does not hold if surely %g%% or more%s",
                     100 * T.c6_share, 100 * T.c6_share, interval); break;
    case 6: snprintf(buf, len, "holds if, at every window, both p99.9 latencies (allocation, free) and the "
                               "fragmentation are within %.0f%% of the best other heap's (the ratio's interval wholly "
                               "under %.2fx); holds only when latency (both kinds, every window) or space (every "
                               "window) is; a latency under two steps of the timer is set aside and the verdict rests "
                               "on the rest%s",
                     100 * (T.c7_margin - 1), T.c7_margin, interval); break;
    case 7: snprintf(buf, len, "holds if THP always copies >= %gx the pages of THP never; else does not hold%s",
                     T.c8_ratio, interval); break;
    default: snprintf(buf, len, "holds if, with no writes, reference-counted readers read >= %gx as fast as mutex "
                                "readers over the whole wall time at every thread count (\"far cheaper\"); holds only "
                                "when surely at some and surely not at others; does not hold if surely at none%s",
                      T.c9_far, interval); break;
    }
}

/* What result would have held claim i, and what would have failed it,
 * beside its threshold: every verdict could have gone the other way. */
static void either_way_text(int i, char *buf, size_t len)
{
    switch (i) {
    case 0: snprintf(buf, len, "it would hold on the best eager copy's time over the best copy-on-write strategy's "
                               "wholly at or over %gx at every count of lookups per copy; it would fail on that ratio "
                               "wholly under %gx at every count", T.c1_speedup, T.c1_speedup); break;
    case 1: snprintf(buf, len, "it would hold on the deep copy's time over fork_cow's or mprotect_cow's wholly at or "
                               "over %.1fx; it would fail on both wholly under %.1fx",
                     T.c2_claimed, T.c2_claimed); break;
    case 2: snprintf(buf, len, "no result of this loop could fail it: any share of CPU time lost, 0 to 100%%, is "
                               "\"up to\" something; a verdict would need a workload doing work between allocations, "
                               "with the share of its CPU time in the lock measured"); break;
    case 3: snprintf(buf, len, "it would hold on one write fraction where a copy-on-write strategy's time over the "
                               "best eager copy's is wholly at or over 1; it would fail on every copy-on-write strategy "
                               "wholly under 1 at the largest fraction (still faster with every page written)"); break;
    case 4: snprintf(buf, len, "no result of this experiment could fail it: every page is written, so PSS reaches "
                               "(N+1) x S; a verdict would need writes that are not every page, weighed against what strict "
                               "overcommit would have charged"); break;
    case 5: snprintf(buf, len, "it would hold on a repeated fork's cost per GiB wholly under %g%% of an eager copy's; "
                               "it would fail on it wholly at or over %g%% (a host whose page faults are cheap makes "
                               "the copy cheaper, and the fork a larger share of it)",
                     100 * T.c6_share, 100 * T.c6_share); break;
    case 6: snprintf(buf, len, "it would hold on every window's three ratios wholly under %.2fx; it would fail on one "
                               "latency and one fragmentation wholly at or over %.2fx at some window (one of the two "
                               "alone: holds only when)", T.c7_margin, T.c7_margin); break;
    case 7: snprintf(buf, len, "it would hold on THP always copying wholly %gx or more the pages THP never copies (a "
                               "2 MiB copy per fault would be 512x); it would fail on that ratio wholly under %gx",
                     T.c8_ratio, T.c8_ratio); break;
    default: snprintf(buf, len, "it would hold on refcount readers' reads over mutex readers', with no writes, wholly "
                                "at or over %gx at every thread count; it would fail on that ratio wholly under %gx at "
                                "every thread count", T.c9_far, T.c9_far); break;
    }
}

void claims_evaluate(const struct run_folder *run, struct claim out[NCLAIMS])
{
    static char thresholds[NCLAIMS][1024], either[NCLAIMS][512];
    for (int i = 0; i < NCLAIMS; i++) {
        out[i] = templates[i];
        threshold_text(i, thresholds[i], sizeof thresholds[i]);
        either_way_text(i, either[i], sizeof either[i]);
        out[i].threshold = thresholds[i];
        out[i].either_way = either[i];
    }
    judges_run(run, out);
}

int claims_write(const struct run_folder *run, FILE *echo)
{
    struct claim cl[NCLAIMS];
    claims_evaluate(run, cl);
    char path[4300], tmp[4400];
    snprintf(path, sizeof path, "%s/claims.md", run->dir);
    FILE *f = atomic_open(path, tmp, sizeof tmp);
    if (!f)
        return -1;
    fprintf(f, "# The claims, tested on this machine\n\nComputed by `alloclab claims` from this run's CSV files. "
               "`notes/14-claims.md` explains each experiment.\n\n| claim | verdict | what was measured |\n"
               "|---|---|---|\n");
    for (int i = 0; i < NCLAIMS; i++)
        fprintf(f, "| %s | %s | %s |\n", cl[i].id, verdict_name(cl[i].verdict), cl[i].detail);
    for (int i = 0; i < NCLAIMS; i++)
        fprintf(f, "\n## %s: %s\n\n- experiment: %s\n- figure: %s\n- threshold: %s\n- either way: %s\n- verdict: "
                   "**%s**: %s\n- caveats: %s\n",
                cl[i].id, cl[i].quote, cl[i].experiment, cl[i].figure, cl[i].threshold, cl[i].either_way,
                verdict_name(cl[i].verdict), cl[i].detail, cl[i].caveats);
    if (atomic_commit(f, tmp, path) != 0)
        return -1;
    if (echo) {
        fprintf(echo, "\nclaims (%s):\n", path);
        for (int i = 0; i < NCLAIMS; i++)
            fprintf(echo, "  %s  %-16s %s\n", cl[i].id, verdict_name(cl[i].verdict), cl[i].detail);
    }
    return 0;
}

int claims_main(int argc, char **argv)
{
    static struct run_folder run;
    const char *dir = run_open("claims", argc, argv, &run);
    int written = claims_write(&run, stdout);
    run_free(&run);
    if (written != 0) {
        fprintf(stderr, "alloclab: cannot write %s/claims.md: %s\n", dir, strerror(errno));
        return EXIT_MEASURE;
    }
    return EXIT_OK;
}
