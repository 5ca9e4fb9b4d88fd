/*
 * test_user_cow.c - what the copy-on-write strategies that catch first writes
 * in user space must also get right, beyond test_copy.c's table: a fault that
 * is not theirs still crashes (or reaches the handler installed before), and
 * random writes over a 1 GiB view neither exhaust vm.max_map_count nor lose a
 * write. Each runs on mprotect_cow and on every mode of uffd_cow this kernel
 * has.
 */
#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "allocator.h"

#define PAGE 4096

struct user_cow {
    const char *strategy, *options;
    int signal; /* the one its handler takes */
};

static const struct user_cow *under_test; /* the children's strategy */

static void *make_strategy(void)
{
    char err[ALLOC_ERR_LEN];
    void *self = alloc_create(allocator_find(under_test->strategy), under_test->options, THP_DEFAULT, err);
    if (!self)
        _exit(99);
    return self;
}

static int child_status(void (*fn)(void))
{
    pid_t pid = fork();
    if (pid == 0) {
        signal(SIGSEGV, SIG_DFL); /* not cmocka's handlers: the child must really crash */
        signal(SIGBUS, SIG_DFL);
        fn();
        _exit(0);
    }
    int status;
    waitpid(pid, &status, 0);
    return status;
}

static volatile char *volatile wild;

static void write_read_only_page(void)
{
    make_strategy();
    wild = mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    wild[0] = 1; /* SEGV_ACCERR, but in no view */
}

static void write_unmapped(void)
{
    make_strategy();
    wild = (volatile char *)16;
    wild[0] = 1; /* SEGV_MAPERR */
}

/* a SIGBUS of its own: a page of a mapping past the end of its file */
static void touch_past_end_of_file(void)
{
    make_strategy();
    int fd = memfd_create("past-end", 0);
    if (fd < 0 || ftruncate(fd, PAGE) != 0)
        _exit(98);
    wild = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    wild[PAGE] = 1; /* SIGBUS, BUS_ADRERR */
}

static void write_sealed_original(void)
{
    const struct allocator *a = allocator_find(under_test->strategy);
    void *self = make_strategy();
    char err[ALLOC_ERR_LEN];
    struct dataset d;
    if (data_create(a, self, 1u << 20, THP_DEFAULT, &d, err) || data_seal(a, self, &d, err))
        _exit(98);
    struct view v;
    if (view_open(a, self, &d, &v, err))
        _exit(97);
    ((volatile char *)v.addr)[0] = 1; /* ours: fine */
    ((volatile char *)d.base)[0] = 1; /* the original: a real bug, must crash */
}

static void exit_42(int sig)
{
    (void)sig;
    _exit(42);
}

static void previous_handler_runs(void)
{
    signal(under_test->signal, exit_42);
    make_strategy();
    if (under_test->signal == SIGSEGV) {
        wild = (volatile char *)16;
        wild[0] = 1;
    }
    raise(SIGBUS); /* not a fault in a view: forwarded */
}

static void test_real_crashes_still_crash(void **state)
{
    under_test = *state;
#if defined(__SANITIZE_ADDRESS__)
    skip(); /* ASan turns the crash into its own report and exit code */
#endif
#if defined(__SANITIZE_THREAD__)
    skip(); /* children forked from a threaded process: not under ThreadSanitizer */
#endif
    int s = child_status(write_read_only_page);
    assert_true(WIFSIGNALED(s) && WTERMSIG(s) == SIGSEGV);
    s = child_status(write_unmapped);
    assert_true(WIFSIGNALED(s) && WTERMSIG(s) == SIGSEGV);
    s = child_status(write_sealed_original);
    assert_true(WIFSIGNALED(s) && WTERMSIG(s) == SIGSEGV);
    s = child_status(touch_past_end_of_file);
    assert_true(WIFSIGNALED(s) && WTERMSIG(s) == SIGBUS);
    s = child_status(previous_handler_runs);
    assert_true(WIFEXITED(s) && WEXITSTATUS(s) == 42);
}

/* ---- random writes to half of a 1 GiB view ---- */
/* Two threads share one 1 GiB view; each owns the pages p with p % 2 == id.
 * Each first write is followed by a rewrite of one of the thread's earlier
 * pages, so writes to pages already copied race with the other thread's
 * copies (and, in mprotect_cow, with whole-block promotions, which make a
 * block read-only while they copy it). */
struct half_writer {
    uint8_t *view;
    size_t pages, goal;
    int id;
    uint8_t *written;   /* per page, 1 once written; pages of this thread only */
    uint64_t *last;     /* per page, the value last written into word 2 */
    size_t *order;      /* this thread's pages, in the order first written */
};

static void *write_half(void *arg)
{
    struct half_writer *h = arg;
    uint64_t x = 88172645463325252ull + (uint64_t)h->id, n = 0;
    while (n < h->goal) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        size_t p = (x % (h->pages / 2)) * 2 + (size_t)h->id;
        if (h->written[p])
            continue;
        h->written[p] = 1;
        h->order[n++] = p;
        uint64_t *w = (uint64_t *)(h->view + p * PAGE);
        w[1] = ~p;
        size_t again = h->order[x % n]; /* one of ours, most likely copied before */
        h->last[again] = x;
        ((uint64_t *)(h->view + again * PAGE))[2] = x;
    }
    return NULL;
}

