/*
 * fork_cost - what fork() costs against the memory a process has populated.
 *
 * "fork shares pages, eliminating any allocation cost for the child": the
 * pages are shared, but the page tables that map them are copied. Each worker
 * takes its view, reads every page of it (mapping it, as a worker would), then
 * times the first fork() (fork_first_ns: it also write-protects every
 * private page) apart from 7 more (fork_ns, their median), each child
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

#include "groups.h"
#include "workload.h"

#define FORKS 7

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

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

/* What is resident in the process's private mappings (perms "..p"), in
 * KiB: fork copies their page tables, and only theirs (a shared mapping's
 * tables are rebuilt on fault). NA if smaps cannot be read. */
static double private_resident_kib(void)
{
    FILE *f = fopen("/proc/self/smaps", "r");
    if (!f)
        return NA;
    char line[512], perms[8];
    unsigned long lo, hi;
    long kib;
    int private = 0;
    double sum = 0;
    while (fgets(line, sizeof line, f)) {
        if (sscanf(line, "%lx-%lx %7s", &lo, &hi, perms) == 3)
            private = perms[3] == 'p';
        else if (private && sscanf(line, "Rss: %ld kB", &kib) == 1)
            sum += (double)kib;
    }
    fclose(f);
    return sum;
}

/* fork() once, the child leaving at once: ns, or 0 with errno */
static uint64_t timed_fork(void)
{
    uint64_t t0 = now_ns();
    pid_t pid = fork();
    if (pid == 0)
        _exit(0);
    uint64_t ns = now_ns() - t0;
    if (pid < 0)
        return 0;
    waitpid(pid, NULL, 0);
    return ns;
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
    double private_kib = private_resident_kib();
    uint64_t first = timed_fork(), t[FORKS];
    for (int i = 0; i < FORKS && first; i++)
        if (!(t[i] = timed_fork()))
            first = 0;
    if (!first) {
        snprintf(ctx->err, WORKLOAD_ERR_LEN, "fork: %s", strerror(errno));
        return -1;
    }
    qsort(t, FORKS, sizeof *t, cmp_u64);
    ctx->result[R_FIRST_NS] = (double)first;
    ctx->result[R_FORK_NS] = (double)t[FORKS / 2];
    ctx->result[R_FORK_RSS] = rss_bytes / 1024;
    ctx->result[R_PRIVATE] = private_kib;
    ctx->result[R_PER_GIB] = (double)t[FORKS / 2] / 1e6 / (private_kib / (1u << 20));
    if (sink != (uint64_t)0x5a * (ctx->view->size / PAGE_BYTES)) {
        snprintf(ctx->err, WORKLOAD_ERR_LEN, "the view does not read the data");
        return -1;
    }
    return 0;
}

static const struct bench_plan plan[] = {
    {.group = GROUP_FORK, .strategies = PLAN_COPY_ON_WRITE_BASELINE, .every = "workers=1", .drop_too_big = true,
     .profile = PER_PROFILE("size=16M,32M", "size=16M,64M,256M", "size=16M,64M,256M",
                            "size=16M,64M,256M,1G,4G")},
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
};
