/*
 * alloclab-server - a larson-like server loop, the `programs` workload's own
 * program (program=server): each thread keeps a window of blocks of random
 * sizes (8 to 1000 bytes) and replaces one at random, a free and a malloc,
 * a fixed number of times, as a server handling requests does.
 *
 *     alloclab-server [-t THREADS] [-n REPLACEMENTS] [-w WINDOW] [-s SEED]
 *
 * Every block carries a tag (its thread and serial number) in its first
 * bytes and its last byte, checked before it is freed: a heap that hands out
 * one block twice, or a block too small, is caught. stdout has one line that
 * depends only on the arguments (the workload compares it with the run as
 * packaged); stderr has the speed, replacements per second over every
 * thread, timed from the moment they all start to the last one's end.
 *
 * It is built with no sanitizer and nothing of alloclab's: its malloc is
 * whichever the run gives it (glibc, liballoclab.so, a packaged allocator).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MIN_SIZE 8
#define MAX_SIZE 1000
#define MAX_THREADS 1024

struct job {
    pthread_t id;
    unsigned index;
    uint64_t seed, replacements, window;
    uint64_t checksum; /* the tags it checked, with their blocks' sizes */
    int failed;
};

static pthread_barrier_t start_line;

static uint64_t splitmix64(uint64_t *state)
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

/* the byte a block of more than 8 bytes ends with */
static char last_byte(uint64_t tag) { return (char)(tag ^ 0x5a); }

/* a block of size bytes (at least 8), tagged at both ends */
static char *take(size_t size, uint64_t tag)
{
    char *b = malloc(size);
    if (!b)
        return NULL;
    memcpy(b, &tag, sizeof tag);
    if (size > sizeof tag)
        b[size - 1] = last_byte(tag);
    return b;
}

/* the tag, checked at both ends, added to the checksum; then freed */
static int give_back(struct job *j, char *b, size_t size, uint64_t tag)
{
    uint64_t seen;
    memcpy(&seen, b, sizeof seen);
    if (seen != tag || (size > sizeof tag && b[size - 1] != last_byte(tag)))
        return -1;
    j->checksum += (tag ^ (uint64_t)size << 40) * 0x9e3779b97f4a7c15ull; /* the sizes depend on the seed */
    free(b);
    return 0;
}

static void *serve(void *arg)
{
    struct job *j = arg;
    uint64_t rng = j->seed * 0x9e3779b97f4a7c15ull + j->index, serial = 0;
    char **block = calloc(j->window, sizeof *block);
    uint32_t *size = calloc(j->window, sizeof *size);
    uint64_t *tag = calloc(j->window, sizeof *tag);
    j->failed = !block || !size || !tag;
    for (uint64_t k = 0; k < j->window && !j->failed; k++) {
        size[k] = MIN_SIZE + (uint32_t)(splitmix64(&rng) % (MAX_SIZE - MIN_SIZE + 1));
        tag[k] = (uint64_t)j->index << 48 | serial++;
        j->failed = !(block[k] = take(size[k], tag[k]));
    }
    pthread_barrier_wait(&start_line);
    for (uint64_t i = 0; i < j->replacements && !j->failed; i++) {
        uint64_t r = splitmix64(&rng), k = r % j->window;
        if (give_back(j, block[k], size[k], tag[k]) != 0) {
            j->failed = 1;
            break;
        }
        size[k] = MIN_SIZE + (uint32_t)((r >> 32) % (MAX_SIZE - MIN_SIZE + 1));
        tag[k] = (uint64_t)j->index << 48 | serial++;
        j->failed = !(block[k] = take(size[k], tag[k]));
    }
    for (uint64_t k = 0; k < j->window && block && block[k] && !j->failed; k++)
        j->failed = give_back(j, block[k], size[k], tag[k]) != 0;
    free(block);
    free(size);
    free(tag);
    return NULL;
}

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* a whole number in [lo, hi], or one line and exit 2 */
static uint64_t number(const char *flag, const char *text, uint64_t lo, uint64_t hi)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(text, &end, 10);
    if (errno || end == text || *end || text[0] == '-' || v < lo || v > hi) {
        fprintf(stderr, "alloclab-server: %s wants a whole number from %" PRIu64 " to %" PRIu64 ", not '%s'\n",
                flag, lo, hi, text);
        exit(2);
    }
    return v;
}

int main(int argc, char **argv)
{
    uint64_t threads = 1, replacements = 1000000, window = 5000, seed = 1;
    int c;
    opterr = 0;
    while ((c = getopt(argc, argv, "t:n:w:s:")) != -1) {
        switch (c) {
        case 't': threads = number("-t (threads)", optarg, 1, MAX_THREADS); break;
        case 'n': replacements = number("-n (replacements per thread)", optarg, 0, 1ull << 40); break;
        case 'w': window = number("-w (blocks per thread)", optarg, 1, 1u << 24); break;
        case 's': seed = number("-s (seed)", optarg, 0, UINT64_MAX); break;
        default:
            fprintf(stderr, "usage: alloclab-server [-t THREADS] [-n REPLACEMENTS] [-w WINDOW] [-s SEED]\n");
            return 2;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "alloclab-server: unexpected argument '%s'\n", argv[optind]);
        return 2;
    }
    static struct job jobs[MAX_THREADS];
    pthread_barrier_init(&start_line, NULL, (unsigned)threads + 1);
    for (unsigned i = 0; i < threads; i++) {
        jobs[i] = (struct job){.index = i, .seed = seed, .replacements = replacements, .window = window};
        if (pthread_create(&jobs[i].id, NULL, serve, &jobs[i]) != 0) {
            fprintf(stderr, "alloclab-server: cannot start thread %u\n", i);
            return 1;
        }
    }
    pthread_barrier_wait(&start_line);
    double t0 = now_s();
    uint64_t checksum = 0;
    int failed = 0;
    for (unsigned i = 0; i < threads; i++) {
        pthread_join(jobs[i].id, NULL);
        checksum += jobs[i].checksum;
        failed |= jobs[i].failed;
    }
    double took = now_s() - t0;
    if (failed) {
        fprintf(stderr, "alloclab-server: a block came back damaged, or malloc failed\n");
        return 1;
    }
    printf("threads %" PRIu64 " replacements %" PRIu64 " window %" PRIu64 " checksum %016" PRIx64 "\n", threads,
           replacements, window, checksum);
    fprintf(stderr, "%.0f replacements/s (%" PRIu64 " threads, %.3f s)\n",
            took > 0 ? (double)(threads * replacements) / took : 0.0, threads, took);
    return 0;
}
