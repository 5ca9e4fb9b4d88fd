#include "topo.h"

#include <stdio.h>
#include <string.h>

int topo_init(struct topo *tp, char err[ALLOC_ERR_LEN])
{
    memset(tp, 0, sizeof *tp);
    if (hwloc_topology_init(&tp->t) != 0 || hwloc_topology_load(tp->t) != 0) {
        snprintf(err, ALLOC_ERR_LEN, "hwloc cannot read this machine's topology");
        return -1;
    }
    /* respect a restricted cpuset: keep only the PUs we are bound to and allowed */
    hwloc_bitmap_t mine = hwloc_bitmap_alloc();
    if (hwloc_get_cpubind(tp->t, mine, HWLOC_CPUBIND_PROCESS) != 0)
        hwloc_bitmap_copy(mine, hwloc_topology_get_allowed_cpuset(tp->t));
    hwloc_bitmap_and(mine, mine, hwloc_topology_get_allowed_cpuset(tp->t));
    if (!hwloc_bitmap_iszero(mine) && !hwloc_bitmap_isequal(mine, hwloc_topology_get_topology_cpuset(tp->t)))
        hwloc_topology_restrict(tp->t, mine, 0);
    hwloc_bitmap_free(mine);
    tp->pus = hwloc_get_nbobjs_by_type(tp->t, HWLOC_OBJ_PU);
    if (tp->pus <= 0) {
        snprintf(err, ALLOC_ERR_LEN, "hwloc found no processing unit to run on");
        hwloc_topology_destroy(tp->t);
        return -1;
    }
    return 0;
}

void topo_destroy(struct topo *tp)
{
    if (tp->t)
        hwloc_topology_destroy(tp->t);
    tp->t = NULL;
}

int topo_plan(struct topo *tp, enum pin_mode mode, int workers, bool oversubscribe, hwloc_bitmap_t *sets,
              char err[ALLOC_ERR_LEN])
{
    if (workers > tp->pus && !oversubscribe) {
        snprintf(err, ALLOC_ERR_LEN,
                 "%d workers but only %d processing units may be used here (add --oversubscribe to run anyway)",
                 workers, tp->pus);
        return -1;
    }
    for (int i = 0; i < workers; i++)
        sets[i] = NULL;
    if (mode == PIN_NONE)
        return 0;
    if (mode == PIN_SCATTER) {
        /* spread across packages and caches first */
        hwloc_obj_t root = hwloc_get_root_obj(tp->t);
        for (int i = 0; i < workers; i++)
            sets[i] = hwloc_bitmap_alloc();
        hwloc_distrib(tp->t, &root, 1, sets, (unsigned)workers, INT_MAX, 0);
    } else {
        /* fill processing units in logical order: cores one after another */
        for (int i = 0; i < workers; i++) {
            hwloc_obj_t pu = hwloc_get_obj_by_type(tp->t, HWLOC_OBJ_PU, (unsigned)(i % tp->pus));
            sets[i] = hwloc_bitmap_dup(pu->cpuset);
        }
    }
    for (int i = 0; i < workers; i++)
        hwloc_bitmap_singlify(sets[i]);
    return 0;
}

void topo_plan_free(hwloc_bitmap_t *sets, int workers)
{
    for (int i = 0; i < workers; i++)
        if (sets[i])
            hwloc_bitmap_free(sets[i]);
}

int topo_bind(struct topo *tp, hwloc_const_bitmap_t set, bool whole_process)
{
    if (!set)
        return 0;
    return hwloc_set_cpubind(tp->t, set, whole_process ? HWLOC_CPUBIND_PROCESS : HWLOC_CPUBIND_THREAD);
}

int topo_last_pu(struct topo *tp, bool whole_process)
{
    hwloc_bitmap_t where = hwloc_bitmap_alloc();
    int pu = -1;
    if (hwloc_get_last_cpu_location(tp->t, where, whole_process ? HWLOC_CPUBIND_PROCESS : HWLOC_CPUBIND_THREAD) == 0)
        pu = hwloc_bitmap_first(where);
    hwloc_bitmap_free(where);
    return pu;
}

const char *pin_mode_name(enum pin_mode m)
{
    return m == PIN_COMPACT ? "compact" : m == PIN_SCATTER ? "scatter" : "none";
}
