/*
 * liveset.c - the blocks a checked replay holds live, ordered by address:
 * an insert that overlaps a live block is refused with that block's id, and
 * the neighbours of an address are found in log time.
 */
#include <stdlib.h>
#include <string.h>

#include "replay.h"

static size_t lower_bound(const struct live_set *s, uintptr_t start)
{
    size_t lo = 0, hi = s->n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (s->r[mid].start < start)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

int live_insert(struct live_set *s, const void *p, size_t size, uint32_t id, uint32_t *other)
{
    uintptr_t start = (uintptr_t)p, end = start + (size ? size : 1);
    size_t i = lower_bound(s, start);
    if (i > 0 && s->r[i - 1].end > start) {
        *other = s->r[i - 1].id;
        return -1;
    }
    if (i < s->n && s->r[i].start < end) {
        *other = s->r[i].id;
        return -1;
    }
    if (s->n == s->cap) {
        s->cap = s->cap ? 2 * s->cap : 1024;
        s->r = realloc(s->r, s->cap * sizeof *s->r);
    }
    memmove(&s->r[i + 1], &s->r[i], (s->n - i) * sizeof *s->r);
    s->r[i] = (struct live_range){start, end, id};
    s->n++;
    return 0;
}

void live_remove(struct live_set *s, const void *p)
{
    size_t i = lower_bound(s, (uintptr_t)p);
    if (i < s->n && s->r[i].start == (uintptr_t)p) {
        memmove(&s->r[i], &s->r[i + 1], (s->n - i - 1) * sizeof *s->r);
        s->n--;
    }
}

void live_free(struct live_set *s)
{
    free(s->r);
    memset(s, 0, sizeof *s);
}


void live_neighbours(const struct live_set *s, const void *p, uint32_t *below, uint32_t *above)
{
    size_t i = lower_bound(s, (uintptr_t)p);
    *below = i > 0 ? s->r[i - 1].id : UINT32_MAX;
    *above = i < s->n ? s->r[i].id : UINT32_MAX;
}
