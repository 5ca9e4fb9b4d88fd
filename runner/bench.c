/*
 * bench.c - `alloclab bench`: the benchmark matrix of a profile.
 *
 * So far the matrix holds what the suite can already measure: small-object
 * churn on every heap strategy at 1 and 2 threads. The runner, workloads and
 * figures extend it (see the open issues); nothing here is a placeholder
 * number: each figure printed is measured in this run.
 */
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "allocator.h"
#include "cli.h"
#include "cowcost.h"
#include "support/os.h"

struct profile {
    const char *name;
    long ops_per_thread;
    int reps;
    size_t cow_bytes; /* data set for the copy-on-write fault cost */
};

static const struct profile profiles[] = {
    {"test", 200000, 1, 8u << 20},
    {"quick", 2000000, 3, 64u << 20},
    {"default", 5000000, 5, 256u << 20},
    {"full", 20000000, 7, 1024u << 20},
};

/* Cost per written page of each copy-on-write mechanism, as ratios measured
 * in this run (issue targets: mprotect_cow <= 2.0x the kernel's COW fault,
 * fork_cow within 10% of a bare fork-and-write loop). */
static int bench_cow_cost(const struct profile *p, const char *dir)
{
    struct cow_cost c;
    if (cow_cost_measure(p->cow_bytes, p->reps, &c) != 0) {
        fprintf(stderr, "alloclab: the copy-on-write cost measurement failed\n");
        return EXIT_MEASURE;
    }
    printf("\ncopy-on-write cost per written 4 KiB page, %zu MiB data set, median of %d\n", p->cow_bytes >> 20, p->reps);
    printf("  kernel COW fault (bare fork + write)   %8.0f ns\n", c.kernel_ns_per_page);
    printf("  fork_cow                                %8.0f ns  %5.2fx the bare loop (target <= 1.10)\n",
           c.fork_cow_ns_per_page, c.fork_cow_ns_per_page / c.kernel_ns_per_page);
    printf("  mprotect_cow                            %8.0f ns  %5.2fx the kernel fault (target <= 2.00)\n",
           c.mprotect_cow_ns_per_page, c.mprotect_cow_ns_per_page / c.kernel_ns_per_page);
    printf("  memcpy of a page (eager copy, for scale) %7.0f ns\n", c.memcpy_ns_per_page);
    char path[600], tmp[620];
    snprintf(path, sizeof path, "%s/cow-cost.csv", dir);
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = fopen(tmp, "w");
    if (!f)
        return EXIT_MEASURE;
    fprintf(f, "size_bytes,reps,kernel_ns_per_page,fork_cow_ns_per_page,mprotect_cow_ns_per_page,memcpy_ns_per_page\n");
    fprintf(f, "%zu,%d,%.1f,%.1f,%.1f,%.1f\n", p->cow_bytes, p->reps, c.kernel_ns_per_page, c.fork_cow_ns_per_page,
            c.mprotect_cow_ns_per_page, c.memcpy_ns_per_page);
    if (fclose(f) != 0 || rename(tmp, path) != 0)
        return EXIT_MEASURE;
    return EXIT_OK;
}

struct churn_job {
    const struct allocator *a;
    void *heap;
    long ops;
    uint64_t seed;
    int failed;
};

#define WINDOW 1024

static void *churn_thread(void *arg)
{
    struct churn_job *job = arg;
    void *ptr[WINDOW] = {0};
    size_t size[WINDOW];
    uint64_t x = job->seed;
    for (long i = 0; i < job->ops; i++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17; /* xorshift: no call in the loop */
        unsigned slot = (unsigned)(x % WINDOW);
        if (ptr[slot]) {
            job->a->free(job->heap, ptr[slot], size[slot]);
            ptr[slot] = NULL;
        } else {
            size[slot] = 16 + (x >> 32) % 497; /* uniform 16..512 bytes */
            ptr[slot] = job->a->alloc(job->heap, size[slot]);
            if (!ptr[slot]) {
                job->failed = 1;
                break;
            }
            *(char *)ptr[slot] = 1; /* touch it, as a program would */
        }
    }
    for (int s = 0; s < WINDOW; s++)
        if (ptr[s])
            job->a->free(job->heap, ptr[s], size[s]);
    return NULL;
}

/* ops/s of one churn run, or -1 on failure */
static double churn_once(const struct allocator *a, int threads, long ops, char err[ALLOC_ERR_LEN])
{
    struct alloc_config cfg = {0};
    void *heap = a->create(&cfg, err);
    if (!heap)
        return -1;
    struct churn_job jobs[64];
    pthread_t tid[64];
    uint64_t t0 = os_now_ns();
    for (int t = 0; t < threads; t++) {
        jobs[t] = (struct churn_job){a, heap, ops, 0x9e3779b97f4a7c15ull * (uint64_t)(t + 1), 0};
        pthread_create(&tid[t], NULL, churn_thread, &jobs[t]);
    }
    int failed = 0;
    for (int t = 0; t < threads; t++) {
        pthread_join(tid[t], NULL);
        failed |= jobs[t].failed;
    }
    uint64_t ns = os_now_ns() - t0;
    a->destroy(heap);
    if (failed) {
        snprintf(err, ALLOC_ERR_LEN, "%s: allocation failed during churn", a->name);
        return -1;
    }
    return (double)ops * threads / ((double)ns / 1e9);
}

