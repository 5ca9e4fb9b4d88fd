/* strategy_names.h - the strategies the analysis names: the claims' and the
 * targets' subjects, and the baseline every ratio is taken against. Each is
 * a file of allocators/. test_columns checks every `#define STRATEGY_` here
 * against the registry: a renamed file fails that test, where it would
 * silently turn verdicts into NA. */
#ifndef ALLOCLAB_STRATEGY_NAMES_H
#define ALLOCLAB_STRATEGY_NAMES_H

#define STRATEGY_SYSTEM_MALLOC "system_malloc"
#define STRATEGY_LOCKED_FREELIST "locked_freelist"
#define STRATEGY_BLOCK_SUBALLOC "block_suballoc"
#define STRATEGY_FORK_COW "fork_cow"
#define STRATEGY_MPROTECT_COW "mprotect_cow"
#define STRATEGY_UFFD_COW "uffd_cow"

#endif
