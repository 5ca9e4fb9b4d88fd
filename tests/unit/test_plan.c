/*
 * test_plan.c - alloclab on machines it is not running on: hwloc's
 * synthetic topologies (HWLOC_SYNTHETIC, HWLOC_THISSYSTEM=0) from one
 * processing unit to 256, on 1 to 8 packages and NUMA nodes, with and
 * without SMT. The placement policies put each worker where topo.h says;
 * worker sweeps take the counts plan.h says; every profile plans on each of
 * the machines, within its time budget by the estimate, with the
 * NUMA cells where there are two nodes or more.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "estimate.h"
#include "groups.h"
#include "plan.h"
#include "topo.h"

/* A synthetic machine; the test fails when hwloc cannot build it. */
static void machine(struct topo *tp, const char *description)
{
    char err[ALLOC_ERR_LEN];
    setenv("HWLOC_SYNTHETIC", description, 1);
    setenv("HWLOC_THISSYSTEM", "0", 1);
    if (topo_init(tp, err) != 0)
        fail_msg("%s: %s", description, err);
}

/* The NUMA node (OS index) and core (logical index) of each worker. */
static void where(struct topo *tp, enum pin_mode mode, int workers, int *node, int *core)
{
    hwloc_bitmap_t sets[256];
    char err[ALLOC_ERR_LEN];
    assert_int_equal(topo_plan(tp, mode, workers, false, sets, err), 0);
    for (int i = 0; i < workers; i++) {
        int pu = hwloc_bitmap_first(sets[i]);
        hwloc_obj_t obj = hwloc_get_pu_obj_by_os_index(tp->t, (unsigned)pu);
        hwloc_obj_t c = hwloc_get_ancestor_obj_by_type(tp->t, HWLOC_OBJ_CORE, obj);
        node[i] = topo_pu_node(tp, pu);
        core[i] = c ? (int)c->logical_index : -1;
    }
    topo_plan_free(sets, workers);
}

static void test_shapes(void **state)
{
    (void)state;
    static const struct {
        const char *description;
        int pus, cores, packages, nodes;
    } shapes[] = {
        {"pack:1 core:1 pu:1", 1, 1, 1, 1},
        {"pack:1 core:8 pu:2", 16, 8, 1, 1},
        {"pack:2 numa:1 core:16 pu:2", 64, 32, 2, 2},
        {"pack:4 numa:1 core:24 pu:2", 192, 96, 4, 4},
        {"pack:2 core:64 pu:2", 256, 128, 2, 1},
        {"pack:1 numa:8 core:4 pu:1", 32, 32, 1, 8},
    };
    for (size_t i = 0; i < sizeof shapes / sizeof *shapes; i++) {
        struct topo tp;
        machine(&tp, shapes[i].description);
        if (tp.pus != shapes[i].pus || tp.cores != shapes[i].cores || tp.packages != shapes[i].packages ||
            tp.nodes != shapes[i].nodes)
            fail_msg("%s: %d PUs, %d cores, %d packages, %d nodes", shapes[i].description, tp.pus, tp.cores,
                     tp.packages, tp.nodes);
        topo_destroy(&tp);
    }
}

/* compact: one worker per core, node 0's cores first; SMT siblings only
 * once every core has a worker */
static void test_compact_fills_cores_node_by_node(void **state)
{
    (void)state;
    struct topo tp;
    int node[256], core[256];
    machine(&tp, "pack:2 numa:1 core:16 pu:2");
    where(&tp, PIN_COMPACT, 64, node, core);
    for (int i = 0; i < 64; i++) {
        assert_int_equal(core[i], i % 32);       /* a core's second worker comes 32 workers later */
        assert_int_equal(node[i], (i % 32) / 16); /* 0-15 on node 0, 16-31 on node 1 */
    }
    char nodes[64];
    topo_plan_nodes(&tp, PIN_COMPACT, 16, nodes, sizeof nodes);
    assert_string_equal(nodes, "0");
    topo_plan_nodes(&tp, PIN_COMPACT, 17, nodes, sizeof nodes);
    assert_string_equal(nodes, "0;1");
    topo_destroy(&tp);
}

/* cross: neighbours on different nodes, each node's cores before its SMT
 * siblings; on one node, the compact placement */
static void test_cross_alternates_nodes(void **state)
{
    (void)state;
    struct topo tp;
    int node[256], core[256], seen[96] = {0};
    machine(&tp, "pack:4 numa:1 core:24 pu:2");
    where(&tp, PIN_CROSS, 192, node, core);
    for (int i = 0; i < 192; i++) {
        assert_int_equal(node[i], i % 4);
        assert_int_equal(seen[core[i]]++, i < 96 ? 0 : 1); /* every core once, then every core again */
    }
    topo_destroy(&tp);
    machine(&tp, "pack:1 core:8 pu:2");
    int cnode[256], ccore[256];
    where(&tp, PIN_CROSS, 16, node, core);
    where(&tp, PIN_COMPACT, 16, cnode, ccore);
    assert_memory_equal(core, ccore, 16 * sizeof *core);
    topo_destroy(&tp);
}

