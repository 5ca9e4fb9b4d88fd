/*
 * test_stats.c - the live-byte counters every heap strategy reports: live is
 * exact when the threads are quiet, one thread's peak is exact, several
 * threads' peak is within threads x STATS_FLUSH_BYTES of the truth, and the
 * fast path's bounds send it to stats_crossed() exactly when it must go.
 * And a heap on a library asks the library what it reserved only in the
 * untimed memory pass, never from a timed phase's alloc or free.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "support/libheap.h"
#include "support/stats.h"

static uint64_t rng_state = 0x2545f4914f6cdd1dull;
static uint64_t next_random(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

static struct heap_stats *new_stats(void)
{
    struct heap_stats *s = aligned_alloc(64, sizeof *s);
    assert_non_null(s);
    stats_init(s);
    return s;
}

/* A random walk that climbs, falls by more than STATS_FLUSH_BYTES, and sets
 * new peaks many times: the reported peak must be the walk's own. */
static void test_one_thread_peak_is_exact(void **state)
{
    (void)state;
    struct heap_stats *s = new_stats();
    int64_t live = 0, peak = 0;
    for (int i = 0; i < 400000; i++) {
        /* drift up for a while, then down: crosses the flush bounds both ways;
         * small steps, so that a peak missed by a few bytes shows */
        int up = (i / 20000) % 2 == 0;
        int64_t bytes = (int64_t)(next_random() % 64) + 1;
        if (!up && live >= bytes)
            bytes = -bytes;
        else if (next_random() % 3 == 0 && live >= bytes)
            bytes = -bytes;
        stats_record(s, bytes);
        live += bytes;
        peak = live > peak ? live : peak;
    }
    /* a new peak one byte above the old one counts too (and live ends below
     * it, or stats_read would report live as the peak) */
    stats_record(s, peak - live);
    stats_record(s, 1);
    stats_record(s, -100);
    peak = peak + 1;
    live = peak - 100;
    uint64_t got_live, got_peak;
    stats_read(s, &got_live, &got_peak);
    assert_int_equal(got_live, (uint64_t)live);
    assert_int_equal(got_peak, (uint64_t)peak);
    free(s);
}

/* stats_record_owned says "published" when, and only when, live moved a
 * whole STATS_FLUSH_BYTES from what was published last, in either direction. */
static void test_publishes_every_flush_bytes(void **state)
{
    (void)state;
    struct heap_stats *s = new_stats();
    struct stat_shard *sh = stats_own_shard(s);
    assert_non_null(sh);
    int published = 0;
    for (int i = 0; i < STATS_FLUSH_BYTES / 64 - 1; i++)
        published += stats_record_owned(s, sh, 64);
    assert_int_equal(published, 0);
    assert_true(stats_record_owned(s, sh, 64)); /* the byte count reaches the flush size */
    /* back down: one short of the bound stays quiet, the bound publishes */
    assert_false(stats_record_owned(s, sh, -(STATS_FLUSH_BYTES - 1)));
    assert_true(stats_record_owned(s, sh, -1));
    uint64_t live, peak;
    stats_read(s, &live, &peak);
    assert_int_equal(live, 0);
    assert_int_equal(peak, STATS_FLUSH_BYTES);
    free(s);
}

struct mover {
    struct heap_stats *s;
    int64_t step, steps;
    pthread_barrier_t *barrier;
};

static void record_steps(const struct mover *m, int64_t step)
{
    for (int64_t i = 0; i < m->steps; i++)
        stats_record(m->s, step);
}

/* the allocating thread: moves, then stays alive (its shard stays its own) */
static void *move_then_wait(void *arg)
{
    struct mover *m = arg;
    record_steps(m, m->step);
    pthread_barrier_wait(m->barrier); /* done: main reads */
    pthread_barrier_wait(m->barrier); /* the freeing thread runs */
    pthread_barrier_wait(m->barrier);
    return NULL;
}

static void *wait_then_move(void *arg)
{
    struct mover *m = arg;
    pthread_barrier_wait(m->barrier);
    pthread_barrier_wait(m->barrier);
    record_steps(m, m->step);
    pthread_barrier_wait(m->barrier);
    return NULL;
}

/* One thread allocates 32 MiB, then another (alive at the same time, so with
 * a shard of its own, which goes negative) frees it all, as when blocks are
 * freed on another thread: live is exact at both quiet points, and the peak
 * is within two shards' unpublished bytes of the truth. */
