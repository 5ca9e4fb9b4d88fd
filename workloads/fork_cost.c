/*
 * fork_cost - what fork() costs against the memory a process has populated.
 *
 * "fork shares pages, eliminating any allocation cost for the child": the
 * pages are shared, but the page tables that map them are copied. Each worker
 * takes its view, reads every page of it (mapping it, as a worker would), then
 * times 7 fork() calls whose child exits at once; the median is
 * reported as fork_ns, with the resident size of the process that forked
 * (fork_rss_kib) and the cost per GiB of it. The kernel copies the page
 * tables of private memory only: compare fork_cow (private anonymous memory)
 * with mprotect_cow (private mappings of a memfd, with anonymous memory
 * attached from the start) and the eager heaps.
 *
 * Knobs: --size (256M), --workers (1), --seed.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "workload.h"

#define FORKS 7

static int fc_fill(const struct workload_params *p, void *base, size_t size, char err[WORKLOAD_ERR_LEN])
{
    (void)p;
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

static int fc_work(struct worker_ctx *ctx)
{
    volatile char *view = ctx->view->addr;
    uint64_t sink = 0;
    for (size_t off = 0; off < ctx->view->size; off += 4096)
        sink += (uint64_t)view[off]; /* read every page: the view is mapped, as a worker's would be */
    long resident_pages = 0;
    FILE *statm = fopen("/proc/self/statm", "r");
    long size_pages;
    if (!statm || fscanf(statm, "%ld %ld", &size_pages, &resident_pages) != 2)
        resident_pages = -1;
    if (statm)
        fclose(statm);
    ctx->fork_rss_bytes = resident_pages < 0 ? -1 : (double)resident_pages * (double)sysconf(_SC_PAGESIZE);
    uint64_t t[FORKS];
    for (int i = 0; i < FORKS; i++) {
        uint64_t t0 = now_ns();
        pid_t pid = fork();
        if (pid == 0)
            _exit(0);
        t[i] = now_ns() - t0;
        if (pid < 0) {
            snprintf(ctx->err, WORKLOAD_ERR_LEN, "fork: %s", strerror(errno));
            return -1;
        }
        waitpid(pid, NULL, 0);
    }
    qsort(t, FORKS, sizeof *t, cmp_u64);
    ctx->fork_ns = (double)t[FORKS / 2];
    if (sink != (uint64_t)0x5a * (ctx->view->size / 4096)) {
        snprintf(ctx->err, WORKLOAD_ERR_LEN, "the view does not read the data");
        return -1;
    }
    return 0;
}

const struct workload workload_fork_cost = {
    .name = "fork_cost",
    .summary = "fork() time against the populated size of the view (page tables are copied)",
    .knobs = "--size 256M, --workers 1; the bench sweeps 16M..1G",
    .kind = WORKLOAD_VIEWS,
    .defaults = {.size = 256u << 20, .workers = 1, .steps = 1, .seed = 1},
    .fill = fc_fill,
    .work = fc_work,
};
