/*
 * test_copy.c - every strategy's copy service through one table.
 *
 * A view must read the data, keep its owner's writes to itself, and copy
 * exactly what was written (copy-on-write) or everything (eager). Workers are
 * threads or forked children, as the strategy says; results and the barrier
 * live in a MAP_SHARED page so the same test body serves both.
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
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "allocator.h"

#define PAGE 4096
#define WORKERS 3

struct copy_case {
    const struct allocator *a;
    const char *options;
    size_t granule; /* bytes; the page for everything but a widened mprotect_cow */
    char label[96];
};

struct worker_report {
    double pages_copied; /* NA if the strategy cannot say */
    uint64_t granules_written;
    char failure[200];
};

struct shared {
    pthread_barrier_t barrier;
    struct worker_report report[WORKERS];
};

struct env {
    const struct copy_case *cc;
    void *self;
    struct dataset data;
    struct shared *sh;
};

static uint64_t original_word(size_t page, size_t word) { return 0x5eed000000000000ull ^ (page << 16) ^ word; }
static uint64_t written_word(int worker, size_t page) { return 0xfeed000000000000ull | ((uint64_t)worker << 40) | page; }

static void fill_original(struct dataset *d)
{
    uint64_t *w = d->base;
    for (size_t i = 0; i < d->size / 8; i++)
        w[i] = original_word(i * 8 / PAGE, i % (PAGE / 8));
}

static void report_failure(struct worker_report *r, const char *fmt, ...)
{
    if (r->failure[0])
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->failure, sizeof r->failure, fmt, ap);
    va_end(ap);
}