static void test_cross_thread_frees(void **state)
{
    (void)state;
    struct heap_stats *s = new_stats();
    pthread_barrier_t barrier;
    pthread_barrier_init(&barrier, NULL, 3);
    const int64_t steps = 32 << 14, step = 64;
    struct mover up = {s, step, steps, &barrier}, down = {s, -step, steps, &barrier};
    pthread_t tu, td;
    assert_int_equal(pthread_create(&tu, NULL, move_then_wait, &up), 0);
    assert_int_equal(pthread_create(&td, NULL, wait_then_move, &down), 0);
    uint64_t live, peak;
    pthread_barrier_wait(&barrier);
    stats_read(s, &live, &peak);
    assert_int_equal(live, (uint64_t)(steps * step));
    pthread_barrier_wait(&barrier);
    pthread_barrier_wait(&barrier);
    pthread_join(tu, NULL);
    pthread_join(td, NULL);
    stats_read(s, &live, &peak);
    assert_int_equal(live, 0);
    int64_t truth = steps * step;
    assert_true((int64_t)peak <= truth);
    assert_true((int64_t)peak >= truth - 2 * STATS_FLUSH_BYTES);
    pthread_barrier_destroy(&barrier);
    free(s);
}

/* Two threads at once, each climbing 16 MiB then falling back: the peak seen
 * cannot exceed the sum of what they held, and live ends exact at zero. */
static void *climb_and_fall(void *arg)
{
    struct mover *m = arg;
    pthread_barrier_wait(m->barrier); /* start together */
    record_steps(m, m->step);
    record_steps(m, -m->step);
    return NULL;
}

static void test_two_threads_at_once(void **state)
{
    (void)state;
    struct heap_stats *s = new_stats();
    pthread_barrier_t barrier;
    pthread_barrier_init(&barrier, NULL, 2);
    const int64_t steps = 16 << 14, step = 64;
    struct mover a = {s, step, steps, &barrier}, b = {s, step, steps, &barrier};
    pthread_t ta, tb;
    assert_int_equal(pthread_create(&ta, NULL, climb_and_fall, &a), 0);
    assert_int_equal(pthread_create(&tb, NULL, climb_and_fall, &b), 0);
    pthread_join(ta, NULL);
    pthread_join(tb, NULL);
    uint64_t live, peak;
    stats_read(s, &live, &peak);
    assert_int_equal(live, 0);
    assert_true(peak <= (uint64_t)(2 * steps * step));
    assert_true(peak >= (uint64_t)(steps * step - 2 * STATS_FLUSH_BYTES)); /* at least one thread's climb */
    pthread_barrier_destroy(&barrier);
    free(s);
}

/* ---- libheap: the library is asked what it reserved in the memory pass only ---- */
static int reserved_asked;
static int64_t fake_reserved_bytes;
static void *fake_alloc(size_t size) { return (fake_reserved_bytes += (int64_t)size, malloc(size)); }
static void fake_free(void *ptr, size_t size) { (void)size, free(ptr); }
static void *fake_realloc(void *ptr, size_t old_size, size_t new_size) { return (void)old_size, realloc(ptr, new_size); }
static int64_t fake_reserved(void) { return reserved_asked++, fake_reserved_bytes; }
static const struct libheap_ops fake_library = {.alloc = fake_alloc, .free = fake_free, .realloc = fake_realloc,
                                                .reserved = fake_reserved};

/* 4 MiB allocated and freed in 4 KiB blocks: 64 publishes of the live bytes
 * each way, each a moment the memory pass samples at */
static void grow_and_shrink(void *h)
{
    enum { BLOCKS = 1024 };
    static void *block[BLOCKS];
    for (int i = 0; i < BLOCKS; i++)
        block[i] = libheap_alloc(h, &fake_library, 4096);
    for (int i = 0; i < BLOCKS; i++)
        libheap_free(h, &fake_library, block[i], 4096);
}

static void test_library_asked_in_memory_pass_only(void **state)
{
    (void)state;
    char err[ALLOC_ERR_LEN];
    struct alloc_config timed = {.sample_memory = false}, memory_pass = {.sample_memory = true};
    void *h = libheap_create(&fake_library, &timed, err);
    assert_non_null(h);
    reserved_asked = 0;
    grow_and_shrink(h);
    assert_int_equal(reserved_asked, 0); /* nothing inside the operations */
    struct alloc_counters c = {.bytes_reserved_peak = NA};
    libheap_counters(h, &c);
    assert_true(is_na(c.bytes_reserved_peak)); /* not sampled: not measured */
    assert_false(is_na(c.bytes_reserved));     /* read once, after the phase */
    libheap_destroy(h);

    h = libheap_create(&fake_library, &memory_pass, err);
    assert_non_null(h);
    fake_reserved_bytes = 0;
    reserved_asked = 0;
    grow_and_shrink(h);
    assert_true(reserved_asked >= 32); /* sampled as the heap grew */
    c = (struct alloc_counters){.bytes_reserved_peak = NA};
    libheap_counters(h, &c);
    assert_true(c.bytes_reserved_peak >= 4096.0 * 1024 * 0.9); /* the peak, seen from the samples */
    libheap_destroy(h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_one_thread_peak_is_exact),
        cmocka_unit_test(test_publishes_every_flush_bytes),
        cmocka_unit_test(test_cross_thread_frees),
        cmocka_unit_test(test_two_threads_at_once),
        cmocka_unit_test(test_library_asked_in_memory_pass_only),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
