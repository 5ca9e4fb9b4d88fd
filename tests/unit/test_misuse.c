/*
 * test_misuse.c - alloclab misuse's classification: the rules on their own,
 * the case's lines parsed, and whole cases run in their own processes on
 * small heaps made here to behave each way (stop with a message, warn and
 * go on, crash, hang, hand one block out twice), each classified as such;
 * the time limit holds a heap that spins.
 */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cmocka.h>

#include "grader/misuse.h"
#include "support/os.h"

/* ---- the rules ---- */

static enum misuse_class classify(enum misuse_end end, int code, const char *message, const char *stage,
                                  const char *finding, bool ended)
{
    struct misuse_obs o = {.end = end, .code = code, .ended = ended};
    snprintf(o.message, sizeof o.message, "%s", message);
    snprintf(o.stage, sizeof o.stage, "%s", stage);
    snprintf(o.finding, sizeof o.finding, "%s", finding);
    return misuse_classify(&o);
}

static void test_the_rules(void **state)
{
    (void)state;
    /* glibc's abort after its message is detected; the same signal with nothing said is a crash */
    assert_int_equal(classify(MISUSE_END_SIGNAL, SIGABRT, "free(): double free detected in tcache 2", "misuse", "",
                              false), MISUSE_DETECTED);
    assert_int_equal(classify(MISUSE_END_SIGNAL, SIGABRT, "", "misuse", "", false), MISUSE_CRASHED);
    assert_int_equal(classify(MISUSE_END_SIGNAL, SIGSEGV, "", "allocs", "", false), MISUSE_CRASHED);
    /* an exit of its own with a message is a stop with a message; without one, a crash */
    assert_int_equal(classify(MISUSE_END_EXIT, 1, "heap corrupted", "frees", "", false), MISUSE_DETECTED);
    assert_int_equal(classify(MISUSE_END_EXIT, 1, "", "frees", "", false), MISUSE_CRASHED);
    /* an exit 0 before the case's end is not the case ending */
    assert_int_equal(classify(MISUSE_END_EXIT, 0, "", "allocs", "", false), MISUSE_CRASHED);
    /* ran to its end: what it found decides, unless the heap said something */
    assert_int_equal(classify(MISUSE_END_EXIT, 0, "", "final", "overlap", true), MISUSE_CORRUPTED);
    assert_int_equal(classify(MISUSE_END_EXIT, 0, "", "final", "data", true), MISUSE_CORRUPTED);
    assert_int_equal(classify(MISUSE_END_EXIT, 0, "", "final", "checker", true), MISUSE_CORRUPTED);
    assert_int_equal(classify(MISUSE_END_EXIT, 0, "", "misuse", "granted", true), MISUSE_CORRUPTED);
    assert_int_equal(classify(MISUSE_END_EXIT, 0, "", "final", "ok", true), MISUSE_HARMLESS);
    assert_int_equal(classify(MISUSE_END_EXIT, 0, "", "final", "refused", true), MISUSE_HARMLESS);
    assert_int_equal(classify(MISUSE_END_EXIT, 0, "warning: bad free", "final", "ok", true), MISUSE_WARNED);
    assert_int_equal(classify(MISUSE_END_EXIT, 0, "warning: bad free", "final", "overlap", true), MISUSE_WARNED);
    /* a time limit is a hang, said or not */
    assert_int_equal(classify(MISUSE_END_TIMEOUT, SIGKILL, "", "final", "", false), MISUSE_HUNG);
    assert_int_equal(classify(MISUSE_END_TIMEOUT, SIGKILL, "spinning", "final", "", false), MISUSE_HUNG);
    /* nothing misused yet, or never run: nothing to classify */
    assert_int_equal(classify(MISUSE_END_SIGNAL, SIGSEGV, "", "", "", false), MISUSE_NA);
    assert_int_equal(classify(MISUSE_END_NOT_RUN, 0, "", "", "", false), MISUSE_NA);
}

static void test_lines_and_messages(void **state)
{
    (void)state;
    struct misuse_obs o = {0};
    misuse_parse("stage misuse\nstage allocs\nfinding overlap a new 64-byte block overlaps x\nfinding ok \n"
                 "stage final\nend\n", &o);
    assert_string_equal(o.stage, "final");
    assert_string_equal(o.finding, "overlap"); /* the first finding is the one */
    assert_string_equal(o.finding_text, "a new 64-byte block overlaps x");
    assert_true(o.ended);
    misuse_parse("stage misuse\nstage fr", &o); /* cut short */
    assert_string_equal(o.stage, "fr");
    assert_string_equal(o.finding, "");
    assert_false(o.ended);
    char m[64];
    misuse_message("\n  free(): invalid pointer  \r\nsecond line\n", m, sizeof m);
    assert_string_equal(m, "free(): invalid pointer");
    misuse_message("", m, sizeof m);
    assert_string_equal(m, "");
}

/* ---- heaps that behave each way ----
 * A bump heap that remembers its live blocks and keeps freed ones on a
 * LIFO list it hands out first: it trusts every free. What it does with a
 * free of a block it does not hold is the behaviour under test. */
