/*
 * test_hooks.c - the optional parts of the strategy contract that
 * liballoclab.so relies on (allocator.h), on every heap strategy that
 * declares them:
 *
 *   usable_size, alloc_aligned   every usable byte is the block's own (no
 *                                two blocks share one), aligned blocks are
 *                                aligned, and free(ptr, 0) takes them all;
 *   fork                         with threads allocating, prepare, fork,
 *                                child and parent leave both sides a heap
 *                                that serves: a child that cannot allocate
 *                                within 10 s has inherited a held lock.
 *
 * And the built-ins declare what the preload library's fast path needs:
 * system_malloc and the reference allocators are headerless and re-entrant
 * with their own fork handling, locked_freelist and block_suballoc have
 * fork hooks.
 */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "allocator.h"
#include "replay/replay.h"

static void *make(const struct allocator *a)
{
    const char *why = allocator_unavailable(a);
    if (why) {
        print_message("%s: unavailable here: %s\n", a->name, why);
        skip();
    }
    char err[ALLOC_ERR_LEN] = "";
    void *h = alloc_create(a, NULL, THP_DEFAULT, err);
    if (!h)
        fail_msg("%s: create failed: %s", a->name, err);
    return h;
}

/* ---- usable_size and alloc_aligned ---- */
enum { BLOCKS = 200 };

static void test_usable_and_aligned(void **state)
{
    const struct allocator *a = *state;
    void *h = make(a);
    struct live_set live = {0};
    void *p[BLOCKS];
    size_t usable[BLOCKS];
    for (int i = 0; i < BLOCKS; i++) {
        size_t want = 1 + (size_t)(i * 7919) % 70000, align = i % 2 ? (size_t)32 << i % 12 : 0;
        p[i] = align ? a->alloc_aligned(h, align, want) : a->alloc(h, want);
        if (!p[i] || (align && (uintptr_t)p[i] % align))
            fail_msg("%s: %zu bytes aligned to %zu: %p", a->name, want, align, p[i]);
        usable[i] = a->usable_size(h, p[i]);
        if (usable[i] < want)
            fail_msg("%s: %zu usable bytes in a %zu-byte block", a->name, usable[i], want);
        uint32_t other;
        if (live_insert(&live, p[i], usable[i], (uint32_t)i, &other) != 0)
            fail_msg("%s: the usable bytes of block %d overlap block %u's", a->name, i, other);
        memset(p[i], i & 0xff, usable[i]); /* every usable byte is writable */
    }
    for (int i = 0; i < BLOCKS; i++) {
        const unsigned char *b = p[i];
        for (size_t k = 0; k < usable[i]; k++)
            if (b[k] != (i & 0xff))
                fail_msg("%s: block %d's byte %zu was overwritten", a->name, i, k);
        if (a->realloc && i % 5 == 0) /* the preload library's realloc: the old size unknown */
            p[i] = a->realloc(h, p[i], 0, usable[i] + 100);
        assert_non_null(p[i]);
        a->free(h, p[i], 0); /* the size unknown */
    }
    live_free(&live);
    a->destroy(h);
}

/* ---- fork hooks ---- */
struct churner {
    const struct allocator *a;
    void *heap;
    volatile int stop;
};

static void *churn(void *arg)
{
    struct churner *c = arg;
    void *slot[64] = {0};
    size_t size[64] = {0};
    for (uint32_t r = 1; !c->stop;) {
        r = r * 1103515245u + 12345u;
        int k = (int)(r >> 8) % 64;
        if (slot[k])
            c->a->free(c->heap, slot[k], size[k]);
        size[k] = 1 + (r >> 16) % 40000;
        slot[k] = c->a->alloc(c->heap, size[k]);
    }
    for (int k = 0; k < 64; k++)
        if (slot[k])
            c->a->free(c->heap, slot[k], size[k]);
    return NULL;
}

