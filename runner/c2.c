/*
 * c2.c - the documents' own benchmark (claim C2), replicated in C: 10,000,000
 * ints, 10,000 reads and one write, as a deep copy before the reads, as the
 * documents' "COW-simulated" version (the copy after the reads), and with
 * real copy-on-write (fork_cow, mprotect_cow). The four run in rounds, each
 * round one of each; more rounds, within the straddle budget, while the
 * verdict's interval (the deep copy's time over real copy-on-write's)
 * straddles the documents' 4.5x. Measured into c2.csv with every
 * repetition; the verdict is the analysis's (analysis/claims/C2.c).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "allocator.h"
#include "analysis/interval.h"
#include "c2.h"
#include "results.h"
#include "support/os.h"

#define C2_INTS 10000000
#define C2_READS 10000
#define C2_MAX_REPS 64

static volatile long c2_sink;

static double c2_deep(const int *data, int simulated)
{
    uint64_t t0 = os_now_ns();
    long sum = 0;
    int *copy = NULL;
    if (!simulated) { /* copy first, then read the copy */
        copy = malloc(C2_INTS * sizeof *copy);
        memcpy(copy, data, C2_INTS * sizeof *copy);
        __asm__ volatile("" : : "r"(copy) : "memory"); /* the copy is real: the compiler may not drop it */
        data = copy;
    }
    for (int i = 0; i < C2_READS; i++)
        sum += ((const volatile int *)data)[(i * 7919) % C2_INTS];
    if (simulated) { /* the documents' "COW-simulated" version: copy after the reads */
        copy = malloc(C2_INTS * sizeof *copy);
        memcpy(copy, data, C2_INTS * sizeof *copy);
        __asm__ volatile("" : : "r"(copy) : "memory");
    }
    copy[C2_INTS / 2] = 42;
    c2_sink = sum + copy[C2_INTS / 2];
    free(copy);
    return (double)(os_now_ns() - t0) / 1e9;
}

static double c2_cow(const char *name)
{
    const struct allocator *a = allocator_find(name);
    char err[ALLOC_ERR_LEN];
    void *self = alloc_create(a, NULL, THP_DEFAULT, err);
    struct dataset d;
    if (!self || data_create(a, self, C2_INTS * sizeof(int), THP_DEFAULT, &d, err) != 0)
        return NAN;
    for (int i = 0; i < C2_INTS; i++)
        ((int *)d.base)[i] = i;
    data_seal(a, self, &d, err);
    double seconds = NAN;
    uint64_t t0 = os_now_ns();
    pid_t pid = a->model == MODEL_PROCESSES ? fork() : 0;
    if (pid == 0 || a->model == MODEL_THREADS) {
        struct view v;
        if (view_open(a, self, &d, &v, err) != 0)
            _exit(1);
        long sum = 0;
        for (int i = 0; i < C2_READS; i++)
            sum += ((const volatile int *)v.addr)[(i * 7919) % C2_INTS];
        ((int *)v.addr)[C2_INTS / 2] = 42; /* the one write: one page copied */
        c2_sink = sum;
        view_close(a, self, &v);
        if (a->model == MODEL_PROCESSES)
            _exit(0);
        seconds = (double)(os_now_ns() - t0) / 1e9;
    } else if (pid > 0) {
        int status;
        waitpid(pid, &status, 0);
        if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
            seconds = (double)(os_now_ns() - t0) / 1e9; /* fork, reads, write, exit, reaped */
    }
    data_destroy(a, self, &d);
    a->destroy(self);
    return seconds;
}

static int cmp_double(const void *x, const void *y)
{
    double a = *(const double *)x, b = *(const double *)y;
    return (a > b) - (a < b);
}

static const char *const variants[C2_VARIANTS] = C2_VARIANT_NAMES;

/* Does the verdict's interval straddle the documents' ratio: no real
 * copy-on-write surely at or over it, and not both surely under (as
 * claim C2 decides)? */
static bool straddles(double t[C2_VARIANTS][C2_MAX_REPS], int n)
{
    bool above = false, below = true;
    for (int v = 2; v < C2_VARIANTS; v++) {
        enum side side = interval_side(interval_ratio(t[0], n, t[v], n), C2_CLAIMED);
        above |= side == SIDE_ABOVE;
        below &= side == SIDE_BELOW;
    }
    return !above && !below;
}

static int c2_write(const char *dir, double t[C2_VARIANTS][C2_MAX_REPS], int reps)
{
    char path[4300], tmp[4400];
    snprintf(path, sizeof path, "%s/c2.csv", dir);
    FILE *f = atomic_open(path, tmp, sizeof tmp);
    if (!f)
        return -1;
    fprintf(f, "variant,ints,reads,reps,seconds_median,seconds_min,seconds_max,seconds_reps\n");
    for (int v = 0; v < C2_VARIANTS; v++) {
        double sorted[C2_MAX_REPS];
        int n = 0;
        for (int r = 0; r < reps; r++) /* a variant that failed (NAN) is NA, never 0 */
            if (!isnan(t[v][r]))
                sorted[n++] = t[v][r];
        qsort(sorted, (size_t)n, sizeof(double), cmp_double);
        fprintf(f, "%s,%d,%d,%d", variants[v], C2_INTS, C2_READS, n);
        if (n)
            fprintf(f, ",%.6f,%.6f,%.6f,", n % 2 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2, sorted[0],
                    sorted[n - 1]);
        else
            fputs(",NA,NA,NA,", f);
        for (int r = 0; r < n; r++) /* every repetition, ';' apart: the bootstrap's */
            fprintf(f, "%s%.6f", r ? ";" : "", sorted[r]);
        fprintf(f, "%s\n", n ? "" : "NA");
    }
    return atomic_commit(f, tmp, path);
}

int c2_measure(const char *dir, int reps, int more)
{
    size_t bytes = C2_INTS * sizeof(int);
    /* the deep copies' source; fork_cow's child never sees it (MADV_DONTFORK),
     * so its fork copies the page tables of the documents' array alone */
    int *data = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (data == MAP_FAILED)
        return -1;
    madvise(data, bytes, MADV_DONTFORK);
    for (int i = 0; i < C2_INTS; i++)
        data[i] = i;
    static double t[C2_VARIANTS][C2_MAX_REPS];
    reps = reps < INTERVAL_MIN_REPS ? INTERVAL_MIN_REPS : reps; /* a few tenths of a second a round */
    int limit = reps + more < C2_MAX_REPS ? reps + more : C2_MAX_REPS, r = 0;
    for (; r < limit && (r < reps || straddles(t, r)); r++) {
        t[0][r] = c2_deep(data, 0);
        t[1][r] = c2_deep(data, 1);
        t[2][r] = c2_cow(variants[2]);
        t[3][r] = c2_cow(variants[3]);
    }
    munmap(data, bytes);
    return c2_write(dir, t, r);
}