/* the mappings of /proc/self/maps that overlap [addr, addr + len) */
static long mappings_in(const void *addr, size_t len)
{
    FILE *f = fopen("/proc/self/maps", "r");
    uintptr_t lo = (uintptr_t)addr, hi = lo + len, start, end;
    char line[512];
    long n = 0;
    while (f && fgets(line, sizeof line, f))
        if (sscanf(line, "%lx-%lx", &start, &end) == 2 && start < hi && end > lo)
            n++;
    if (f)
        fclose(f);
    return n;
}

static void write_half_of(const struct allocator *a, const struct view *v, size_t pages)
{
    uint8_t *written = calloc(pages, 1);
    uint64_t *last = calloc(pages, sizeof *last);
    size_t *order = calloc(pages, sizeof *order);
    assert_true(written && last && order);
    struct half_writer h[2];
    pthread_t t[2];
    for (int i = 0; i < 2; i++) { /* half the pages in all, in random order */
        h[i] = (struct half_writer){(uint8_t *)v->addr, pages, pages / 4, i, written, last, order + (size_t)i * pages / 2};
        assert_int_equal(pthread_create(&t[i], NULL, write_half, &h[i]), 0);
    }
    for (int i = 0; i < 2; i++)
        pthread_join(t[i], NULL);
    for (size_t p = 0; p < pages; p++) {
        const uint64_t *w = (const uint64_t *)v->addr + p * PAGE / 8;
        if (w[0] != p || w[1] != (written[p] ? ~p : 0) || w[2] != last[p])
            fail_msg("%s: page %zu of the 1 GiB view is wrong", a->name, p);
    }
    free(written);
    free(last);
    free(order);
}

static void test_random_writes_over_1_gib(void **state)
{
    under_test = *state;
    const struct allocator *a = allocator_find(under_test->strategy);
    char err[ALLOC_ERR_LEN];
    void *self = alloc_create(a, under_test->options, THP_DEFAULT, err);
    assert_non_null(self);
    size_t size = (size_t)1 << 30, pages = size / PAGE;
    struct dataset d;
    assert_int_equal(data_create(a, self, size, THP_DEFAULT, &d, err), 0);
    for (size_t p = 0; p < pages; p++)
        ((uint64_t *)d.base)[p * PAGE / 8] = p;
    assert_int_equal(data_seal(a, self, &d, err), 0);
    struct view v;
    assert_int_equal(view_open(a, self, &d, &v, err), 0);
    write_half_of(a, &v, pages);
    long maps = mappings_in(v.addr, size);
    double copied = view_pages_copied(a, self, &v);
    view_close(a, self, &v);
    struct alloc_counters c;
    alloc_counters_read(a, self, &c);
    print_message("%s %s, 1 GiB view, 2 threads, %zu random pages written: %.0f pages copied, %.0f block "
                  "fallbacks, the view in %ld mappings\n",
                  a->name, under_test->options ? under_test->options : "", pages / 2, copied, c.copy_fallbacks,
                  maps);
    if (!strcmp(a->name, "mprotect_cow")) {
        assert_true(c.copy_fallbacks > 0); /* 131,072 single copies would pass 65,530 mappings */
        assert_true(copied >= (double)(pages / 2));
    } else { /* write protection is per page: the view stays one mapping, each page copied once */
        assert_true(maps == 1);
        assert_true(copied == (double)(pages / 2));
        assert_true(c.pages_copied == (double)(pages / 2));
    }
    data_destroy(a, self, &d);
    a->destroy(self);
}

int main(void)
{
    static const struct user_cow candidates[] = {
        {"mprotect_cow", NULL, SIGSEGV},
        {"uffd_cow", "mode=sigbus", SIGBUS},
        {"uffd_cow", "mode=async", SIGBUS},
    };
    static struct CMUnitTest tests[8]; /* static: the names stay reachable (no leak report) */
    size_t t = 0;
    for (size_t i = 0; i < sizeof candidates / sizeof *candidates; i++) {
        const struct allocator *a = allocator_find(candidates[i].strategy);
        char err[ALLOC_ERR_LEN] = "";
        void *self = a && !allocator_unavailable(a) ? alloc_create(a, candidates[i].options, THP_DEFAULT, err) : NULL;
        if (!self) {
            print_message("%s %s is not tested here: %s\n", candidates[i].strategy, candidates[i].options,
                          a && allocator_unavailable(a) ? allocator_unavailable(a) : err);
            continue;
        }
        a->destroy(self);
        char *name;
        void *cand = (void *)&candidates[i];
        if (asprintf(&name, "%s %s: faults not its own still crash", candidates[i].strategy,
                     candidates[i].options ? candidates[i].options : "") < 0)
            return 1;
        tests[t++] = (struct CMUnitTest){name, test_real_crashes_still_crash, NULL, NULL, cand};
        if (asprintf(&name, "%s %s: random writes over 1 GiB, two threads", candidates[i].strategy,
                     candidates[i].options ? candidates[i].options : "") < 0)
            return 1;
        tests[t++] = (struct CMUnitTest){name, test_random_writes_over_1_gib, NULL, NULL, cand};
    }
    return _cmocka_run_group_tests("user-space copy-on-write", tests, t, NULL, NULL);
}
