/*
 * calibrate.c - this machine's own limits (calibrate.csv), so that every
 * result can be read against the physical floor of the same work: memcpy
 * bandwidth, a first-touch fault, the kernel's COW fault, a child's first
 * read of an inherited page, a SIGSEGV + mprotect round trip, a SIGBUS +
 * userfaultfd write-protect round trip, each copy-on-write strategy's
 * fault, fork per GiB, what false sharing costs, what a pair of latency
 * stamps costs, and the churn loop on a heap that does nothing.
 *
 * Each figure is the median of CALIBRATE_SAMPLES samples taken after one
 * warm-up sample (which touches the memory and the code first, and is
 * dropped), with its min and max; the figures are sampled in interleaved
 * rounds, so that a drifting machine moves them all alike. On this class of
 * machine the first-touch fault has read 1.3 us on one host and 10 us on
 * another: a bench repeats the calibration at its end (calibrate_end.csv)
 * and the report flags a figure that moved by more than 20%.
 */
#include <math.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "calibrate.h"
#include "analysis/strategy_names.h"
#include "cowcost.h"
#include "floorheap.h"
#include "forktime.h"
#include "results.h"
#include "stamp.h"
#include "support/os.h"

double calibrate_first_touch_ns(size_t size)
{
    char *p = os_map(size);
    if (!p)
        return NA;
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
        return NA;
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

/* The churn cell the floor is measured on: the plan's one-thread churn
 * cell, or churn's defaults at one thread; NULL without a churn workload. */
static const struct cell_spec *floor_cell(const struct cell_spec *cells, int ncells, struct cell_spec *own)
{
    for (int i = 0; i < ncells; i++)
        if (!strcmp(cells[i].workload->name, CALIBRATE_FLOOR_WORKLOAD) && cell_knob(&cells[i], "workers") == 1)
            return &cells[i];
    const struct workload *w = workload_find(CALIBRATE_FLOOR_WORKLOAD);
    char err[PARAM_ERR_LEN];
    if (!w || cell_spec_init(own, allocator_find(STRATEGY_SYSTEM_MALLOC), w, err, sizeof err) != 0)
        return NULL;
    own->knob[params_find(w->knobs, "workers")].n = 1;
    return own;
}

/* fork() of a process with `size` more bytes populated (forktime.h, as
 * fork_cost measures it): the first fork's or a repeated one's ns, with the
 * private resident KiB it copied the page tables of; NA on failure */
static double fork_with(size_t size, bool first, double *private_kib)
{
    char *p = os_map(size);
    if (!p)
        return NA;
    os_advise_thp(p, size, THP_NEVER);
    memset(p, 1, size);
    struct fork_times ft;
    int rc = fork_times_measure(&ft);
    os_unmap(p, size);
    *private_kib = ft.private_kib;
    return rc != 0 || ft.private_kib < 0 ? NA : (double)(first ? ft.first_ns : ft.repeated_ns);
}

/* page tables grow with the private memory: the slope between the size and
 * 4x it, per GiB of private resident memory. A fork of a few MiB is over in
 * a fraction of a millisecond, so these figures take 4x the others' size. */
static double fork_slope(size_t size, bool first)
{
    double kib_small, kib_big, small = fork_with(size, first, &kib_small), big = fork_with(4 * size, first, &kib_big);
    return (big - small) / 1e6 / ((kib_big - kib_small) / (1 << 20));
}
static double fork_first_ms_per_gib(size_t size) { return fork_slope(size, true); }
static double fork_ms_per_gib(size_t size) { return fork_slope(size, false); }

static double memcpy_gib_s(size_t size) { return (double)PAGE_BYTES / cost_memcpy(size) * 1e9 / (1u << 30); }
static double kernel_cow(size_t size) { return cost_kernel_cow(size); }
static double child_read(size_t size) { return cost_child_first_read(size); }
static double mprotect_cow(size_t size) { return cost_strategy_write(STRATEGY_MPROTECT_COW, NULL, size); }
static double fork_cow(size_t size) { return cost_strategy_write(STRATEGY_FORK_COW, NULL, size); }
/* ---- what false sharing costs here: two threads on two processing units
 * write bytes 8 apart (one cache line) or 128 apart (two lines). Where the
 * two units share a core's caches (SMT siblings, or a VM's vCPUs placed so),
 * the ratio is about 1 and false_sharing's placement figure is the only
 * sign of it. ---- */
struct line_writer {
    volatile unsigned char *byte;
    int cpu;
};

static void *write_line(void *arg)
{
    struct line_writer *w = arg;
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(w->cpu, &set);
    pthread_setaffinity_np(pthread_self(), sizeof set, &set);
    for (unsigned i = 0; i < 20u * 1000 * 1000; i++)
        *w->byte = (unsigned char)i;
    return NULL;
}

static double two_writers_ns(volatile unsigned char *buf, size_t apart, const int cpu[2])
{
    struct line_writer w[2] = {{buf, cpu[0]}, {buf + apart, cpu[1]}};
    pthread_t t[2];
    uint64_t t0 = os_now_ns();
    for (int i = 0; i < 2; i++)
        if (pthread_create(&t[i], NULL, write_line, &w[i]) != 0) {
            if (i == 1)
                pthread_join(t[0], NULL);
            return NA;
        }
    for (int i = 0; i < 2; i++)
        pthread_join(t[i], NULL);
    return (double)(os_now_ns() - t0);
}

static double false_sharing_cost(size_t size)
{
    (void)size;
    static _Alignas(128) volatile unsigned char buf[256];
    cpu_set_t allowed;
    int cpu[2], n = 0;
    if (sched_getaffinity(0, sizeof allowed, &allowed) != 0)
        return NA;
    for (int c = 0; c < CPU_SETSIZE && n < 2; c++)
        if (CPU_ISSET(c, &allowed))
            cpu[n++] = c;
    if (n < 2)
        return NA; /* one processing unit: nothing to share a line with */
    return two_writers_ns(buf, 8, cpu) / two_writers_ns(buf, 128, cpu);
}

static double uffd_cow(size_t size) { return cost_strategy_write(STRATEGY_UFFD_COW, "mode=sigbus", size); }
static double uffd_cow_async(size_t size) { return cost_strategy_write(STRATEGY_UFFD_COW, "mode=async", size); }

static const struct limit {
    const char *name, *unit, *how;
    double (*sample)(size_t size);
    bool recheck;  /* measured again at the end of a bench */
    bool optional; /* NA where the kernel cannot (userfaultfd): the row says so */
} limits[] = {
    {"memcpy_bandwidth", "GiB/s", "memcpy between populated buffers", memcpy_gib_s, true, false},
    {"first_touch_fault", "ns/page", "write one byte per fresh 4 KiB page (THP off)", calibrate_first_touch_ns, true,
     false},
    {"kernel_cow_fault", "ns/page", "forked child writes one byte per inherited page", kernel_cow, true, false},
    {"child_first_read", "ns/page", "forked child reads one byte per inherited page", child_read, true, false},
    {"segv_mprotect_round_trip", "ns/page", "SIGSEGV + mprotect(RW) + return per page", segv_round_trip_ns, true,
     false},
    {"uffd_wp_round_trip", "ns/page", "SIGBUS + UFFDIO_WRITEPROTECT(0) + return per page (anonymous memory)",
     cost_uffd_wp_round_trip, true, true},
    {"fork_first_per_gib", "ms/GiB", "the first fork() after writing, per GiB of private resident memory: the "
     "slope from the size to 4x it", fork_first_ms_per_gib, false, false},
    {"fork_per_gib", "ms/GiB", "a repeated fork() (the median of 7 after the first), per GiB of private resident "
     "memory: the slope from the size to 4x it", fork_ms_per_gib, false, false},
    {"mprotect_cow_fault", "ns/page", "mprotect_cow view: one byte per page", mprotect_cow, true, false},
    {"uffd_cow_fault", "ns/page", "uffd_cow view, mode=sigbus: one byte per page", uffd_cow, true, true},
    {"uffd_cow_async_fault", "ns/page", "uffd_cow view, mode=async: one byte per page", uffd_cow_async, true, true},
    {"fork_cow_fault", "ns/page", "fork_cow view in a child: one byte per page", fork_cow, true, false},
    {"mprotect_cow_floor", "ns/page", "SIGSEGV + mprotect(RW) + the COW fault of a private memfd mapping + return, "
     "a bare loop (cowfloor.c)", cost_mprotect_floor, true, false},
    {"uffd_cow_floor", "ns/page", "the COW fault of a private memfd mapping + SIGBUS + UFFDIO_WRITEPROTECT(0) + "
     "return, a bare loop (cowfloor.c)", cost_uffd_floor, true, true},
    {"uffd_cow_async_floor", "ns/page", "the COW fault of a private memfd mapping write-protected with "
     "UFFD_FEATURE_WP_ASYNC, a bare loop (cowfloor.c)", cost_uffd_async_floor, true, true},
    {"false_sharing_cost", "x", "two threads on two processing units writing one cache line, over the same "
     "writes to two lines", false_sharing_cost, false, true},
};
#define NLIMITS (sizeof limits / sizeof *limits)

/* A strategy over its floor, sample by sample: both were measured in the
 * same round, so the ratio's min and max over the rounds bound its median
 * (with 5 rounds, at 94% confidence) without pairing one round's high with
 * another's low. */
static const struct ratio {
    const char *name, *over, *under, *how;
} ratios[] = {
    {"mprotect_cow_over_floor", "mprotect_cow_fault", "mprotect_cow_floor", "mprotect_cow's first write to a page "
     "over its floor, the same round's"},
    {"uffd_cow_over_floor", "uffd_cow_fault", "uffd_cow_floor", "uffd_cow mode=sigbus's first write to a page over "
     "its floor, the same round's"},
    {"uffd_cow_async_over_floor", "uffd_cow_async_fault", "uffd_cow_async_floor", "uffd_cow mode=async's first "
     "write to a page over its floor, the same round's"},
};
#define NRATIOS (sizeof ratios / sizeof *ratios)

static int limit_index(const char *name)
{
    for (size_t k = 0; k < NLIMITS; k++)
        if (!strcmp(limits[k].name, name))
            return (int)k;
    return -1;
}

static int cmp_double(const void *x, const void *y)
{
    double a = *(const double *)x, b = *(const double *)y;
    return (a > b) - (a < b);
}

static void put_row(FILE *f, const char *name, const char *unit, double *v, int n, const char *how, size_t size)
{
    for (int i = 0; i < n; i++)
        if (is_na(v[i])) { /* an optional limit this machine cannot measure: no value at all */
            fprintf(f, "%s,NA,NA,NA,%s,0,\"%s: not possible here (%zu MiB)\"\n", name, unit, how, size >> 20);
            return;
        }
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    double med = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    fprintf(f, "%s", name);
    for (int k = 0; k < 3; k++) {
        double x = k == 0 ? med : k == 1 ? v[0] : v[n - 1];
        if (is_na(x) || !n)
            fputs(",NA", f);
        else
            fprintf(f, x >= 100 ? ",%.0f" : ",%.2f", x);
    }
    fprintf(f, ",%s,%d,\"%s (%zu MiB)\"\n", unit, n, how, size >> 20);
}

/* The limits, sampled in interleaved rounds after a warm-up round; into f. */
static int sample_limits(FILE *f, size_t size, bool recheck_only)
{
    double v[NLIMITS][CALIBRATE_SAMPLES];
    for (int round = 0; round <= CALIBRATE_SAMPLES; round++)
        for (size_t k = 0; k < NLIMITS; k++) {
            if (recheck_only && !limits[k].recheck)
                continue;
            double x = limits[k].sample(size);
            if (is_na(x) && !limits[k].optional)
                return -1;
            if (round > 0) /* round 0 warms up */
                v[k][round - 1] = x;
        }
    for (size_t k = 0; k < NLIMITS; k++)
        if (!recheck_only || limits[k].recheck)
            put_row(f, limits[k].name, limits[k].unit, v[k], CALIBRATE_SAMPLES, limits[k].how, size);
    for (size_t k = 0; k < NRATIOS; k++) {
        int over = limit_index(ratios[k].over), under = limit_index(ratios[k].under);
        double r[CALIBRATE_SAMPLES];
        if (over < 0 || under < 0 || (recheck_only && !(limits[over].recheck && limits[under].recheck)))
            continue;
        for (int i = 0; i < CALIBRATE_SAMPLES; i++)
            r[i] = v[over][i] / v[under][i]; /* NA stays NA: the row says not possible */
        put_row(f, ratios[k].name, "x", r, CALIBRATE_SAMPLES, ratios[k].how, size);
    }
    return 0;
}

/* What a latency sample pays for its own stamps (stamp.h): the cost of a
 * pair with nothing between, median, smallest and largest, in ns at the
 * rate seen since the clock began (the calibration's seconds), and the mean
 * that every sample has taken out. Not measured again at the end: a pair
 * costs two or three steps of the timer by turns, which would read as drift. */
static void stamp_row(FILE *f, const struct stamp_clock *c)
{
    double rate = stamp_rate(c);
    const char *how = "two time stamps back to back, as a workload takes them, nothing between";
    if (!(rate > 0)) {
        fprintf(f, "stamp_pair_cost,NA,NA,NA,ns,0,\"%s: no rate for the counter\"\n", how);
        return;
    }
    fprintf(f, "stamp_pair_cost,%.2f,%.2f,%.2f,ns,%d,\"%s (%s, whose step is %.2f ns): their mean, %.2f ns, is "
               "taken out of every latency sample\"\n",
            (double)c->pair_median_ticks * rate, (double)c->pair_min_ticks * rate, (double)c->pair_max_ticks * rate,
            STAMP_PAIRS, how, c->tsc ? "TSC" : "clock_gettime", c->step_ticks * rate, c->overhead_ticks * rate);
}

int calibrate_write(const char *path, size_t size, const struct cell_spec *cells, int ncells, bool recheck_only)
{
    char tmp[4200];
    FILE *f = atomic_open(path, tmp, sizeof tmp);
    if (!f)
        return -1;
    struct stamp_clock clock;
    stamp_clock_init(&clock);
    fprintf(f, "figure,value,min,max,unit,samples,how\n");
    if (sample_limits(f, size, recheck_only) != 0) {
        fclose(f);
        unlink(tmp);
        return -1;
    }
    if (!recheck_only)
        stamp_row(f, &clock);
    char err[ALLOC_ERR_LEN];
    struct topo tp;
    struct cell_spec own;
    const struct cell_spec *churn = recheck_only ? NULL : floor_cell(cells, ncells, &own);
    if (churn && topo_init(&tp, err) == 0) {
        double best[CHURN_FLOOR_RUNS];
        int n = churn_floor_ops_per_sec(&tp, churn, best);
        topo_destroy(&tp);
        /* a floor: the best of its runs is the value */
        if (n == CHURN_FLOOR_RUNS)
            fprintf(f, "churn_floor,%.0f,%.0f,%.0f,ops/s,%d,\"churn (1 thread) on a heap that only pops and pushes a "
                       "per-thread list: the best of the runs\"\n",
                    fmax(fmax(best[0], best[1]), best[2]), fmin(fmin(best[0], best[1]), best[2]),
                    fmax(fmax(best[0], best[1]), best[2]), n);
        else
            fprintf(f, "churn_floor,NA,NA,NA,ops/s,0,\"churn (1 thread) on a heap that only pops and pushes a "
                       "per-thread list\"\n");
    }
    return atomic_commit(f, tmp, path);
}