/* what a child does: allocate and free, then exit 0 */
static void child(const struct allocator *a, void *heap)
{
    if (a->fork->child)
        a->fork->child(heap);
    for (size_t n = 1; n < 100000; n = n * 2 + 1) {
        void *p = a->alloc(heap, n);
        if (!p)
            _exit(3);
        memset(p, 1, n);
        a->free(heap, p, n);
    }
    _exit(0);
}

/* 0 when pid exited 0 within 10 s; else it is killed */
static int reaped(pid_t pid)
{
    struct timespec nap = {0, 1000 * 1000};
    for (int ms = 0; ms < 10000; ms++) {
        int status;
        if (waitpid(pid, &status, WNOHANG) == pid)
            return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
        nanosleep(&nap, NULL);
    }
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
    return -1;
}

static void test_fork_hooks(void **state)
{
    const struct allocator *a = *state;
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
    /* here the C library's malloc is the sanitizer's, whose allocator (GCC
     * 12's) holds no lock across fork: a child can find one held */
    if (a->promises & ALLOC_LIBRARY_HEAP) {
        print_message("%s: not under a sanitizer: its malloc is the sanitizer's\n", a->name);
        skip();
    }
#endif
    struct churner c = {.a = a, .heap = make(a)};
    pthread_t t[2];
    for (int i = 0; i < 2; i++)
        assert_int_equal(pthread_create(&t[i], NULL, churn, &c), 0);
    int failed = -1;
    for (int f = 0; f < 50 && failed < 0; f++) {
        if (a->fork->prepare)
            a->fork->prepare(c.heap);
        pid_t pid = fork();
        if (pid == 0)
            child(a, c.heap);
        if (a->fork->parent)
            a->fork->parent(c.heap);
        if (pid < 0 || reaped(pid) != 0)
            failed = f;
    }
    c.stop = 1;
    for (int i = 0; i < 2; i++)
        pthread_join(t[i], NULL);
    a->destroy(c.heap);
    if (failed >= 0)
        fail_msg("%s: child %d could not allocate after fork (a lock held across it?)", a->name, failed);
}

/* ---- what the built-ins declare ---- */
static void test_builtins_declare(void **state)
{
    (void)state;
    static const char *const headerless[] = {"system_malloc", "jemalloc", "mimalloc", "tcmalloc"};
    for (size_t i = 0; i < sizeof headerless / sizeof *headerless; i++) {
        const struct allocator *a = allocator_find(headerless[i]);
        assert_non_null(a);
        if (!allocator_headerless(a) || !a->fork || !(a->promises & ALLOC_REENTRANT))
            fail_msg("%s: should be headerless and re-entrant, with its fork handling declared", a->name);
    }
    assert_non_null(allocator_find("locked_freelist")->fork);
    assert_non_null(allocator_find("block_suballoc")->fork);
    for (size_t i = 0; allocator_registry[i]; i++) { /* both size hooks or neither */
        const struct allocator *a = allocator_registry[i];
        if (!a->usable_size != !a->alloc_aligned)
            fail_msg("%s: usable_size and alloc_aligned go together", a->name);
    }
}

int main(void)
{
    static struct CMUnitTest tests[128];
    size_t n = 0;
    const char *only = getenv("ALLOCLAB_ONLY"); /* one strategy, as test_heap takes it */
    if (!only)
        tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_builtins_declare);
    for (size_t i = 0; allocator_registry[i] && n + 2 < sizeof tests / sizeof *tests; i++) {
        const struct allocator *a = allocator_registry[i];
        if (only && strcmp(only, a->name))
            continue;
        char *name;
        if (allocator_headerless(a) && asprintf(&name, "%s: usable sizes, aligned blocks, free without size", a->name) > 0)
            tests[n++] = (struct CMUnitTest){name, test_usable_and_aligned, NULL, NULL, (void *)a};
        if (allocator_has_heap(a) && a->fork && asprintf(&name, "%s: fork hooks, threads allocating", a->name) > 0)
            tests[n++] = (struct CMUnitTest){name, test_fork_hooks, NULL, NULL, (void *)a};
    }
    return _cmocka_run_group_tests("strategy hooks", tests, n, NULL, NULL);
}
