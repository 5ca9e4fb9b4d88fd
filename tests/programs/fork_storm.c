/*
 * fork_storm.c - fork() while other threads allocate, many times over, under
 * build/liballoclab.so (tests/bats/preload.bats): whatever lock a thread
 * holds at the instant of a fork, the child must be able to allocate. Each
 * child allocates, reallocates and frees (aligned blocks too), forks a
 * grandchild of its own now and then (the child's locks must work again),
 * and exits; a child that has not exited within 5 s is a deadlock.
 *
 *     fork_storm [FORKS [THREADS]]      prints "ok" or what went wrong
 */
#define _GNU_SOURCE
#include <malloc.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define SLOTS 256
#define CHILD_LIMIT_S 5

static volatile int stop;

static uint32_t next(uint32_t *seed) { return *seed = *seed * 1103515245u + 12345u; }

/* one allocation call of every kind, at random; the block is written */
static void *some_block(uint32_t *seed)
{
    uint32_t r = next(seed) >> 8;
    size_t n = 1 + (r >> 4) % 2000;
    void *p = NULL;
    switch (r % 5) {
    case 0: p = calloc(1, n); break;
    case 1: p = memalign((size_t)64 << (r >> 12) % 6, n); break;
    case 2: if (posix_memalign(&p, 32, n) != 0) p = NULL; break;
    default: p = malloc(n); break;
    }
    if (p)
        memset(p, 0x5a, n);
    return p;
}

/* allocation, reallocation and frees, as a worker does all the time and a child once */
static int churn(uint32_t seed, long ops, void **slot)
{
    for (long i = 0; i < ops && !stop; i++) {
        uint32_t k = next(&seed) % SLOTS;
        if (slot[k] && next(&seed) % 4 == 0) {
            void *q = realloc(slot[k], 1 + next(&seed) % 5000);
            if (!q)
                return -1;
            slot[k] = q;
            continue;
        }
        free(slot[k]);
        if (!(slot[k] = some_block(&seed)))
            return -1;
    }
    return 0;
}

static void *worker(void *arg)
{
    static void *slots[64][SLOTS];
    uintptr_t id = (uintptr_t)arg;
    if (churn((uint32_t)id + 1, -1u >> 1, slots[id]) != 0) {
        printf("FAILED: a worker's allocation failed\n");
        exit(1);
    }
    return NULL;
}

/* pid's exit status, or -1 when it did not exit 0 within the limit (then killed) */
static int reap(pid_t pid)
{
    struct timespec nap = {0, 200 * 1000};
    for (long waited = 0; waited < CHILD_LIMIT_S * 5000L; waited++) {
        int status;
        pid_t got = waitpid(pid, &status, WNOHANG);
        if (got == pid)
            return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        nanosleep(&nap, NULL);
    }
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
    return -1;
}

static void child(int f)
{
    static void *slot[SLOTS];
    if (churn((uint32_t)f * 7919u + 3, 300, slot) != 0)
        _exit(3);
    if (f % 20 == 0) { /* the child's own fork: its reinitialised locks must serve a fork again */
        pid_t pid = fork();
        if (pid == 0) {
            _exit(churn((uint32_t)f, 100, slot) == 0 ? 0 : 3);
        }
        if (pid < 0 || reap(pid) != 0)
            _exit(4);
    }
    for (int k = 0; k < SLOTS; k++)
        free(slot[k]);
    _exit(0);
}

int main(int argc, char **argv)
{
    int forks = argc > 1 ? atoi(argv[1]) : 300, threads = argc > 2 ? atoi(argv[2]) : 3;
    if (forks < 1 || threads < 1 || threads > 64) {
        fprintf(stderr, "usage: fork_storm [FORKS (1 or more) [THREADS (1 to 64)]]\n");
        return 2;
    }
    pthread_t t[64];
    for (int i = 0; i < threads; i++)
        if (pthread_create(&t[i], NULL, worker, (void *)(uintptr_t)i) != 0) {
            printf("FAILED: cannot start thread %d\n", i);
            return 1;
        }
    for (int f = 0; f < forks; f++) {
        pid_t pid = fork();
        if (pid == 0)
            child(f);
        int status = pid < 0 ? -2 : reap(pid);
        if (status == -1)
            printf("FAILED: child %d hung (a lock held across fork)\n", f);
        else if (status != 0)
            printf("FAILED: child %d ended with status %d\n", f, status);
        if (status != 0)
            return 1;
    }
    stop = 1;
    for (int i = 0; i < threads; i++)
        pthread_join(t[i], NULL);
    printf("ok\n");
    return 0;
}