static int cmp_double(const void *x, const void *y)
{
    double a = *(const double *)x, b = *(const double *)y;
    return (a > b) - (a < b);
}

static int make_run_dir(char *dir, size_t len)
{
    char host[64] = "host";
    gethostname(host, sizeof host - 1);
    time_t now = time(NULL);
    char stamp[32];
    strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", localtime(&now));
    mkdir("results", 0777);
    snprintf(dir, len, "results/%s-%s", stamp, host);
    if (mkdir(dir, 0777) != 0 && errno != EEXIST)
        return -1;
    unlink("results/latest");
    if (symlink(dir + strlen("results/"), "results/latest") != 0)
        return -1;
    return 0;
}

int bench_main(int argc, char **argv)
{
    static const struct option opts[] = {{"profile", required_argument, NULL, 'p'},
                                         {"out", required_argument, NULL, 'o'},
                                         {NULL, 0, NULL, 0}};
    const char *profile_name = "default", *out = NULL;
    int c;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "+", opts, NULL)) != -1) {
        if (c == 'p')
            profile_name = optarg;
        else if (c == 'o')
            out = optarg;
        else
            die_usage("bench: unknown or incomplete option '%s'", argv[optind - 1]);
    }
    if (optind < argc)
        die_usage("bench: unexpected argument '%s'", argv[optind]);
    const struct profile *p = NULL;
    for (size_t i = 0; i < sizeof profiles / sizeof *profiles; i++)
        if (!strcmp(profiles[i].name, profile_name))
            p = &profiles[i];
    if (!p)
        die_usage("bench: unknown profile '%s' (test, quick, default or full)", profile_name);

    char dir[512];
    if (out) {
        snprintf(dir, sizeof dir, "%s", out);
        if (mkdir(dir, 0777) != 0 && errno != EEXIST)
            die_usage("bench: cannot create '%s': %s", dir, strerror(errno));
    } else if (make_run_dir(dir, sizeof dir) != 0) {
        die_usage("bench: cannot create a run folder under results/: %s", strerror(errno));
    }
    char path[600], tmp[620];
    snprintf(path, sizeof path, "%s/churn-preview.csv", dir);
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *csv = fopen(tmp, "w");
    if (!csv)
        die_usage("bench: cannot write '%s': %s", tmp, strerror(errno));
    fprintf(csv, "strategy,threads,reps,ops_per_sec_median,ops_per_sec_min,ops_per_sec_max\n");
    printf("churn, uniform 16-512 B, window %d, %ld ops per thread, median of %d (profile %s)\n", WINDOW,
           p->ops_per_thread, p->reps, p->name);
    printf("%-16s %8s %16s %12s\n", "strategy", "threads", "ops/s (median)", "vs malloc");
    double baseline[3] = {0};
    int status = EXIT_OK;
    /* the baseline first, so every other row can be given as a ratio */
    const struct allocator *order[64];
    size_t n = 0;
    order[n++] = allocator_find("system_malloc");
    for (size_t i = 0; allocator_registry[i] && n < 64; i++)
        if (allocator_registry[i] != order[0])
            order[n++] = allocator_registry[i];
    for (size_t i = 0; i < n; i++) {
        const struct allocator *a = order[i];
        if (!a || !allocator_has_heap(a))
            continue;
        for (int threads = 1; threads <= 2; threads++) {
            double r[16];
            char err[ALLOC_ERR_LEN] = "";
            int k;
            for (k = 0; k < p->reps; k++)
                if ((r[k] = churn_once(a, threads, p->ops_per_thread, err)) < 0)
                    break;
            if (k < p->reps) {
                fprintf(stderr, "alloclab: %s\n", err);
                status = EXIT_MEASURE;
                continue;
            }
            qsort(r, (size_t)p->reps, sizeof *r, cmp_double);
            double median = r[p->reps / 2];
            if (!strcmp(a->name, "system_malloc"))
                baseline[threads] = median;
            fprintf(csv, "%s,%d,%d,%.0f,%.0f,%.0f\n", a->name, threads, p->reps, median, r[0], r[p->reps - 1]);
            printf("%-16s %8d %16.0f", a->name, threads, median);
            if (baseline[threads] > 0)
                printf(" %11.2fx\n", median / baseline[threads]);
            else
                printf(" %12s\n", "NA");
        }
    }
    if (fclose(csv) != 0 || rename(tmp, path) != 0) {
        fprintf(stderr, "alloclab: cannot write '%s'\n", path);
        return EXIT_MEASURE;
    }
    int cow_status = bench_cow_cost(p, dir);
    if (cow_status != EXIT_OK)
        status = cow_status;
    printf("results: %s\n", dir);
    return status;
}
