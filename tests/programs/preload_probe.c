/*
 * preload_probe.c - what a program may ask of malloc, checked under
 * build/liballoclab.so (tests/bats/preload.bats): every entry point,
 * alignments over 16, usable sizes (every usable byte writable, no
 * neighbour damaged), calloc on recycled blocks, realloc of aligned blocks,
 * threads freeing each other's blocks, and fork() while other threads
 * allocate. Prints "ok" or the first failure.
 *
 *     preload_probe          the checks
 *     preload_probe usable   malloc_usable_size of a fixed list of requests,
 *                            one a line: a headerless strategy answers as
 *                            its library does on its own
 */
#define _GNU_SOURCE
#include <malloc.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define CHECK(cond)                                                                                                \
    do {                                                                                                           \
        if (!(cond)) {                                                                                             \
            printf("FAILED line %d: %s\n", __LINE__, #cond);                                                      \
            exit(1);                                                                                               \
        }                                                                                                          \
    } while (0)

static void entry_points(void)
{
    for (size_t align = 8; align <= 65536; align <<= 1) {
        void *p = NULL;
        CHECK(posix_memalign(&p, align, 100) == 0 && ((uintptr_t)p % align) == 0);
        memset(p, 1, 100);
        CHECK(malloc_usable_size(p) >= 100);
        free(p);
        if (align >= 16) {
            char *q = aligned_alloc(align, 3 * align);
            CHECK(q && ((uintptr_t)q % align) == 0);
            memset(q, 2, 3 * align);
            free(q);
            q = memalign(align, 7);
            CHECK(q && ((uintptr_t)q % align) == 0);
            free(q);
        }
    }
    void *p = NULL;
    CHECK(posix_memalign(&p, 24, 8) != 0); /* not a power of two */
    volatile size_t absurd = (size_t)1 << 63;
    CHECK(memalign(absurd + 1, 8) == NULL && aligned_alloc(absurd, 8) == NULL);
    char *v = valloc(5000);
    CHECK(v && ((uintptr_t)v % (uintptr_t)sysconf(_SC_PAGESIZE)) == 0);
    free(v);
    unsigned char *z = calloc(1000, 7);
    for (int i = 0; i < 7000; i++)
        CHECK(z[i] == 0);
    free(z);
    volatile size_t huge = SIZE_MAX / 2;
    CHECK(calloc(huge, 4) == NULL);
    char *m = malloc(0);
    CHECK(m != NULL);
    free(m);
    char *r = NULL;
    for (size_t n = 1; n < 1 << 20; n = n * 3 / 2 + 1) { /* grow, keeping the prefix */
        r = realloc(r, n);
        CHECK(r);
        r[n - 1] = (char)n;
        CHECK(n < 2 || r[0] == 1);
        r[0] = 1;
    }
    r = realloc(r, 10);
    CHECK(r && r[0] == 1);
    r = reallocarray(r, 10, 10);
    CHECK(r && r[0] == 1);
    CHECK(realloc(r, 0) == NULL);
    CHECK(malloc(huge) == NULL);
}

/* every usable byte of every block written, then read back: no block overlaps another's usable bytes */
static void usable_bytes(void)
{
    enum { N = 300 };
    static unsigned char *b[N];
    static size_t n[N];
    unsigned seed = 7;
    CHECK(malloc_usable_size(NULL) == 0);
    for (int i = 0; i < N; i++) {
        seed = seed * 1103515245u + 12345u;
        size_t want = 1 + (seed >> 8) % 3000;
        b[i] = i % 3 ? malloc(want) : memalign((size_t)32 << i % 5, want);
        CHECK(b[i] && (n[i] = malloc_usable_size(b[i])) >= want);
        memset(b[i], i & 0xff, n[i]);
    }
    for (int i = 0; i < N; i++) {
        for (size_t k = 0; k < n[i]; k++)
            CHECK(b[i][k] == (i & 0xff));
        if (i % 2)
            free(b[i]);
    }
    for (int i = 0; i < N; i += 2) { /* recycled blocks: calloc zeroes them, realloc keeps an aligned one's bytes */
        unsigned char *z = calloc(1, n[i + 1]);
        for (size_t k = 0; z && k < n[i + 1]; k++)
            CHECK(z[k] == 0);
        free(z);
        b[i] = realloc(b[i], n[i] * 3);
        for (size_t k = 0; b[i] && k < n[i]; k++)
            CHECK(b[i][k] == (i & 0xff));
        CHECK(b[i] && ((uintptr_t)b[i] % 16) == 0);
        free(b[i]);
    }
}

/* what the heap answers for a fixed list of requests */
static void print_usable(void)
{
    static const size_t sizes[] = {1, 8, 24, 100, 1000, 5000, 70000, 1 << 20};
    for (size_t i = 0; i < sizeof sizes / sizeof *sizes; i++) {
        void *p = malloc(sizes[i]), *q = memalign(4096, sizes[i]);
        printf("%zu: %zu %zu\n", sizes[i], malloc_usable_size(p), malloc_usable_size(q));
        free(p);
        free(q);
    }
}

enum { THREADS = 4, SLOTS = 512, OPS = 200000 };
static char *shared[THREADS][SLOTS];
static volatile int stop;

/* each thread frees, at random, blocks another thread allocated */
static void *churn(void *arg)
{
    unsigned id = (unsigned)(uintptr_t)arg, seed = id + 1;
    for (int i = 0; i < OPS && !stop; i++) {
        seed = seed * 1103515245u + 12345u;
        unsigned k = (seed >> 8) % SLOTS;
        char **slot = &shared[(id + (seed >> 20) % 2) % THREADS][k];
        char *old = __atomic_exchange_n(slot, NULL, __ATOMIC_ACQ_REL);
        if (old) {
            CHECK(old[0] == (char)(old[1] ^ 0x5a));
            free(old);
        }
        size_t n = 16 + (seed >> 16) % 600;
        char *b = malloc(n);
        CHECK(b);
        b[1] = (char)seed;
        b[0] = (char)(b[1] ^ 0x5a);
        old = __atomic_exchange_n(slot, b, __ATOMIC_ACQ_REL);
        free(old);
    }
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc > 1 && !strcmp(argv[1], "usable")) {
        print_usable();
        return 0;
    }
    entry_points();
    usable_bytes();
    pthread_t t[THREADS];
    for (uintptr_t i = 0; i < THREADS; i++)
        CHECK(pthread_create(&t[i], NULL, churn, (void *)i) == 0);
    for (int f = 0; f < 20; f++) { /* fork while the others allocate: the child must allocate too */
        pid_t pid = fork();
        CHECK(pid >= 0);
        if (pid == 0) {
            for (int i = 0; i < 1000; i++)
                free(malloc((size_t)i + 1));
            _exit(0);
        }
        int status;
        CHECK(waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0);
    }
    for (int i = 0; i < THREADS; i++)
        pthread_join(t[i], NULL);
    printf("ok\n");
    return 0;
}
