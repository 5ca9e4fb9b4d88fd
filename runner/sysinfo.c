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
#include <time.h>
#include <unistd.h>

#include "buildinfo.h"
#include "cli.h"
#include "calibrate.h"
#include "perf.h"
#include "results.h"
#include "procmem.h"
#include "stamp.h"
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

/* The latency timer as a workload finds it (stamp.h): its step, and the
 * cost of a pair of stamps, whose mean is taken out of every sample. The
 * rate is taken over 20 ms. */
static void timer_write(FILE *out)
{
    struct stamp_clock c;
    stamp_clock_init(&c);
    nanosleep(&(struct timespec){0, 20 * 1000 * 1000}, NULL);
    double rate = stamp_rate(&c);
    fprintf(out, "latency timer: %s", c.tsc ? "TSC (lfence; rdtsc; lfence)" : "clock_gettime(CLOCK_MONOTONIC)");
    if (!(rate > 0)) {
        fputs(", step NA (no rate for the counter)\n", out);
        return;
    }
    fprintf(out, ", step %.2f ticks = %.2f ns; a stamp pair %llu-%llu ticks (median %llu), their mean %.1f ticks "
                 "(%.2f ns) taken out of every sample\n",
            c.step_ticks, c.step_ticks * rate, (unsigned long long)c.pair_min_ticks,
            (unsigned long long)c.pair_max_ticks, (unsigned long long)c.pair_median_ticks, c.overhead_ticks,
            c.overhead_ticks * rate);
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
    static const char *const fields[] = {"MemTotal", "MemAvailable", "CommitLimit", "Committed_AS"};
    for (int i = 0; i < 4; i++) {
        double kib = meminfo_kib(fields[i]);
        if (is_na(kib))
            fprintf(out, "%s: NA\n", fields[i]);
        else
            fprintf(out, "%s: %.0f KiB\n", fields[i], kib);
    }
    read_line("/proc/sys/kernel/perf_event_paranoid", buf, sizeof buf);
    fprintf(out, "perf_event_paranoid: %s\n", buf);
    struct perf_set ps;
    perf_open(&ps);
    fprintf(out, "perf events:");
    for (int i = 0; i < EV_COUNT; i++)
        fprintf(out, " %s=%s", perf_ev_name[i], ps.fd[i] < 0 ? "NA" : ps.kernel[i] ? "kernel+user" : "user");
    fputc('\n', out);
    perf_close(&ps);
    timer_write(out);
    fprintf(out, "page size: %zu\n", os_page_size());
    fprintf(out, "compiler: %s\n", __VERSION__);
    fprintf(out, "flags: %s\n", ALLOCLAB_CFLAGS);
    fprintf(out, "git commit: %s\n", ALLOCLAB_COMMIT);
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
    if (calibrate_write(path, 64u << 20, NULL, 0, false) != 0) {
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
