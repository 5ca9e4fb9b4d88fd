/*
 * sysinfo.c - `alloclab sysinfo [--calibrate] [--out DIR]`: what this machine is, and
 * what its own limits are, so every result can be read against them.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include "buildinfo.h"
#include "cli.h"
#include "cowcost.h"
#include "floorheap.h"
#include "perf.h"
#include "results.h"
#include "procmem.h"
#include "sysinfo.h"
#include "support/os.h"
#include "topo.h"

static void read_line(const char *path, char *buf, size_t len)
{
    FILE *f = fopen(path, "r");
    if (!f || !fgets(buf, (int)len, f))
        snprintf(buf, len, "NA");
    else
        buf[strcspn(buf, "\n")] = '\0';
    if (f)
        fclose(f);
}

void sysinfo_write(FILE *out)
{
    char err[ALLOC_ERR_LEN], buf[512];
    struct utsname u;
    uname(&u);
    fprintf(out, "kernel: %s %s %s\n", u.sysname, u.release, u.machine);
    char host[256] = "NA";
    gethostname(host, sizeof host - 1);
    fprintf(out, "host: %s\n", host);
    struct topo tp;
    if (topo_init(&tp, err) == 0) {
        int packages = hwloc_get_nbobjs_by_type(tp.t, HWLOC_OBJ_PACKAGE);
        int cores = hwloc_get_nbobjs_by_type(tp.t, HWLOC_OBJ_CORE);
        int numa = hwloc_get_nbobjs_by_type(tp.t, HWLOC_OBJ_NUMANODE);
        fprintf(out, "topology: %d package(s), %d NUMA node(s), %d core(s), %d usable processing unit(s)\n",
                packages, numa, cores, tp.pus);
        for (int depth = 0; depth < hwloc_topology_get_depth(tp.t); depth++) {
            hwloc_obj_t obj = hwloc_get_obj_by_depth(tp.t, depth, 0);
            if (obj && hwloc_obj_type_is_cache(obj->type) && obj->attr)
                fprintf(out, "cache: %s %llu KiB, %d of them\n", hwloc_obj_type_string(obj->type),
                        (unsigned long long)obj->attr->cache.size / 1024, hwloc_get_nbobjs_by_depth(tp.t, depth));
        }
        char *pus = NULL;
        hwloc_bitmap_list_asprintf(&pus, hwloc_topology_get_topology_cpuset(tp.t));
        fprintf(out, "usable cpuset: %s\n", pus ? pus : "NA");
        free(pus);
        topo_destroy(&tp);
    } else {
        fprintf(out, "topology: NA (%s)\n", err);
    }
    read_line("/sys/kernel/mm/transparent_hugepage/enabled", buf, sizeof buf);
    fprintf(out, "transparent huge pages: %s\n", buf);
    read_line("/sys/kernel/mm/transparent_hugepage/defrag", buf, sizeof buf);
    fprintf(out, "thp defrag: %s\n", buf);
    read_line("/proc/sys/vm/overcommit_memory", buf, sizeof buf);
    fprintf(out, "vm.overcommit_memory: %s (0 heuristic, 1 always, 2 strict)\n", buf);
    read_line("/proc/sys/vm/overcommit_ratio", buf, sizeof buf);
    fprintf(out, "vm.overcommit_ratio: %s\n", buf);
    read_line("/proc/sys/vm/max_map_count", buf, sizeof buf);
    fprintf(out, "vm.max_map_count: %s\n", buf);
    fprintf(out, "MemTotal: %lld KiB\nMemAvailable: %lld KiB\nCommitLimit: %lld KiB\nCommitted_AS: %lld KiB\n",
            (long long)meminfo_kib("MemTotal"), (long long)meminfo_kib("MemAvailable"),
            (long long)meminfo_kib("CommitLimit"), (long long)meminfo_kib("Committed_AS"));
    read_line("/proc/sys/kernel/perf_event_paranoid", buf, sizeof buf);
    fprintf(out, "perf_event_paranoid: %s\n", buf);
    struct perf_set ps;
    perf_open(&ps);
    fprintf(out, "perf events:");
    for (int i = 0; i < EV_COUNT; i++)
        fprintf(out, " %s=%s", perf_ev_name[i], ps.fd[i] < 0 ? "NA" : ps.kernel[i] ? "kernel+user" : "user");
    fputc('\n', out);
    perf_close(&ps);
    fprintf(out, "page size: %zu\n", os_page_size());
    fprintf(out, "compiler: %s\n", __VERSION__);
    fprintf(out, "flags: %s\n", ALLOCLAB_CFLAGS);
    fprintf(out, "git commit: %s\n", ALLOCLAB_COMMIT);
}

/* ---- calibration: the machine's own limits ---- */
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

int calibrate_write(const char *path, size_t size, int reps, long churn_ops)
{
    char err[ALLOC_ERR_LEN];
    struct topo tp;
    double floor_ops = -1;
    if (topo_init(&tp, err) == 0) {
        floor_ops = churn_floor_ops_per_sec(&tp, churn_ops);
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
    if (floor_ops > 0)
        fprintf(f, "churn_floor,%.0f,ops/s,churn (1 thread) on a heap that only pops and pushes a per-thread list\n",
                floor_ops);
    else
        fprintf(f, "churn_floor,NA,ops/s,churn (1 thread) on a heap that only pops and pushes a per-thread list\n");
    return atomic_commit(f, tmp, path);
}

int sysinfo_main(int argc, char **argv)
{
    static const struct option opts[] = {{"calibrate", no_argument, NULL, 'c'},
                                         {"out", required_argument, NULL, 'o'},
                                         {NULL, 0, NULL, 0}};
    int calibrate = 0, c;
    const char *out = ".";
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, "+", opts, NULL)) != -1) {
        if (c == 'c')
            calibrate = 1;
        else if (c == 'o')
            out = optarg;
        else
            die_usage("sysinfo: unknown or incomplete option '%s'", argv[optind - 1]);
    }
    if (optind < argc)
        die_usage("sysinfo: unexpected argument '%s'", argv[optind]);
    sysinfo_write(stdout);
    if (!calibrate)
        return EXIT_OK;
    struct stat st;
    if (stat(out, &st) != 0 || !S_ISDIR(st.st_mode))
        die_usage("sysinfo: --out '%s' is not a folder", out);
    char path[4096];
    snprintf(path, sizeof path, "%s/calibrate.csv", out);
    if (calibrate_write(path, 256u << 20, 5, 2000000) != 0) {
        fprintf(stderr, "alloclab: calibration failed: %s\n", strerror(errno));
        return EXIT_MEASURE;
    }
    FILE *f = fopen(path, "r");
    char line[512];
    printf("\ncalibration (%s):\n", path);
    while (f && fgets(line, sizeof line, f))
        fputs(line, stdout);
    if (f)
        fclose(f);
    return EXIT_OK;
}
