/* ledger.h - the memory strategies map through os.c, counted by the driver
 * (alloclab check) rather than reported by the strategy itself. Closed, it
 * costs one relaxed load per os_map. */
#ifndef ALLOCLAB_LEDGER_H
#define ALLOCLAB_LEDGER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Start counting from nothing (what was mapped before is not the strategy's);
 * stop, forgetting every range. */
void ledger_open(void);
void ledger_close(void);
bool ledger_is_open(void);

/* os.c: a mapping made, a range unmapped (the whole or a part of one). */
void ledger_mapped(const void *p, size_t size);
void ledger_unmapped(const void *p, size_t size);

enum ledger_owner { LEDGER_OWNED, LEDGER_NOT_OWNED, LEDGER_UNKNOWN };
/* Does [p, p + size) lie in memory mapped through os.c since the ledger opened? */
enum ledger_owner ledger_owns(const void *p, size_t size);

/* Bytes mapped now, and at the peak since the ledger opened. */
size_t ledger_now(void);
size_t ledger_peak(void);

/* The ranges mapped now, by address (alloclab heapmap draws them): up to max
 * into out; how many there are. The generation moves at every change, so a
 * caller lists them again only when it moved. */
struct ledger_range {
    uintptr_t lo, hi; /* [lo, hi) */
};
size_t ledger_list(struct ledger_range *out, size_t max);
uint64_t ledger_generation(void);

#endif
