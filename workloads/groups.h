/*
 * groups.h - the bench groups the analysis knows by name. A workload's plan
 * may name any group (its cells then get a table of their own in the
 * report); these are the ones the claims, the targets and the figures look
 * up, so their names are written here once, for both sides.
 */
#ifndef ALLOCLAB_GROUPS_H
#define ALLOCLAB_GROUPS_H

#define GROUP_MAIN "main"   /* every strategy on each main workload, at its bench size */
#define GROUP_LOOKUPS "lookups" /* read_heavy over lookups per copy, with its control (view=none) */
#define GROUP_SWEEP "sweep" /* write_heavy over write fractions: where copy-on-write stops paying */
#define GROUP_THP "thp"     /* copy-on-write writes with transparent huge pages never and always */
#define GROUP_CHURN "churn" /* churn from 1 thread to every processing unit */
#define GROUP_FORK "fork"   /* fork() against populated size */
#define GROUP_FRAG "frag"   /* churn at 1 thread over window sizes: live sets up to many reservation units */
#define GROUP_SHARED "shared" /* shared_object: mutex, rwlock, refcount, rcu over threads and write rates */
#define GROUP_SHARED_HEAPS "shared_heaps" /* shared_object's copy-on-write variants on every heap */
#define GROUP_LARSON "larson" /* larson over threads: cross-thread frees, a new thread each round */
#define GROUP_HANDOFF "handoff" /* producer_consumer: one thread allocates, another frees */
#define GROUP_FALSE_SHARING "false_sharing" /* cache-thrash and cache-scratch over threads */
#define GROUP_RELEASE "release" /* memory_over_time: what a heap keeps after a burst of frees, over time */
#define GROUP_SCALING "scaling" /* the copy workloads over workers (threads, and processes where they can) */
#define GROUP_PROGRAMS "programs" /* real programs under every heap strategy, and as packaged (via=packaged) */
/* on two NUMA nodes or more: remote frees with both sides on one node (pin=compact) and on two (pin=cross) */
#define GROUP_NUMA "numa"

/* every group above: the figures' scripts get each as G_<NAME> (G_FALSE_SHARING);
 * test_columns checks that every group defined above and every group a script names is here */
#define GROUP_ALL                                                                                               \
    {GROUP_MAIN, GROUP_LOOKUPS, GROUP_SWEEP, GROUP_THP, GROUP_CHURN, GROUP_FORK, GROUP_FRAG, GROUP_SHARED,          \
     GROUP_SHARED_HEAPS, GROUP_LARSON, GROUP_HANDOFF, GROUP_FALSE_SHARING, GROUP_RELEASE, GROUP_SCALING,             \
     GROUP_PROGRAMS, GROUP_NUMA}

#endif
