/*
 * forktime.h - what fork() costs, measured one way wherever alloclab
 * measures it (the fork_cost workload, the calibration).
 *
 * The first fork() after memory was written is timed apart from the ones
 * after it: the first write-protects every private page-table entry of the
 * parent as it copies it, the later ones find them protected already. The
 * cost is read against the memory resident in the process's private
 * mappings, whose page tables fork copies (a shared mapping's are rebuilt
 * on fault), per GiB; the slope between two sizes takes the process's own
 * fixed cost out.
 */
#ifndef ALLOCLAB_FORKTIME_H
#define ALLOCLAB_FORKTIME_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define FORKTIME_REPEATS 7

struct fork_times {
    uint64_t first_ns;    /* the first fork() */
    uint64_t repeated_ns; /* the median of FORKTIME_REPEATS after it */
    double private_kib;   /* resident in private mappings when it forked; < 0: unknown */
};

static inline uint64_t forktime_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* What is resident in the process's private mappings (perms "..p"), in KiB;
 * -1 if smaps cannot be read. */
static inline double forktime_private_kib(void)
{
    FILE *f = fopen("/proc/self/smaps", "r");
    if (!f)
        return -1;
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

/* fork() once, the child leaving at once: ns, or 0 (errno set) */
static inline uint64_t forktime_one(void)
{
    uint64_t t0 = forktime_now_ns();
    pid_t pid = fork();
    if (pid == 0)
        _exit(0);
    uint64_t ns = forktime_now_ns() - t0;
    if (pid < 0)
        return 0;
    waitpid(pid, NULL, 0);
    return ns;
}

static inline int forktime_cmp(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

/* The first fork and the median of the repeated ones; 0, or -1 with errno. */
static inline int fork_times_measure(struct fork_times *out)
{
    uint64_t t[FORKTIME_REPEATS];
    out->private_kib = forktime_private_kib();
    if (!(out->first_ns = forktime_one()))
        return -1;
    for (int i = 0; i < FORKTIME_REPEATS; i++)
        if (!(t[i] = forktime_one()))
            return -1;
    qsort(t, FORKTIME_REPEATS, sizeof *t, forktime_cmp);
    out->repeated_ns = t[FORKTIME_REPEATS / 2];
    return 0;
}

#endif
