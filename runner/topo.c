#include "topo.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* objects of a type whose cpuset holds a usable unit: after a restriction,
 * a memory-only node or an emptied package does not count */
static int count_usable(hwloc_topology_t t, hwloc_obj_type_t type)
{
    int n = 0;
    for (hwloc_obj_t o = NULL; (o = hwloc_get_next_obj_by_type(t, type, o));)
        n += o->cpuset && !hwloc_bitmap_iszero(o->cpuset);
    return n;
}

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
        tp->t = NULL;
        return -1;
    }
    tp->cores = count_usable(tp->t, HWLOC_OBJ_CORE);
    tp->cores = tp->cores > 0 ? tp->cores : tp->pus; /* no core objects: each unit is its own */
    tp->packages = count_usable(tp->t, HWLOC_OBJ_PACKAGE);
    tp->packages = tp->packages > 0 ? tp->packages : 1;
    tp->nodes = count_usable(tp->t, HWLOC_OBJ_NUMANODE);
    tp->nodes = tp->nodes > 0 ? tp->nodes : 1;
    return 0;
}

void topo_destroy(struct topo *tp)
{
    if (tp->t)
        hwloc_topology_destroy(tp->t);
    tp->t = NULL;
}

/* The node holding a unit: the first NUMA node whose cpuset has it. */
static hwloc_obj_t node_of(hwloc_topology_t t, hwloc_obj_t pu)
{
    for (hwloc_obj_t o = NULL; (o = hwloc_get_next_obj_by_type(t, HWLOC_OBJ_NUMANODE, o));)
        if (o->cpuset && hwloc_bitmap_intersects(o->cpuset, pu->cpuset))
            return o;
    return NULL;
}

/* compact: a unit's rank within its core (0 for its first), then cores in
 * the topology's logical order, which goes node by node and package by
 * package; out[0..pus) */
static void order_compact(struct topo *tp, hwloc_obj_t *out)
{
    int *rank = calloc((size_t)tp->pus, sizeof *rank), *seen = calloc((size_t)tp->pus, sizeof *seen);
    int n = 0, most = 0;
    for (int i = 0; rank && seen && i < tp->pus; i++) {
        hwloc_obj_t pu = hwloc_get_obj_by_type(tp->t, HWLOC_OBJ_PU, (unsigned)i);
        hwloc_obj_t core = hwloc_get_ancestor_obj_by_type(tp->t, HWLOC_OBJ_CORE, pu);
        unsigned c = core ? core->logical_index : (unsigned)i; /* no core object: a unit is its own */
        rank[i] = c < (unsigned)tp->pus ? seen[c]++ : 0;
        most = rank[i] > most ? rank[i] : most;
    }
    for (int r = 0; rank && seen && r <= most; r++)
        for (int i = 0; i < tp->pus; i++)
            if (rank[i] == r)
                out[n++] = hwloc_get_obj_by_type(tp->t, HWLOC_OBJ_PU, (unsigned)i);
    for (int i = 0; n < tp->pus; i++) /* out of memory: the logical order */
        out[n++] = hwloc_get_obj_by_type(tp->t, HWLOC_OBJ_PU, (unsigned)i);
    free(rank);
    free(seen);
}

/* cross: the compact order dealt out node by node in turn, a node that has
 * no unit left skipped */
static void order_cross(struct topo *tp, hwloc_obj_t *compact, hwloc_obj_t *out)
{
    int n = 0, nodes = 0;
    hwloc_obj_t node[256];
    for (hwloc_obj_t o = NULL; nodes < 256 && (o = hwloc_get_next_obj_by_type(tp->t, HWLOC_OBJ_NUMANODE, o));)
        if (o->cpuset && !hwloc_bitmap_iszero(o->cpuset))
            node[nodes++] = o;
    if (nodes < 2) {
        memcpy(out, compact, (size_t)tp->pus * sizeof *out);
        return;
    }
    int *next = calloc((size_t)nodes, sizeof *next); /* per node: where its search in compact goes on */
    while (next && n < tp->pus) {
        int before = n;
        for (int j = 0; j < nodes && n < tp->pus; j++) {
            while (next[j] < tp->pus && node_of(tp->t, compact[next[j]]) != node[j])
                next[j]++;
            if (next[j] < tp->pus)
                out[n++] = compact[next[j]++];
        }
        if (n == before) /* a unit in no node: give up the crossing */
            break;
    }
    for (int i = 0; n < tp->pus; i++) /* (no node found) whatever is left, in compact order */
        out[n++] = compact[i];
    free(next);
}

