#include "perf.h"

#include "allocator.h" /* NA */

#include <linux/perf_event.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

const char *const perf_ev_name[EV_COUNT] = {
    "minor_faults", "major_faults", "context_switches", "cpu_migrations", "task_clock_ns",
    "cycles", "instructions", "cache_misses", "dtlb_load_misses",
};

static const struct {
    uint32_t type;
    uint64_t config;
} events[EV_COUNT] = {
    {PERF_TYPE_SOFTWARE, PERF_COUNT_SW_PAGE_FAULTS_MIN},
    {PERF_TYPE_SOFTWARE, PERF_COUNT_SW_PAGE_FAULTS_MAJ},
    {PERF_TYPE_SOFTWARE, PERF_COUNT_SW_CONTEXT_SWITCHES},
    {PERF_TYPE_SOFTWARE, PERF_COUNT_SW_CPU_MIGRATIONS},
    {PERF_TYPE_SOFTWARE, PERF_COUNT_SW_TASK_CLOCK},
    {PERF_TYPE_HARDWARE, PERF_COUNT_HW_CPU_CYCLES},
    {PERF_TYPE_HARDWARE, PERF_COUNT_HW_INSTRUCTIONS},
    {PERF_TYPE_HARDWARE, PERF_COUNT_HW_CACHE_MISSES},
    {PERF_TYPE_HW_CACHE, PERF_COUNT_HW_CACHE_DTLB | (PERF_COUNT_HW_CACHE_OP_READ << 8) |
                             (PERF_COUNT_HW_CACHE_RESULT_MISS << 16)},
};

static int open_event(int i, bool with_kernel)
{
    struct perf_event_attr attr;
    memset(&attr, 0, sizeof attr);
    attr.size = sizeof attr;
    attr.type = events[i].type;
    attr.config = events[i].config;
    attr.disabled = 1;
    attr.inherit = 1; /* worker threads and forked children count too */
    attr.exclude_kernel = !with_kernel;
    attr.exclude_hv = 1;
    attr.read_format = PERF_FORMAT_TOTAL_TIME_ENABLED | PERF_FORMAT_TOTAL_TIME_RUNNING;
    return (int)syscall(SYS_perf_event_open, &attr, 0, -1, -1, PERF_FLAG_FD_CLOEXEC);
}

void perf_open(struct perf_set *ps)
{
    for (int i = 0; i < EV_COUNT; i++) {
        /* copy-on-write work happens in the kernel: count it where permitted */
        ps->kernel[i] = true;
        ps->fd[i] = open_event(i, true);
        if (ps->fd[i] < 0) {
            ps->kernel[i] = false;
            ps->fd[i] = open_event(i, false);
        }
    }
}

/* ioctl on an inherited event applies to its children too */
void perf_enable(struct perf_set *ps)
{
    for (int i = 0; i < EV_COUNT; i++)
        if (ps->fd[i] >= 0)
            ioctl(ps->fd[i], PERF_EVENT_IOC_ENABLE, 0);
}

void perf_disable(struct perf_set *ps)
{
    for (int i = 0; i < EV_COUNT; i++)
        if (ps->fd[i] >= 0)
            ioctl(ps->fd[i], PERF_EVENT_IOC_DISABLE, 0);
}

void perf_read(struct perf_set *ps, double value[EV_COUNT])
{
    for (int i = 0; i < EV_COUNT; i++) {
        uint64_t v[3];
        value[i] = NA;
        if (ps->fd[i] < 0 || read(ps->fd[i], v, sizeof v) != (ssize_t)sizeof v)
            continue;
        if (v[2] == 0) /* never scheduled on a counter: not measured */
            continue;
        value[i] = v[1] == v[2] ? (double)v[0] : (double)v[0] * ((double)v[1] / (double)v[2]);
    }
}

void perf_close(struct perf_set *ps)
{
    for (int i = 0; i < EV_COUNT; i++)
        if (ps->fd[i] >= 0)
            close(ps->fd[i]);
}

const char *perf_mode(const struct perf_set *ps)
{
    if (ps->fd[EV_MINOR_FAULTS] < 0)
        return "none";
    return ps->kernel[EV_MINOR_FAULTS] ? "kernel+user" : "user";
}
