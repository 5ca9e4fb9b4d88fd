/* topo.h - where workers run: the hwloc topology, restricted to the
 * processing units this process may use (taskset, cgroups, containers),
 * and the placement policies that put one worker on each unit. */
#ifndef ALLOCLAB_TOPO_H
#define ALLOCLAB_TOPO_H

#include <hwloc.h>
#include <stdbool.h>
#include <stddef.h>

#include "allocator.h"

/* compact: one worker per core, cores in the topology's order (NUMA node
 *          by node, package by package), then each core's second PU in the
 *          same order, and so on: SMT siblings share only once every core
 *          has a worker, and a second node is used only once the first's
 *          cores are taken.
 * scatter: spread over packages, then nodes, cores and PUs (hwloc_distrib).
 * cross:   worker i on NUMA node i mod N, compact within each node: any two
 *          neighbouring workers (a producer and its consumer, a thread and
 *          the one it hands frees to) are on different nodes. One node:
 *          compact.
 * none:    not bound. */
enum pin_mode { PIN_COMPACT, PIN_SCATTER, PIN_NONE, PIN_CROSS, PIN_MODES };

struct topo {
    hwloc_topology_t t;
    int pus;      /* processing units this process may use */
    int cores;    /* cores with a usable unit */
    int packages; /* packages with a usable unit (at least 1) */
    int nodes;    /* NUMA nodes with a usable unit (at least 1) */
};

int topo_init(struct topo *tp, char err[ALLOC_ERR_LEN]);
void topo_destroy(struct topo *tp);
/* One single-PU cpuset per worker (NULL entries with PIN_NONE). Refuses more
 * workers than PUs unless oversubscribe. Caller frees with topo_plan_free. */
int topo_plan(struct topo *tp, enum pin_mode mode, int workers, bool oversubscribe, hwloc_bitmap_t *sets,
              char err[ALLOC_ERR_LEN]);
void topo_plan_free(hwloc_bitmap_t *sets, int workers);
/* Bind the calling thread (or whole process) to set; 0 or -1. */
int topo_bind(struct topo *tp, hwloc_const_bitmap_t set, bool whole_process);
/* The OS index of the PU the caller last ran on, or -1. */
int topo_last_pu(struct topo *tp, bool whole_process);
/* The OS index of the NUMA node a PU (OS index) belongs to, or -1. */
int topo_pu_node(struct topo *tp, int pu);
/* Where n workers ran, as raw.csv's pus and nodes say it: "0;1" and the
 * nodes of those units, "0;0" (NA for a unit hwloc does not know). */
void topo_where(struct topo *tp, const int *pu, int n, char *pus, size_t puslen, char *nodes, size_t nodeslen);
/* The NUMA nodes (OS indexes) policy mode puts `workers` workers on,
 * ascending and ';'-separated ("0;1"); "NA" unbound or unknown. */
void topo_plan_nodes(struct topo *tp, enum pin_mode mode, int workers, char *buf, size_t len);
const char *pin_mode_name(enum pin_mode m);
/* "compact" ... : the mode, or -1 */
int pin_mode_parse(const char *name);

#endif
