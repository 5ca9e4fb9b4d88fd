/*
 * test_stamp.c - the latency timer's step (stamp.h), from synthetic
 * differences between counter readings: a step that is not a whole number
 * of ticks, whole-tick steps, a counter that moves by single ticks, a clock
 * in ns, and interruptions; the stamps' cost taken out, which must not flip
 * with a bimodal pair cost; then the clock as this machine measures it.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "stamp.h"

#define COUNT(a) (sizeof(a) / sizeof *(a))

/* A counter that advances by `step` ticks (not a whole number: its m-th
 * step shows floor(m x step)): into d from `at`, n differences across k
 * steps each, from consecutive readings. */
static size_t across(uint64_t *d, size_t at, double step, int k, size_t n)
{
    for (size_t m = 0; m < n; m++, at++)
        d[at] = (uint64_t)floor((double)(m + (size_t)k) * step) - (uint64_t)floor((double)m * step);
    return at;
}

/* 24.45 ticks a step (10 ns at 2.445 GHz): back-to-back reads differ by 24
 * or 25, pairs by 48-49 and 73-74. The gcd of those is 1; the spacing is
 * the step, read from the clusters' means. */
static void test_step_not_a_whole_number_of_ticks(void **state)
{
    (void)state;
    static uint64_t d[3000];
    size_t n = across(d, 0, 24.45, 1, 1000);
    n = across(d, n, 24.45, 2, 1000);
    n = across(d, n, 24.45, 3, 1000);
    double step = stamp_step_ticks(d, n);
    assert_true(fabs(step - 24.45) < 0.02);
    /* one step alone, 24 and 25 in the issue's proportions, and a pair */
    uint64_t issue[] = {24, 25, 24, 24, 25, 24, 25, 24, 24, 25, 49, 49, 73, 74, 73, 74};
    step = stamp_step_ticks(issue, COUNT(issue));
    assert_true(step > 24.3 && step < 24.6);
}

/* fenced pairs only (two and three steps): the spacing is still one step */
static void test_step_from_multiples_only(void **state)
{
    (void)state;
    uint64_t pairs[] = {49, 49, 49, 48, 49, 73, 74, 73, 74, 74, 49, 73};
    double step = stamp_step_ticks(pairs, COUNT(pairs));
    assert_true(step > 24.2 && step < 24.7);
    uint64_t whole[] = {21, 21, 42, 42, 42, 63, 63, 21, 84, 84}; /* a whole number: 21 */
    assert_true(fabs(stamp_step_ticks(whole, COUNT(whole)) - 21) < 1e-9);
}

/* a counter that moves by single ticks: 1, whatever the spread */
static void test_counter_of_single_ticks(void **state)
{
    (void)state;
    static uint64_t d[400];
    for (size_t i = 0; i < COUNT(d); i++)
        d[i] = 30 + i % 40;
    assert_true(stamp_step_ticks(d, COUNT(d)) == 1);
    uint64_t tight[] = {18, 19, 20, 18, 19, 20, 19};
    assert_true(stamp_step_ticks(tight, COUNT(tight)) == 1);
}

/* clock_gettime, in ns: 1 ns where its differences take neighbouring
 * values (this VM's kvm-clock: 20, 21, 29-31), 100 for a coarse clock
 * whose back-to-back reads mostly see no step at all */
static void test_clock_in_ns(void **state)
{
    (void)state;
    uint64_t fine[] = {20, 21, 20, 21, 29, 30, 31, 30, 29, 31, 20, 30};
    assert_true(stamp_step_ticks(fine, COUNT(fine)) == 1);
    uint64_t coarse[] = {0, 0, 0, 100, 0, 100, 200, 0, 200, 100, 0, 0};
    assert_true(fabs(stamp_step_ticks(coarse, COUNT(coarse)) - 100) < 1e-9);
}

/* an interruption is a value seen once: left out, however odd */
static void test_interruptions_left_out(void **state)
{
    (void)state;
    uint64_t d[] = {21, 21, 21, 42, 42, 21, 5003, 5000, 91234, 33, 21, 42};
    assert_true(fabs(stamp_step_ticks(d, COUNT(d)) - 21) < 1e-9);
}