static void env_open(struct env *e, const struct copy_case *cc, size_t size)
{
    char err[ALLOC_ERR_LEN] = "";

    e->cc = cc;
    e->self = alloc_create(cc->a, cc->options, THP_DEFAULT, err);
    if (!e->self)
        fail_msg("%s: create: %s", cc->label, err);
    if (data_create(cc->a, e->self, size, THP_DEFAULT, &e->data, err) != 0)
        fail_msg("%s: data_create: %s", cc->label, err);
    fill_original(&e->data);
    if (data_seal(cc->a, e->self, &e->data, err) != 0)
        fail_msg("%s: data_seal: %s", cc->label, err);
    e->sh = mmap(NULL, sizeof *e->sh, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    assert_true(e->sh != MAP_FAILED);
    memset(e->sh, 0, sizeof *e->sh);
    pthread_barrierattr_t attr;
    pthread_barrierattr_init(&attr);
    pthread_barrierattr_setpshared(&attr, PTHREAD_PROCESS_SHARED);
    pthread_barrier_init(&e->sh->barrier, &attr, WORKERS);
}

static void env_close(struct env *e)
{
    /* the data set is what every view started from: it must be untouched */
    const uint64_t *w = e->data.base;
    for (size_t i = 0; i < e->data.size / 8; i++)
        if (w[i] != original_word(i * 8 / PAGE, i % (PAGE / 8)))
            fail_msg("%s: a worker's write reached the original at page %zu", e->cc->label, i * 8 / PAGE);
    data_destroy(e->cc->a, e->self, &e->data);
    e->cc->a->destroy(e->self);
    pthread_barrier_destroy(&e->sh->barrier);
    munmap(e->sh, sizeof *e->sh);
}

/* Run fn(e, i) in WORKERS workers of the strategy's model. */
struct worker_arg {
    struct env *e;
    int index;
    void (*fn)(struct env *, int);
};

static void *thread_trampoline(void *p)
{
    struct worker_arg *w = p;
    w->fn(w->e, w->index);
    return NULL;
}

static void run_workers(struct env *e, void (*fn)(struct env *, int))
{
    struct worker_arg args[WORKERS];
    if (e->cc->a->model == MODEL_PROCESSES) {
        pid_t pid[WORKERS];
        for (int i = 0; i < WORKERS; i++) {
            pid[i] = fork();
            assert_true(pid[i] >= 0);
            if (pid[i] == 0) {
                fn(e, i);
                _exit(0);
            }
        }
        for (int i = 0; i < WORKERS; i++) {
            int status;
            waitpid(pid[i], &status, 0);
            if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
                fail_msg("%s: worker %d ended with status %#x", e->cc->label, i, status);
        }
    } else {
        pthread_t t[WORKERS];
        for (int i = 0; i < WORKERS; i++) {
            args[i] = (struct worker_arg){e, i, fn};
            pthread_create(&t[i], NULL, thread_trampoline, &args[i]);
        }
        for (int i = 0; i < WORKERS; i++)
            pthread_join(t[i], NULL);
    }
    for (int i = 0; i < WORKERS; i++)
        if (e->sh->report[i].failure[0])
            fail_msg("%s: worker %d: %s", e->cc->label, i, e->sh->report[i].failure);
}

/* Worker i writes one word in each page p with p % (WORKERS + 1) == i, in the
 * first half of the data only; page count divides so that some granules are
 * shared between workers' pages when the granule is wider than a page. */
static int writes_page(int worker, size_t page, size_t pages) { return page < pages / 2 && page % (WORKERS + 1) == (size_t)worker; }

static void isolation_worker(struct env *e, int me)
{
    struct worker_report *r = &e->sh->report[me];
    char err[ALLOC_ERR_LEN] = "";
    struct view v;
    if (view_open(e->cc->a, e->self, &e->data, &v, err) != 0) {
        report_failure(r, "view_open: %s", err);
        pthread_barrier_wait(&e->sh->barrier);
        pthread_barrier_wait(&e->sh->barrier);
        return;
    }
    size_t pages = v.size / PAGE;
    uint64_t *w = v.addr;
    /* reads first: the view is the data */
    for (size_t p = 0; p < pages; p += 7)
        if (w[p * PAGE / 8 + 3] != original_word(p, 3))
            report_failure(r, "page %zu does not read the data", p);
    pthread_barrier_wait(&e->sh->barrier);
    size_t granule_pages = e->cc->granule / PAGE, last_granule = SIZE_MAX;
    for (size_t p = 0; p < pages; p++)
        if (writes_page(me, p, pages)) {
            w[p * PAGE / 8 + (size_t)me] = written_word(me, p);
            if (p / granule_pages != last_granule)
                r->granules_written++;
            last_granule = p / granule_pages;
        }
    pthread_barrier_wait(&e->sh->barrier); /* everyone has written */
    for (size_t p = 0; p < pages && !r->failure[0]; p++)
        for (size_t k = 0; k < PAGE / 8; k++) {
            uint64_t want = writes_page(me, p, pages) && k == (size_t)me ? written_word(me, p) : original_word(p, k);
            if (w[p * PAGE / 8 + k] != want) {
                report_failure(r, "page %zu word %zu reads %#llx, want %#llx%s", p, k,
                               (unsigned long long)w[p * PAGE / 8 + k], (unsigned long long)want,
                               want == original_word(p, k) ? " (another view's write leaked in)" : "");
                break;
            }
        }
    r->pages_copied = view_pages_copied(e->cc->a, e->self, &v);
    view_close(e->cc->a, e->self, &v);
}

static void test_isolation_and_pages_copied(void **state)
{
    const struct copy_case *cc = *state;
    struct env e;
    size_t size = 8u << 20;
    env_open(&e, cc, size);
    run_workers(&e, isolation_worker);
    for (int i = 0; i < WORKERS; i++) {
        const struct worker_report *r = &e.sh->report[i];
        uint64_t want = r->granules_written * (cc->granule / PAGE);
        if (!cc->a->view_open) /* eager: the whole data set, up front */
            want = size / PAGE;
        assert_false(is_na(r->pages_copied));
        if (!strcmp(cc->a->name, "fork_cow")) {
            /* the kernel's count, read back: within 2% */
            if (r->pages_copied * 100 < want * 98 || r->pages_copied * 100 > want * 102)
                fail_msg("%s: worker %d: %llu pages copied for %llu written", cc->label, i,
                         (unsigned long long)r->pages_copied, (unsigned long long)want);
        } else if (r->pages_copied != want) {
            fail_msg("%s: worker %d: %llu pages copied, want exactly %llu", cc->label, i,
                     (unsigned long long)r->pages_copied, (unsigned long long)want);
        }
    }
    env_close(&e);
}

/* All workers write the same pages of ONE view at once, each its own word:
 * no write may be lost and each page is copied exactly once. */
static struct view shared_view;

static void same_page_worker(struct env *e, int me)
{
    pthread_barrier_wait(&e->sh->barrier);
    uint64_t *w = shared_view.addr;
    for (size_t p = 0; p < shared_view.size / PAGE; p++)
        w[p * PAGE / 8 + (size_t)me] = written_word(me, p);
}

static void test_same_page_race(void **state)
{
    const struct copy_case *cc = *state;
    if (cc->a->model != MODEL_THREADS)
        skip(); /* processes cannot share one private view */
    struct env e;
    env_open(&e, cc, 4u << 20);
    char err[ALLOC_ERR_LEN] = "";
    assert_int_equal(view_open(cc->a, e.self, &e.data, &shared_view, err), 0);
    run_workers(&e, same_page_worker);
    const uint64_t *w = shared_view.addr;
    for (size_t p = 0; p < shared_view.size / PAGE; p++)
        for (size_t k = 0; k < PAGE / 8; k++) {
            uint64_t want = k < WORKERS ? written_word((int)k, p) : original_word(p, k);
            if (w[p * PAGE / 8 + k] != want)
                fail_msg("%s: page %zu word %zu: %#llx, want %#llx (a write was lost)", cc->label, p, k,
                         (unsigned long long)w[p * PAGE / 8 + k], (unsigned long long)want);
        }
    uint64_t copied = view_pages_copied(cc->a, e.self, &shared_view);
    assert_int_equal(copied, shared_view.size / PAGE);
    view_close(cc->a, e.self, &shared_view);
    env_close(&e);
}

/* The kernel's count of private pages agrees with the strategy's pages copied,
 * and closing a view gives its memory back (threads: the process's own figure). */
static long private_dirty_kib(void)
{
    FILE *f = fopen("/proc/self/smaps_rollup", "r");
    char line[256];
    long kib = -1;
    while (f && fgets(line, sizeof line, f))
        if (sscanf(line, "Private_Dirty: %ld kB", &kib) == 1)
            break;
    if (f)
        fclose(f);
    return kib;
}

static void test_close_returns_memory(void **state)
{
    const struct copy_case *cc = *state;
#if defined(__SANITIZE_ADDRESS__)
    skip(); /* ASan keeps freed memory in quarantine on purpose */
#endif
#if defined(__SANITIZE_THREAD__)
    skip(); /* TSan's shadow of every byte written is private dirty memory too */
#endif
    if (cc->a->model != MODEL_THREADS)
        skip(); /* a child's copies go when it exits */
    if (cc->options && strstr(cc->options, "populate=yes"))
        skip(); /* the view maps the data set's own pages at open: smaps then counts those shared, not
                   private, and Private_Dirty falls by the data set's size whatever is copied */
    struct env e;
    size_t size = 40u << 20; /* above glibc's largest mmap threshold */
    env_open(&e, cc, size);
    long before = private_dirty_kib();
    char err[ALLOC_ERR_LEN] = "";
    struct view v;
    assert_int_equal(view_open(cc->a, e.self, &e.data, &v, err), 0);
    /* one page in 8 first: what the kernel holds privately is what the
     * strategy says it copied (all of it for an eager copy; the granules
     * written, whole, for copy-on-write) */
    for (size_t off = 0; off < size; off += 8 * PAGE)
        ((char *)v.addr)[off] = 1;
    long partial = private_dirty_kib() - before;
    long claimed = (long)(view_pages_copied(cc->a, e.self, &v) * PAGE / 1024);
    if (labs(partial - claimed) > claimed / 20 + 1024)
        fail_msg("%s: one page in 8 written: Private_Dirty grew %ld kB, the strategy says it copied %ld kB",
                 cc->label, partial, claimed);
    for (size_t off = 0; off < size; off += PAGE)
        ((char *)v.addr)[off] = 1;
    long during = private_dirty_kib();
    view_close(cc->a, e.self, &v);
    long after = private_dirty_kib();
    if (during - before < (long)(size / 1024) * 9 / 10 || after - before > 2048)
        fail_msg("%s: Private_Dirty %ld kB before, %ld with the view written, %ld after closing", cc->label,
                 before, during, after);
    env_close(&e);
}

/* ---- fork_cow: the mapping is private (a shared one would leak writes) ---- */
static void test_fork_cow_parent_never_sees_child_write(void **state)
{
    (void)state;
    const struct allocator *a = allocator_find("fork_cow");
    char err[ALLOC_ERR_LEN];
    void *self = alloc_create(a, NULL, THP_DEFAULT, err);
    struct dataset d;
    assert_int_equal(data_create(a, self, 1u << 20, THP_DEFAULT, &d, err), 0);
    memset(d.base, 'p', d.size);
    assert_int_equal(data_seal(a, self, &d, err), 0);
    pid_t pid = fork();
    if (pid == 0) {
        struct view v;
        view_open(a, self, &d, &v, err);
        memset(v.addr, 'c', v.size);
        _exit(0);
    }
    int status;
    waitpid(pid, &status, 0);
    assert_true(WIFEXITED(status));
    for (size_t i = 0; i < d.size; i++)
        if (((char *)d.base)[i] != 'p')
            fail_msg("fork_cow: the child's write reached the parent at byte %zu", i);
    /* the control experiment: over MAP_SHARED the same child write does leak */
    char *shared = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    shared[0] = 'p';
    if ((pid = fork()) == 0) {
        shared[0] = 'c';
        _exit(0);
    }
    waitpid(pid, &status, 0);
    assert_int_equal(shared[0], 'c');
    munmap(shared, PAGE);
    data_destroy(a, self, &d);
    a->destroy(self);
}

int main(void)
{
    static struct copy_case cases[32];
    size_t n = 0;
    for (size_t i = 0; allocator_registry[i]; i++) { /* the reference heaps serve no copy workload */
        const struct allocator *a = allocator_registry[i];
        if (allocator_unavailable(a))
            print_message("%s is unavailable here, not tested: %s\n", a->name, allocator_unavailable(a));
        else if (!(a->promises & ALLOC_REFERENCE))
            cases[n++] = (struct copy_case){a, NULL, PAGE, ""};
    }
    const struct allocator *mc = allocator_find("mprotect_cow");
    cases[n++] = (struct copy_case){mc, "granule=16k", 16384, ""};
    cases[n++] = (struct copy_case){mc, "granule=64k", 65536, ""};
    /* each of uffd_cow's modes this kernel has (the default, auto, is one of them) */
    const struct allocator *uc = allocator_find("uffd_cow");
    static const char *const uffd_modes[] = {"mode=sigbus", "mode=async", "mode=sigbus,populate=yes",
                                             "mode=async,populate=yes"};
    for (size_t m = 0; m < 4 && !allocator_unavailable(uc); m++) {
        char err[ALLOC_ERR_LEN];
        void *self = alloc_create(uc, uffd_modes[m], THP_DEFAULT, err);
        if (self) {
            uc->destroy(self);
            cases[n++] = (struct copy_case){uc, uffd_modes[m], PAGE, ""};
        } else
            print_message("uffd_cow %s is not tested here: %s\n", uffd_modes[m], err);
    }
    static const struct {
        const char *what;
        CMUnitTestFunction fn;
        bool threads; /* ThreadSanitizer runs these only */
    } behaviours[] = {
        {"views read the data, keep writes private, copy what was written", test_isolation_and_pages_copied, true},
        {"threads writing one page of one view at once", test_same_page_race, true},
        {"private memory matches pages copied; closing returns it", test_close_returns_memory, false},
    };
#if defined(__SANITIZE_THREAD__)
    const bool threads_only = true;
#else
    const bool threads_only = false;
#endif
    size_t nb = sizeof behaviours / sizeof *behaviours;
    struct CMUnitTest *tests = calloc(n * nb + 1, sizeof *tests);
    size_t t = 0;
    if (!threads_only)
        tests[t++] = (struct CMUnitTest)cmocka_unit_test(test_fork_cow_parent_never_sees_child_write);
    for (size_t c = 0; c < n; c++) {
        snprintf(cases[c].label, sizeof cases[c].label, "%s%s%s", cases[c].a->name, cases[c].options ? " " : "",
                 cases[c].options ? cases[c].options : "");
        for (size_t b = 0; b < nb; b++) {
            char *name;
            if (threads_only && !behaviours[b].threads)
                continue;
            if (asprintf(&name, "%s: %s", cases[c].label, behaviours[b].what) < 0)
                return 1;
            tests[t++] = (struct CMUnitTest){name, behaviours[b].fn, NULL, NULL, &cases[c]};
        }
    }
    return _cmocka_run_group_tests("copy services", tests, t, NULL, NULL);
}