/* more workers than units: refused unless oversubscribe, then round again */
static void test_oversubscription(void **state)
{
    (void)state;
    struct topo tp;
    hwloc_bitmap_t sets[4];
    char err[ALLOC_ERR_LEN];
    machine(&tp, "pack:1 core:1 pu:1");
    assert_int_equal(topo_plan(&tp, PIN_COMPACT, 2, false, sets, err), -1);
    assert_non_null(strstr(err, "--oversubscribe"));
    assert_int_equal(topo_plan(&tp, PIN_CROSS, 3, true, sets, err), 0);
    assert_true(hwloc_bitmap_isequal(sets[0], sets[2]));
    topo_plan_free(sets, 3);
    topo_destroy(&tp);
}

static void test_sweeps(void **state)
{
    (void)state;
    static const struct {
        const char *description;
        int counts[16];
    } sweeps[] = {
        {"pack:1 core:1 pu:1", {1}},
        {"pack:1 core:2 pu:1", {1, 2}},
        {"pack:1 core:24 pu:1", {1, 2, 4, 8, 16, 24}},
        {"pack:2 numa:1 core:16 pu:2", {1, 2, 4, 8, 16, 32, 64}},
        {"pack:4 numa:1 core:24 pu:2", {1, 2, 4, 8, 16, 24, 32, 64, 96, 128, 192}},
        {"pack:2 core:64 pu:2", {1, 2, 4, 8, 16, 32, 64, 128, 256}},
    };
    for (size_t i = 0; i < sizeof sweeps / sizeof *sweeps; i++) {
        struct topo tp;
        int got[64], n = 0;
        machine(&tp, sweeps[i].description);
        int k = plan_worker_sweep(&tp, 1, tp.pus, got, 64);
        while (n < 16 && sweeps[i].counts[n])
            n++;
        if (k != n || memcmp(got, sweeps[i].counts, (size_t)n * sizeof *got))
            fail_msg("%s: %d counts, the %dth %d", sweeps[i].description, k, n, k ? got[k - 1] : 0);
        /* from 2 up: 2, then as above */
        assert_int_equal(plan_worker_sweep(&tp, 2, tp.pus, got, 64), n - 1);
        topo_destroy(&tp);
    }
}

/* The machines, with the budgets it set: every profile plans; the
 * default within 15 minutes and the full within 75 by the estimate (an
 * hour, about, at 128 units); past 128 units, where the issue sets no
 * budget and every server cell runs a thread on each unit, the default
 * within 20; workers within the units; NUMA cells, with their pairs split
 * across nodes, only where there are two nodes. */
static void test_every_profile_plans_within_budget(void **state)
{
    (void)state;
    static const struct {
        const char *description;
        double default_s, full_s;
    } machines[] = {
        {"pack:1 core:1 pu:1", 900, 4500},           {"pack:1 core:8 pu:2", 900, 4500},
        {"pack:2 numa:1 core:16 pu:2", 900, 4500},   {"pack:2 numa:1 core:32 pu:2", 900, 3900},
        {"pack:4 numa:1 core:24 pu:2", 1200, 4500},  {"pack:2 core:64 pu:2", 1200, 4500},
    };
    static const char *const profiles[] = {"test", "quick", "default", "full"};
    static struct cell_spec cells[2048];
    for (size_t m = 0; m < sizeof machines / sizeof *machines; m++) {
        struct topo tp;
        machine(&tp, machines[m].description);
        for (size_t p = 0; p < 4; p++) {
            char why[768];
            struct plan_notes notes;
            const struct profile *pr = profile_find(profiles[p]);
            int n = plan_build(pr, NULL, &tp, cells, 2048, &notes, why, sizeof why);
            if (n <= 0)
                fail_msg("%s, profile %s: %s", machines[m].description, profiles[p], why);
            struct estimate e;
            estimate_bench(pr, cells, n, true, 1, &e); /* at the costs' own page faults */
            double budget = p == 2 ? machines[m].default_s : p == 3 ? machines[m].full_s : 900;
            if (!(e.total_s > 0 && e.total_s <= budget))
                fail_msg("%s, profile %s: %d cells, estimated %.0f s, over %.0f s", machines[m].description,
                         profiles[p], n, e.total_s, budget);
            int numa = 0;
            for (int c = 0; c < n; c++) {
                int workers = (int)cell_knob(&cells[c], "workers");
                assert_true(workers >= 1 && workers <= tp.pus);
                if (strcmp(cells[c].group, GROUP_NUMA))
                    continue;
                numa++;
                char nodes[CELL_WHERE_LEN];
                topo_plan_nodes(&tp, cells[c].pin, workers, nodes, sizeof nodes);
                if (cells[c].pin == PIN_CROSS && workers == 2)
                    assert_string_equal(nodes, "0;1");
                if (cells[c].pin == PIN_COMPACT && workers == 2)
                    assert_string_equal(nodes, "0");
            }
            assert_true(tp.nodes >= 2 ? numa > 0 : numa == 0);
        }
        topo_destroy(&tp);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_shapes),
        cmocka_unit_test(test_compact_fills_cores_node_by_node),
        cmocka_unit_test(test_cross_alternates_nodes),
        cmocka_unit_test(test_oversubscription),
        cmocka_unit_test(test_sweeps),
        cmocka_unit_test(test_every_profile_plans_within_budget),
    };
    return cmocka_run_group_tests_name("plans on synthetic machines", tests, NULL, NULL);
}
