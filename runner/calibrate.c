/*
 * calibrate.c - this machine's own limits (calibrate.csv), so that every
 * result can be read against the physical floor of the same work: memcpy
 * bandwidth, a first-touch fault, the kernel's COW fault, a SIGSEGV +
 * mprotect round trip, fork per GiB, and the churn loop on a heap that does
 * nothing.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "calibrate.h"
#include "cowcost.h"
#include "floorheap.h"
#include "results.h"
#include "support/os.h"

static double first_touch_ns(size_t size)
{
    char *p = os_map(size);
    if (!p)
        return -1;
    os_advise_thp(p, size, THP_NEVER); /* a fault per 4 KiB page, as the strategies see */
    uint64_t t0 = os_now_ns();
    for (size_t off = 0; off < size; off += os_page_size())
        p[off] = 1;
    double ns = (double)(os_now_ns() - t0) / (double)(size / os_page_size());
    os_unmap(p, size);
    return ns;
}

static char *protected_page;
static void unprotect(int sig, siginfo_t *info, void *ctx)
{
    (void)sig;
    (void)ctx;
    char *page = (char *)((uintptr_t)info->si_addr & ~(uintptr_t)(os_page_size() - 1));
    mprotect(page, os_page_size(), PROT_READ | PROT_WRITE);
}

/* One SIGSEGV delivered, one mprotect, back: the floor under mprotect_cow. */
static double segv_round_trip_ns(size_t size)
{
    char *p = os_map(size);
    if (!p)
        return -1;
    memset(p, 1, size);
    mprotect(p, size, PROT_READ);
    protected_page = p;
    struct sigaction sa, old;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = unprotect;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGSEGV, &sa, &old);
    uint64_t t0 = os_now_ns();
    for (size_t off = 0; off < size; off += os_page_size())
        ((volatile char *)p)[off] = 2;
    double ns = (double)(os_now_ns() - t0) / (double)(size / os_page_size());
    sigaction(SIGSEGV, &old, NULL);
    os_unmap(p, size);
    return ns;
}

/* fork() of a process with `size` bytes populated: ns, or -1 */
static double fork_ns(size_t size)
{
    char *p = os_map(size);
    if (!p)
        return -1;
    os_advise_thp(p, size, THP_NEVER);
    memset(p, 1, size);
    uint64_t t0 = os_now_ns();
    pid_t pid = fork();
    if (pid == 0)
        _exit(0);
    double ns = (double)(os_now_ns() - t0);
    waitpid(pid, NULL, 0);
    os_unmap(p, size);
    return pid > 0 ? ns : -1;
}

/* The churn cell the floor is measured on: the plan's one-thread churn
 * cell, or churn's defaults at one thread; NULL without a churn workload. */
static const struct cell_spec *floor_cell(const struct cell_spec *cells, int ncells, struct cell_spec *own)
{
    for (int i = 0; i < ncells; i++)
        if (!strcmp(cells[i].workload->name, CALIBRATE_FLOOR_WORKLOAD) && cell_knob(&cells[i], "workers") == 1)
            return &cells[i];
    const struct workload *w = workload_find(CALIBRATE_FLOOR_WORKLOAD);
    char err[PARAM_ERR_LEN];
    if (!w || cell_spec_init(own, allocator_find("system_malloc"), w, err, sizeof err) != 0)
        return NULL;
    own->knob[params_find(w->knobs, "workers")].n = 1;
    return own;
}

int calibrate_write(const char *path, size_t size, int reps, const struct cell_spec *cells, int ncells)
{
    char err[ALLOC_ERR_LEN];
    struct topo tp;
    struct cell_spec own;
    const struct cell_spec *churn = floor_cell(cells, ncells, &own);
    double floor_ops = NA;
    if (churn && topo_init(&tp, err) == 0) {
        floor_ops = churn_floor_ops_per_sec(&tp, churn);
        topo_destroy(&tp);
    }
    struct cow_cost c;
    if (cow_cost_measure(size, reps, &c) != 0)
        return -1;
    double touch = first_touch_ns(size), segv = segv_round_trip_ns(size);
    double fork_small = fork_ns(16u << 20), fork_big = fork_ns(size);
    if (touch < 0 || segv < 0 || fork_small < 0 || fork_big < 0)
        return -1;
    /* page tables grow with the populated size: the slope is the cost per GiB */
    double fork_ms_per_gib = (fork_big - fork_small) / 1e6 / ((double)(size - (16u << 20)) / (1u << 30));
    double memcpy_gib_s = (double)os_page_size() / c.memcpy_ns_per_page * 1e9 / (1u << 30);
    char tmp[4200];
    FILE *f = atomic_open(path, tmp, sizeof tmp);
    if (!f)
        return -1;
    fprintf(f, "figure,value,unit,how\n");
    fprintf(f, "memcpy_bandwidth,%.2f,GiB/s,memcpy of %zu MiB between populated buffers\n", memcpy_gib_s, size >> 20);
    fprintf(f, "first_touch_fault,%.0f,ns/page,write one byte per fresh 4 KiB page (THP off)\n", touch);
    fprintf(f, "kernel_cow_fault,%.0f,ns/page,forked child writes one byte per inherited page\n", c.kernel_ns_per_page);
    fprintf(f, "segv_mprotect_round_trip,%.0f,ns/page,SIGSEGV + mprotect(RW) + return per page\n", segv);
    fprintf(f, "fork_per_gib,%.2f,ms/GiB,fork() with %zu MiB populated minus with 16 MiB\n", fork_ms_per_gib, size >> 20);
    fprintf(f, "mprotect_cow_fault,%.0f,ns/page,mprotect_cow view: one byte per page\n", c.mprotect_cow_ns_per_page);
    fprintf(f, "fork_cow_fault,%.0f,ns/page,fork_cow view in a child: one byte per page\n", c.fork_cow_ns_per_page);
    if (is_na(floor_ops))
        fprintf(f, "churn_floor,NA,ops/s,churn (1 thread) on a heap that only pops and pushes a per-thread list\n");
    else
        fprintf(f, "churn_floor,%.0f,ops/s,churn (1 thread) on a heap that only pops and pushes a per-thread list\n",
                floor_ops);
    return atomic_commit(f, tmp, path);
}
