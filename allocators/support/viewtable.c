/* viewtable.c - see viewtable.h. */
#include "viewtable.h"

int view_table_claim(struct view_table *t)
{
    for (int i = 0; i < VIEW_TABLE_MAX; i++) {
        int expected = 0;
        if (atomic_compare_exchange_strong(&t->slot[i].active, &expected, -1)) {
            int high = atomic_load(&t->high);
            while (high < i + 1 && !atomic_compare_exchange_weak(&t->high, &high, i + 1))
                ;
            return i;
        }
    }
    return -1;
}

void view_table_publish(struct view_table *t, int i, const char *addr, size_t len)
{
    t->slot[i].addr = addr;
    t->slot[i].len = len;
    atomic_store_explicit(&t->slot[i].active, 1, memory_order_release);
}

void view_table_release(struct view_table *t, int i) { atomic_store(&t->slot[i].active, 0); }

int view_table_find(struct view_table *t, const char *addr)
{
    int high = atomic_load_explicit(&t->high, memory_order_acquire);
    for (int i = 0; i < high; i++) {
        const struct view_slot *s = &t->slot[i];
        if (atomic_load_explicit(&t->slot[i].active, memory_order_acquire) == 1 && addr >= s->addr &&
            addr < s->addr + s->len)
            return i;
    }
    return -1;
}