enum behaviour { TRUSTS, STOPS, WARNS, CRASHES, SPINS };
static enum behaviour behaviour; /* set before the case's process is forked */

#define SLOTS 8192
struct toy {
    char *base, *bump;
    void *live[SLOTS], *freed[SLOTS];
    int nfreed;
};

static void *toy_create(const struct alloc_config *cfg, char err[ALLOC_ERR_LEN])
{
    (void)cfg, (void)err;
    struct toy *h = mmap(NULL, sizeof *h + (16u << 20), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (h == MAP_FAILED)
        return NULL;
    h->base = h->bump = (char *)(h + 1);
    return h;
}
static void toy_destroy(void *self) { munmap(self, sizeof(struct toy) + (16u << 20)); }

static void *toy_alloc(void *self, size_t size)
{
    struct toy *h = self;
    if (size == 0 || size > 4096)
        return NULL;
    void *p = h->nfreed ? h->freed[--h->nfreed] : (h->bump += 4096) - 4096; /* every block a 4 KiB slot */
    h->live[((char *)p - h->base) / 4096 % SLOTS] = p;
    return p;
}

static void toy_free(void *self, void *p, size_t size)
{
    (void)size;
    struct toy *h = self;
    bool inside = p && (char *)p >= h->base && (char *)p < h->bump;
    void **slot = inside ? &h->live[((char *)p - h->base) / 4096 % SLOTS] : NULL;
    bool held = inside && *slot == p;
    if (!held && behaviour != TRUSTS) {
        if (behaviour == STOPS || behaviour == WARNS)
            fprintf(stderr, "toy: free of a block it does not hold%s\n", behaviour == STOPS ? ": stopping" : "");
        if (behaviour == STOPS)
            abort();
        if (behaviour == CRASHES)
            raise(SIGSEGV);
        for (volatile int spin = 1; behaviour == SPINS && spin;) {
        }
        return;
    }
    if (held)
        *slot = NULL;
    if (h->nfreed < SLOTS)
        h->freed[h->nfreed++] = p;
}

static const struct allocator toy = {
    .name = "toy", .create = toy_create, .destroy = toy_destroy, .alloc = toy_alloc, .free = toy_free};

static enum misuse_class run(enum behaviour b, int c, double limit_s, struct misuse_obs *o)
{
    behaviour = b;
    struct misuse_subject s = {.a = &toy, .label = "toy"};
    misuse_run_one(&s, c, "/nonexistent", limit_s, o);
    print_message("%s: ended %d (%d), stage %s, finding %s %s, message '%s'\n", misuse_case_defs[c].name, o->end,
                  o->code, o->stage, o->finding, o->finding_text, o->message);
    return misuse_classify(o);
}

static void test_each_class_from_a_real_process(void **state)
{
    (void)state;
    struct misuse_obs o;
    /* the second free of a block it trusts: the block handed out twice */
    assert_int_equal(run(TRUSTS, MISUSE_DOUBLE_FREE, 5, &o), MISUSE_CORRUPTED);
    assert_string_equal(o.finding, "overlap");
    assert_int_equal(run(STOPS, MISUSE_DOUBLE_FREE, 5, &o), MISUSE_DETECTED);
    assert_int_equal(o.end, MISUSE_END_SIGNAL);
    assert_int_equal(o.code, SIGABRT);
    assert_string_equal(o.stage, "misuse"); /* stopped in the free itself */
    assert_non_null(strstr(o.message, "toy: free of a block it does not hold"));
    assert_int_equal(run(WARNS, MISUSE_FREE_STACK, 5, &o), MISUSE_WARNED);
    assert_true(o.ended);
    assert_int_equal(run(CRASHES, MISUSE_FREE_INTERIOR, 5, &o), MISUSE_CRASHED);
    assert_int_equal(o.code, SIGSEGV);
    /* a heap that refuses 0 bytes and absurd sizes: nothing to misuse there */
    assert_int_equal(run(STOPS, MISUSE_ZERO_WRITE, 5, &o), MISUSE_HARMLESS);
    assert_string_equal(o.finding, "refused");
    assert_int_equal(run(STOPS, MISUSE_HUGE, 5, &o), MISUSE_HARMLESS);
}

static void test_a_spinning_heap_is_hung_at_the_limit(void **state)
{
    (void)state;
    struct misuse_obs o;
    uint64_t t0 = os_now_ns();
    assert_int_equal(run(SPINS, MISUSE_FREE_NEVER_ALLOCATED, 0.5, &o), MISUSE_HUNG);
    double took = (double)(os_now_ns() - t0) / 1e9;
    print_message("killed after %.2f s\n", took);
    assert_true(took >= 0.5 && took < 3);
    assert_string_equal(o.stage, "misuse");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_the_rules),
        cmocka_unit_test(test_lines_and_messages),
        cmocka_unit_test(test_each_class_from_a_real_process),
        cmocka_unit_test(test_a_spinning_heap_is_hung_at_the_limit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
