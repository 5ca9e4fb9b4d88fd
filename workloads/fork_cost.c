/*
 * fork_cost - what fork() costs against the memory a process has populated.
 *
 * "fork shares pages, eliminating any allocation cost for the child": the
 * pages are shared, but the page tables that map them are copied. Each worker
 * takes its view, reads every page of it (mapping it, as a worker would), then
 * times the first fork() (fork_first_ns: it also write-protects every
 * private page) apart from 7 more (fork_ns, their median; forktime.h, as the
 * calibration measures it), each child
 * exiting at once, with what is resident in the forking process's private
 * mappings (fork_private_kib, whose page tables fork copies) and fork_ns per
 * GiB of it. The kernel copies the page
 * tables of private memory only: compare fork_cow (private anonymous memory)
 * with mprotect_cow (private mappings of a memfd, with anonymous memory
 * attached from the start) and the eager heaps.
 *
 * Knobs: the table below (alloclab list --verbose prints it).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "forktime.h"
#include "groups.h"
#include "workload.h"

enum { K_SIZE, K_WORKERS, K_SEED, K_COUNT };
static const struct param knobs[K_COUNT + 1] = {
    [K_SIZE] = KNOB_SIZE("256M"),
    [K_WORKERS] = KNOB_WORKERS("1"),
    [K_SEED] = KNOB_SEED,
};

enum { R_FIRST_NS, R_FORK_NS, R_FORK_RSS, R_PRIVATE, R_PER_GIB, R_COUNT };
static const struct result_def results[R_COUNT + 1] = {
    [R_FIRST_NS] = {"fork_first_ns", "ns", MERGE_MAX,
                    "the first fork() after the view was mapped (it also write-protects every private page)"},
    [R_FORK_NS] = {"fork_ns", "ns", MERGE_MAX, "median time of the repeated fork() calls after the first"},
    [R_FORK_RSS] = {"fork_rss_kib", "KiB", MERGE_MAX, "resident size of the process that forked"},
    [R_PRIVATE] = {"fork_private_kib", "KiB", MERGE_MAX,
                   "resident in the private mappings of the process that forked: the page tables fork copies"},
    [R_PER_GIB] = {"fork_ms_per_gib", "ms/GiB", MERGE_MAX, "fork_ns per GiB of fork_private_kib"},
};

static int fc_fill(const union param_value *knob, void *base, size_t size, char err[WORKLOAD_ERR_LEN])
{
    (void)knob;
    (void)err;
    memset(base, 0x5a, size);
    return 0;
}

static int fc_work(struct worker_ctx *ctx)
{
    volatile char *view = ctx->view->addr;
    uint64_t sink = 0;
    for (size_t off = 0; off < ctx->view->size; off += PAGE_BYTES)
        sink += (uint64_t)view[off]; /* read every page: the view is mapped, as a worker's would be */
    long resident_pages = 0;
    FILE *statm = fopen("/proc/self/statm", "r");
    long size_pages;
    if (!statm || fscanf(statm, "%ld %ld", &size_pages, &resident_pages) != 2)
        resident_pages = -1;
    if (statm)
        fclose(statm);
    double rss_bytes = resident_pages < 0 ? NA : (double)resident_pages * (double)sysconf(_SC_PAGESIZE);
    struct fork_times ft;
    if (fork_times_measure(&ft) != 0) {
        snprintf(ctx->err, WORKLOAD_ERR_LEN, "fork: %s", strerror(errno));
        return -1;
    }
    double private_kib = ft.private_kib < 0 ? NA : ft.private_kib;
    ctx->result[R_FIRST_NS] = (double)ft.first_ns;
    ctx->result[R_FORK_NS] = (double)ft.repeated_ns;
    ctx->result[R_FORK_RSS] = rss_bytes / 1024;
    ctx->result[R_PRIVATE] = private_kib;
    ctx->result[R_PER_GIB] = (double)ft.repeated_ns / 1e6 / (private_kib / (1u << 20));
    if (sink != (uint64_t)0x5a * (ctx->view->size / PAGE_BYTES)) {
        snprintf(ctx->err, WORKLOAD_ERR_LEN, "the view does not read the data");
        return -1;
    }
    return 0;
}

/* The estimate: 40 ms, and 2.7 ms a MiB of the view (the repeated forks) */
static double fc_estimate(const union param_value *knob, int workers)
{
    return estimate_contended(0.040 + (double)knob[K_SIZE].n / (1 << 20) * 2.7e-3, 0.11, workers);
}

static const struct bench_plan plan[] = {
    {.group = GROUP_FORK, .strategies = PLAN_COPY_ON_WRITE_BASELINE, .every = "workers=1", .drop_too_big = true,
     .profile = PER_PROFILE("size=16M,32M", "size=16M,64M", "size=16M,64M",
                            "size=16M,64M,256M,1G")},
    {0},
};

const struct workload workload_fork_cost = {
    .name = "fork_cost",
    .summary = "fork() time against the populated size of the view (page tables are copied)",
    .kind = WORKLOAD_VIEWS,
    .knobs = knobs,
    .results = results,
    .plan = plan,
    .fill = fc_fill,
    .work = fc_work,
    .estimate = fc_estimate,
};
