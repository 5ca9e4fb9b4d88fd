/*
 * viewtable.h - the views a copy-on-write signal handler may resolve: a
 * fixed table of address ranges, claimed and released by view_open and
 * view_close, searched by the handler (mprotect_cow, uffd_cow). Fixed, so
 * that the handler reads it without a lock or an allocation.
 */
#ifndef ALLOCLAB_VIEWTABLE_H
#define ALLOCLAB_VIEWTABLE_H

#include <stdatomic.h>
#include <stddef.h>

#define VIEW_TABLE_MAX 1024

struct view_slot {
    _Atomic int active; /* 0 free, -1 being set up, 1 published */
    const char *addr;
    size_t len;
};

struct view_table {
    struct view_slot slot[VIEW_TABLE_MAX];
    _Atomic int high; /* slots in use are below this */
};

/* A free slot, claimed: its index, or -1 when all VIEW_TABLE_MAX are taken. */
int view_table_claim(struct view_table *t);
/* Set up: faults in [addr, addr + len) are slot i's view's from now on. */
void view_table_publish(struct view_table *t, int i, const char *addr, size_t len);
/* No fault in slot i's view is legitimate any more (also undoes a claim). */
void view_table_release(struct view_table *t, int i);
/* The published slot whose range holds addr, or -1. Async-signal-safe. */
int view_table_find(struct view_table *t, const char *addr);

#endif