/* never under one tick; no step to read: one tick */
static void test_never_under_a_tick(void **state)
{
    (void)state;
    uint64_t zeros[] = {0, 0, 0, 0};
    assert_true(stamp_step_ticks(zeros, COUNT(zeros)) == 1);
    uint64_t ones[] = {1, 1, 1, 2, 2};
    assert_true(stamp_step_ticks(ones, COUNT(ones)) >= 1);
    assert_true(stamp_step_ticks(NULL, 0) == 1);
    uint64_t apart[] = {30, 30, 35, 35, 61, 61, 64, 64}; /* no one step fits 30, 35, 61 and 64 */
    assert_true(stamp_step_ticks(apart, COUNT(apart)) == 1);
}

/* The cost taken out cannot flip: pairs of two steps (49 ticks) and three
 * (73-74) by turns, 52% against 48% and the other way round, move the
 * median by a whole step and the mean by a twelfth of one; an interrupted
 * pair (thousands of ticks) is left out of it. */
static void test_overhead_does_not_flip(void **state)
{
    (void)state;
    static uint64_t two_first[100], three_first[101];
    for (size_t i = 0; i < 100; i++)
        two_first[i] = i < 52 ? 49 : i % 2 ? 73 : 74;
    for (size_t i = 0; i < 101; i++)
        three_first[i] = i < 48 ? 49 : i == 100 ? 9179709 : i % 2 ? 73 : 74;
    double a = stamp_overhead_ticks(two_first, 100, 24.45), b = stamp_overhead_ticks(three_first, 101, 24.45);
    assert_true(two_first[50] == 49 && three_first[50] >= 73); /* the medians a step apart */
    assert_true(fabs(a - b) < 24.45 / 8);
    assert_true(a > 49 && a < 74 && b > 49 && b < 74);
    uint64_t one_cost[] = {42, 42, 42, 42};
    assert_true(stamp_overhead_ticks(one_cost, 4, 21) == 42);
}

/* The clock as this machine has it: a step of at least one tick, the
 * smallest pair a whole number of steps (give or take a tick), the cost
 * taken out within the pairs' spread; a sample of the mean pair is 0 ns,
 * of the mean pair and one step more, one step. */
static void test_clock_here(void **state)
{
    (void)state;
    struct stamp_clock c;
    stamp_clock_init(&c);
    struct timespec ts = {0, 5 * 1000 * 1000};
    nanosleep(&ts, NULL);
    double rate = stamp_rate(&c);
    print_message("step %.2f ticks (%.2f ns), pair %llu/%llu/%llu ticks, %.1f taken out\n", c.step_ticks,
                  c.step_ticks * rate, (unsigned long long)c.pair_min_ticks, (unsigned long long)c.pair_median_ticks,
                  (unsigned long long)c.pair_max_ticks, c.overhead_ticks);
    assert_true(rate > 0);
    assert_true(c.step_ticks >= 1);
    assert_true(c.pair_min_ticks <= c.pair_median_ticks && c.pair_median_ticks <= c.pair_max_ticks);
    assert_true(c.overhead_ticks >= (double)c.pair_min_ticks && c.overhead_ticks <= (double)c.pair_max_ticks);
    double steps = (double)c.pair_min_ticks / c.step_ticks;
    assert_true(fabs(steps - round(steps)) * c.step_ticks <= 1);
    assert_int_equal(stamp_sample_ns(&c, (uint64_t)floor(c.overhead_ticks), rate), 0);
    uint64_t one = stamp_sample_ns(&c, (uint64_t)round(c.overhead_ticks + c.step_ticks), rate);
    assert_true(fabs((double)one - c.step_ticks * rate) <= rate + 0.5);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_step_not_a_whole_number_of_ticks),
        cmocka_unit_test(test_step_from_multiples_only),
        cmocka_unit_test(test_counter_of_single_ticks),
        cmocka_unit_test(test_clock_in_ns),
        cmocka_unit_test(test_interruptions_left_out),
        cmocka_unit_test(test_never_under_a_tick),
        cmocka_unit_test(test_overhead_does_not_flip),
        cmocka_unit_test(test_clock_here),
    };
    return cmocka_run_group_tests_name("stamp", tests, NULL, NULL);
}
