/*
 * test_params.c - the tables that make a workload or a strategy one file:
 * every knob and option default parses and prints back to itself (the CSV
 * key depends on it), ranges refuse what is outside them, every workload
 * has the knobs the runner relies on, and every workload's bench plan
 * plans cells on this machine in every profile.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "plan.h"
#include "workload.h"

/* parse(format(parse(default))) is the same value */
static void round_trip(const char *owner, const struct param *p)
{
    union param_value v, again;
    char err[PARAM_ERR_LEN], text[512];
    if (param_parse(p, p->def, &v, err, sizeof err) != 0)
        fail_msg("%s: default of %s does not parse: %s", owner, p->name, err);
    param_format(p, v, text, sizeof text);
    if (param_parse(p, text, &again, err, sizeof err) != 0)
        fail_msg("%s: %s printed as '%s', which does not parse: %s", owner, p->name, text, err);
    bool same = p->type == PARAM_FRACTION ? v.f == again.f
                : p->type == PARAM_CHOICE ? v.choice == again.choice
                : p->type == PARAM_TEXT   ? !strcmp(v.text, again.text)
                                          : v.n == again.n;
    if (!same)
        fail_msg("%s: %s '%s' printed as '%s' reads back as another value", owner, p->name, p->def, text);
}

/* just outside the range is refused, with the knob's name in the message */
static void range_refused(const char *owner, const struct param *p)
{
    if (p->type != PARAM_COUNT && p->type != PARAM_FRACTION && p->type != PARAM_SIZE)
        return;
    char text[64], err[PARAM_ERR_LEN];
    union param_value v;
    snprintf(text, sizeof text, p->type == PARAM_FRACTION ? "%.17g" : "%.0f", p->max * 2 + 1);
    if (param_parse(p, text, &v, err, sizeof err) == 0)
        fail_msg("%s: %s accepted %s, over its maximum %g", owner, p->name, text, p->max);
    assert_non_null(strstr(err, p->name));
    if (p->min > 0) {
        snprintf(text, sizeof text, p->type == PARAM_FRACTION ? "%.17g" : "%.0f", p->min / 2);
        if (param_parse(p, text, &v, err, sizeof err) == 0)
            fail_msg("%s: %s accepted %s, under its minimum %g", owner, p->name, text, p->min);
    }
}

static void test_every_table_round_trips_and_refuses_out_of_range(void **state)
{
    (void)state;
    for (size_t i = 0; workload_registry[i]; i++)
        for (size_t k = 0; workload_registry[i]->knobs[k].name; k++) {
            round_trip(workload_registry[i]->name, &workload_registry[i]->knobs[k]);
            range_refused(workload_registry[i]->name, &workload_registry[i]->knobs[k]);
        }
    for (size_t i = 0; allocator_registry[i]; i++)
        for (size_t k = 0; allocator_registry[i]->options && allocator_registry[i]->options[k].name; k++) {
            round_trip(allocator_registry[i]->name, &allocator_registry[i]->options[k]);
            range_refused(allocator_registry[i]->name, &allocator_registry[i]->options[k]);
        }
}

static void test_every_workload_has_the_knobs_the_runner_reads(void **state)
{
    (void)state;
    for (size_t i = 0; workload_registry[i]; i++) {
        const struct workload *w = workload_registry[i];
        assert_true(params_find(w->knobs, "workers") >= 0);
        assert_true(params_find(w->knobs, "seed") >= 0);
        if (w->kind == WORKLOAD_VIEWS && params_find(w->knobs, "size") < 0)
            fail_msg("%s takes views but has no size knob", w->name);
        assert_true(params_count(w->knobs) <= PARAM_MAX);
        assert_true(workload_nresults(w) <= WORKLOAD_MAX_RESULTS);
    }
}

static void test_option_strings(void **state)
{
    (void)state;
    const struct allocator *lf = allocator_find("locked_freelist");
    struct alloc_config cfg;
    char err[ALLOC_ERR_LEN];
    assert_int_equal(alloc_config_parse(lf, "fit=best,arena=64k", THP_DEFAULT, &cfg, err), 0);
    assert_int_equal(cfg.opt[params_find(lf->options, "fit")].choice, 1);
    assert_true(cfg.opt[params_find(lf->options, "arena")].n == 65536);
    assert_int_equal(alloc_config_parse(lf, "fit=best,color=red", THP_DEFAULT, &cfg, err), -1);
    assert_non_null(strstr(err, "color"));
    assert_int_equal(alloc_config_parse(lf, "fit", THP_DEFAULT, &cfg, err), -1);
    assert_int_equal(alloc_config_parse(allocator_find("mprotect_cow"), "granule=12k", THP_DEFAULT, &cfg, err), -1);
    assert_non_null(strstr(err, "power of two"));
}

/* every profile plans cells for every workload that has a plan for it,
 * with workers within the machine and sizes within the memory guard */
static void test_every_plan_plans_here(void **state)
{
    (void)state;
    struct topo tp;
    char err[ALLOC_ERR_LEN], why[768];
    assert_int_equal(topo_init(&tp, err), 0);
    static struct cell_spec cells[1024];
    static const char *const profiles[] = {"test", "quick", "default"};
    for (size_t p = 0; p < 3; p++) {
        int n = plan_build(profile_find(profiles[p]), NULL, &tp, cells, 1024, NULL, why, sizeof why);
        if (n <= 0)
            fail_msg("profile %s: %s", profiles[p], why);
        for (size_t i = 0; workload_registry[i]; i++) {
            const struct workload *w = workload_registry[i];
            bool planned = false; /* a plan may leave a profile out (programs in quick) */
            for (size_t k = 0; w->plan && w->plan[k].group; k++)
                planned |= w->plan[k].profile[profile_find(profiles[p])->id] != NULL;
            int mine = plan_build(profile_find(profiles[p]), w->name, &tp, cells, 1024, NULL, why, sizeof why);
            if (!planned && mine == 0)
                continue;
            if (mine <= 0)
                fail_msg("profile %s: %s has no cells (%s)", profiles[p], workload_registry[i]->name, why);
            for (int c = 0; c < mine; c++)
                assert_true(cell_knob(&cells[c], "workers") >= 1 && (int)cell_knob(&cells[c], "workers") <= tp.pus);
        }
    }
    topo_destroy(&tp);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_table_round_trips_and_refuses_out_of_range),
        cmocka_unit_test(test_every_workload_has_the_knobs_the_runner_reads),
        cmocka_unit_test(test_option_strings),
        cmocka_unit_test(test_every_plan_plans_here),
    };
    return cmocka_run_group_tests_name("parameter tables and plans", tests, NULL, NULL);
}