/* One single-PU set per worker under mode (not PIN_NONE); 0 or -1. */
static int place(struct topo *tp, enum pin_mode mode, int workers, hwloc_bitmap_t *sets)
{
    if (mode == PIN_SCATTER) { /* spread across packages and caches first */
        hwloc_obj_t root = hwloc_get_root_obj(tp->t);
        for (int i = 0; i < workers; i++)
            sets[i] = hwloc_bitmap_alloc();
        hwloc_distrib(tp->t, &root, 1, sets, (unsigned)workers, INT_MAX, 0);
    } else {
        hwloc_obj_t *compact = calloc((size_t)tp->pus, sizeof *compact);
        hwloc_obj_t *order = calloc((size_t)tp->pus, sizeof *order);
        if (!compact || !order) {
            free(compact);
            free(order);
            return -1;
        }
        order_compact(tp, compact);
        if (mode == PIN_CROSS)
            order_cross(tp, compact, order);
        for (int i = 0; i < workers; i++) /* past the units (oversubscribed): round again */
            sets[i] = hwloc_bitmap_dup((mode == PIN_CROSS ? order : compact)[i % tp->pus]->cpuset);
        free(compact);
        free(order);
    }
    for (int i = 0; i < workers; i++)
        hwloc_bitmap_singlify(sets[i]);
    return 0;
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
    if (place(tp, mode, workers, sets) != 0) {
        snprintf(err, ALLOC_ERR_LEN, "out of memory placing the workers");
        return -1;
    }
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

int topo_pu_node(struct topo *tp, int pu)
{
    hwloc_obj_t obj = pu < 0 ? NULL : hwloc_get_pu_obj_by_os_index(tp->t, (unsigned)pu);
    hwloc_obj_t node = obj ? node_of(tp->t, obj) : NULL;
    return node ? (int)node->os_index : -1;
}

void topo_where(struct topo *tp, const int *pu, int n, char *pus, size_t puslen, char *nodes, size_t nodeslen)
{
    size_t at = 0, nat = 0;
    pus[0] = nodes[0] = '\0';
    for (int i = 0; i < n; i++) {
        char node[16] = "NA"; /* not measured, never a node number */
        if (topo_pu_node(tp, pu[i]) >= 0)
            snprintf(node, sizeof node, "%d", topo_pu_node(tp, pu[i]));
        if (at < puslen) /* snprintf says what it would have written: never past the end */
            at += (size_t)snprintf(pus + at, puslen - at, "%s%d", i ? ";" : "", pu[i]);
        if (nat < nodeslen)
            nat += (size_t)snprintf(nodes + nat, nodeslen - nat, "%s%s", i ? ";" : "", node);
    }
}

void topo_plan_nodes(struct topo *tp, enum pin_mode mode, int workers, char *buf, size_t len)
{
    snprintf(buf, len, "NA");
    hwloc_bitmap_t *sets = calloc((size_t)workers + 1, sizeof *sets);
    char err[ALLOC_ERR_LEN];
    if (!sets || mode == PIN_NONE || topo_plan(tp, mode, workers, true, sets, err) != 0) {
        free(sets);
        return;
    }
    hwloc_bitmap_t nodes = hwloc_bitmap_alloc();
    for (int i = 0; i < workers; i++) {
        int node = topo_pu_node(tp, hwloc_bitmap_first(sets[i]));
        if (node >= 0)
            hwloc_bitmap_set(nodes, (unsigned)node);
    }
    size_t used = 0;
    for (int id = hwloc_bitmap_first(nodes); id >= 0 && used < len; id = hwloc_bitmap_next(nodes, id))
        used += (size_t)snprintf(buf + used, len - used, "%s%d", used ? ";" : "", id);
    hwloc_bitmap_free(nodes);
    topo_plan_free(sets, workers);
    free(sets);
}

static const char *const pin_names[PIN_MODES] = {"compact", "scatter", "none", "cross"};

const char *pin_mode_name(enum pin_mode m) { return m >= 0 && m < PIN_MODES ? pin_names[m] : "none"; }

int pin_mode_parse(const char *name)
{
    for (int m = 0; m < PIN_MODES; m++)
        if (!strcmp(name, pin_names[m]))
            return m;
    return -1;
}
