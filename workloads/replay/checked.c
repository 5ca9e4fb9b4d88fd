/*
 * checked.c - a trace replayed with every check on, by one thread or by
 * several sharing one instance of the strategy.
 *
 * The driver counts what the strategy maps (support/ledger.h) from before
 * the instance is created, so an arena mapped up front is the strategy's.
 * With threads, each replays the whole trace with its own payload patterns
 * and hands the blocks of odd ids to the next thread, which frees them:
 * memory allocated on one thread and released on another, as a server's
 * is. A heap without a working lock hands one block to two threads, and one
 * of them finds it damaged.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "replay.h"
#include "support/ledger.h" /* allocators/support */

struct replay_thread {
    const struct allocator *a;
    void *self;
    const struct trace *t;
    struct replay_handoff *own, *next;
    uint32_t salt;
    struct replay_result r;
};

static void *replay_thread_main(void *p)
{
    struct replay_thread *w = p;
    replay_share(w->salt, w->own, w->next);
    replay_on(w->a, w->self, w->t, &w->r);
    replay_share(0, NULL, NULL);
    return NULL;
}

/* Every thread's replay; the first violation into r. 0, or -1 if no thread could start. */
static int run_threads(const struct allocator *a, void *self, const struct trace *t, int n, struct replay_result *r)
{
    struct replay_thread *w = calloc((size_t)n, sizeof *w);
    struct replay_handoff *h = calloc((size_t)n, sizeof *h);
    pthread_t *tid = calloc((size_t)n, sizeof *tid);
    int started = 0;
    for (int i = 0; w && h && tid && i < n; i++, started++) {
        pthread_mutex_init(&h[i].lock, NULL);
        w[i] = (struct replay_thread){a, self, t, &h[i], &h[(i + 1) % n], (uint32_t)i + 1, {0}};
        if (pthread_create(&tid[i], NULL, replay_thread_main, &w[i]) != 0)
            break;
    }
    for (int i = 0; i < started; i++)
        pthread_join(tid[i], NULL);
    for (int i = 0; i < started; i++) /* what was handed over after its receiver finished */
        replay_handoff_drain(a, self, &h[i]);
    *r = (struct replay_result){.correct = started == n};
    if (started < n)
        snprintf(r->violation, sizeof r->violation, "trace %s: cannot start %d threads", t->name, n);
    for (int i = 0; i < started; i++) {
        if (r->correct && !w[i].r.correct) {
            r->correct = 0;
            snprintf(r->violation, sizeof r->violation, "thread %d of %d: %.460s", i + 1, n, w[i].r.violation);
        }
        r->peak_live += w[i].r.peak_live; /* an upper bound: the threads' peaks need not coincide */
    }
    for (int i = 0; h && i < started; i++) {
        free(h[i].q);
        pthread_mutex_destroy(&h[i].lock);
    }
    free(w), free(h), free(tid);
    return started == n ? 0 : -1;
}

void replay_checked_threads(const struct allocator *a, const char *options, const struct trace *t, int threads,
                            struct replay_result *r)
{
    char err[ALLOC_ERR_LEN] = "";
    bool counted = !(a->promises & ALLOC_LIBRARY_HEAP);
    if (counted) /* from before create: an arena mapped up front is the strategy's */
        ledger_open();
    void *self = alloc_create_memory_pass(a, options, THP_DEFAULT, err);
    if (!self) {
        ledger_close();
        memset(r, 0, sizeof *r);
        snprintf(r->violation, sizeof r->violation, "%s: create failed: %s", a->name, err);
        return;
    }
    if (threads <= 1)
        replay_on(a, self, t, r);
    else
        run_threads(a, self, t, threads, r);
    r->peak_mapped = counted ? (double)ledger_peak() : NA;
    ledger_close();
    struct alloc_counters c;
    alloc_counters_read(a, self, &c);
    r->peak_reserved = c.bytes_reserved_peak;
    if (r->correct && !is_na(c.bytes_live) && c.bytes_live != 0) {
        snprintf(r->violation, sizeof r->violation,
                 "trace %s, end: the strategy reports %.0f bytes live after everything was freed", t->name,
                 c.bytes_live);
        r->correct = 0;
    }
    if (r->correct) /* a heap that failed a check may be corrupt: it is left, not destroyed */
        a->destroy(self);
}

void replay_checked(const struct allocator *a, const char *options, const struct trace *t, struct replay_result *r)
{
    replay_checked_threads(a, options, t, 1, r);
}
