/*
 * heapmap_out.c - what heaprec recorded, laid out and written as CSV.
 *
 * The layout: an address axis that shows where blocks are. The blocks, and
 * each mapping's first and last bytes (so that where it starts and ends
 * shows), are grouped into regions, a new one wherever the next starts far
 * past the last (heapmap.h: an eighth of the bytes they cover, and at least
 * HEAPMAP_GAP_MIN). The regions are drawn one above the other, each at its
 * own scale (its bytes, or a sixtieth of all the regions' bytes if it is
 * smaller, so that a page of metadata stays visible), and what lies between
 * two of them, mapped or not, is drawn in a fixed space, the axis broken
 * there with the bytes left out written beside it. A heap whose arenas sit
 * 100 GiB apart is then two bands, not a line at each end of an empty plot,
 * and a megabyte arena holding a kilobyte of blocks shows the blocks. The
 * drawn position of an address (columns y_lo, y_hi, x_lo, x_hi) is in the
 * files beside the address itself.
 */
#include "heapmap.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "results.h"

#define EDGE 64 /* a mapping's first and last bytes drawn, to show where it starts and ends */

struct region {
    uintptr_t lo, hi;
    double base, h; /* drawn from base to base + h */
};

struct layout {
    struct region reg[HEAPMAP_MAX_REGIONS];
    size_t n;
    double top, space; /* the drawn axis: 0 .. top; the space for what lies between two regions */
};

struct span {
    uintptr_t lo, hi;
};

static int by_lo(const void *x, const void *y)
{
    uintptr_t a = ((const struct span *)x)->lo, b = ((const struct span *)y)->lo;
    return a < b ? -1 : a > b;
}

/* Group sorted spans into regions; how many (max + 1: too many). */
static size_t group(const struct span *s, size_t n, uintptr_t gap, struct region *out, size_t max)
{
    size_t count = 0;
    for (size_t i = 0; i < n; i++) {
        if (count && s[i].lo <= out[count - 1].hi + gap) {
            out[count - 1].hi = s[i].hi > out[count - 1].hi ? s[i].hi : out[count - 1].hi;
            continue;
        }
        if (count == max)
            return max + 1;
        out[count++] = (struct region){s[i].lo, s[i].hi, 0, 0};
    }
    return count;
}

/* The spans to show, sorted: every block, and each mapping (whole, or its
 * two ends); with upto >= 0 only those that began by operation upto. */
static struct span *spans(const struct heaprec *r, bool ends, long upto, size_t *n)
{
    size_t k = 0;
    struct span *s = malloc((2 * r->maps.n + r->blocks.n + 1) * sizeof *s);
    if (!s)
        return NULL;
    for (size_t i = 0; i < r->maps.n; i++) {
        const struct hm_map *m = HM_MAP(r, i);
        if (upto >= 0 && m->from > upto)
            continue;
        s[k++] = (struct span){m->lo, ends && m->hi - m->lo > EDGE ? m->lo + EDGE : m->hi};
        if (ends && m->hi - m->lo > EDGE)
            s[k++] = (struct span){m->hi - EDGE, m->hi};
    }
    for (size_t i = 0; i < r->blocks.n; i++) {
        const struct hm_block *b = HM_BLOCK(r, i);
        if (upto < 0 || b->from <= upto)
            s[k++] = (struct span){b->addr, b->addr + (b->size ? b->size : 1)};
    }
    qsort(s, k, sizeof *s, by_lo);
    *n = k;
    return s;
}

/* The spans grouped into at most HEAPMAP_MAX_REGIONS regions, a new one past
 * a gap of an eighth of the bytes they cover (and HEAPMAP_GAP_MIN); how many,
 * or -1 out of memory. */
static long regions(const struct heaprec *r, bool ends, long upto, struct region *out)
{
    size_t k, n;
    struct span *s = spans(r, ends, upto, &k);
    if (!s)
        return -1;
    uintptr_t covered = 0, end = 0; /* the bytes the spans cover, each once */
    for (size_t i = 0; i < k; i++) {
        uintptr_t from = s[i].lo > end ? s[i].lo : end;
        covered += s[i].hi > from ? s[i].hi - from : 0;
        end = s[i].hi > end ? s[i].hi : end;
    }
    uintptr_t gap = covered / HEAPMAP_GAP_SHARE > HEAPMAP_GAP_MIN ? covered / HEAPMAP_GAP_SHARE : HEAPMAP_GAP_MIN;
    while ((n = group(s, k, gap, out, HEAPMAP_MAX_REGIONS)) > HEAPMAP_MAX_REGIONS)
        gap *= 2; /* too many regions: the smallest gaps are drawn to scale instead */
    free(s);
    return (long)n;
}

static int layout_make(const struct heaprec *r, struct layout *L)
{
    long n = regions(r, true, -1, L->reg);
    if (n < 0)
        return -1;
    L->n = (size_t)n;
    double total = 0;
    for (size_t i = 0; i < L->n; i++)
        total += (double)(L->reg[i].hi - L->reg[i].lo);
    total = total > 0 ? total : 1;
    L->space = total / 30;
    double y = 0;
    for (size_t i = 0; i < L->n; i++) {
        double bytes = (double)(L->reg[i].hi - L->reg[i].lo);
        L->reg[i].base = y;
        L->reg[i].h = bytes > total / 60 ? bytes : total / 60;
        y += L->reg[i].h + (i + 1 < L->n ? L->space : 0);
    }
    L->top = y > 0 ? y : 1;
    return 0;
}

/* An address's region (the last starting at or below it), and its drawn position. */
static size_t region_of(const struct layout *L, uintptr_t a)
{
    size_t lo = 0, hi = L->n;
    while (hi - lo > 1) {
        size_t mid = (lo + hi) / 2;
        if (L->reg[mid].lo <= a)
            lo = mid;
        else
            hi = mid;
    }
    return lo;
}

/* Inside a region, to its scale; between two, across the space between them. */
static double drawn(const struct layout *L, uintptr_t a)
{
    if (!L->n)
        return 0;
    size_t i = region_of(L, a);
    const struct region *g = &L->reg[i];
    if (a < g->lo)
        return g->base;
    if (a <= g->hi)
        return g->base + (double)(a - g->lo) * g->h / (double)(g->hi - g->lo ? g->hi - g->lo : 1);
    if (i + 1 == L->n)
        return g->base + g->h;
    const struct region *next = &L->reg[i + 1];
    return g->base + g->h + L->space * (double)(a - g->hi) / (double)(next->lo - g->hi);
}

static void human(double bytes, char *buf, size_t len)
{
    const char *unit[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    int u = 0;
    while (bytes >= 1024 && u < 4)
        bytes /= 1024, u++;
    snprintf(buf, len, bytes < 10 && u ? "%.1f%s" : "%.0f%s", bytes, unit[u]);
}

/* The axis's labels (each region's first address, the last one's end), and
 * where it breaks, with the bytes left out there. */
static void tics_and_breaks(const struct layout *L, struct heapmap_summary *s)
{
    size_t used = (size_t)snprintf(s->ytics, sizeof s->ytics, "(");
    size_t bused = 0, tused = 0;
    s->breaks[0] = s->break_text[0] = '\0';
    for (size_t i = 0; i < L->n && used < sizeof s->ytics - 100; i++) {
        const struct region *g = &L->reg[i];
        used += (size_t)snprintf(s->ytics + used, sizeof s->ytics - used, "%s\"%#lx\" %.0f", i ? ", " : "",
                                 (unsigned long)g->lo, g->base);
        if (i + 1 == L->n && g->h > L->top / 20) /* the end, unless it would sit on the start's label */
            used += (size_t)snprintf(s->ytics + used, sizeof s->ytics - used, ", \"%#lx\" %.0f", (unsigned long)g->hi,
                                     g->base + g->h);
        if (i + 1 < L->n && bused < sizeof s->breaks - 32 && tused < sizeof s->break_text - 32) {
            char skipped[32];
            human((double)(L->reg[i + 1].lo - g->hi), skipped, sizeof skipped);
            bused += (size_t)snprintf(s->breaks + bused, sizeof s->breaks - bused, "%s%.0f", bused ? " " : "",
                                      g->base + g->h + L->space / 2);
            tused += (size_t)snprintf(s->break_text + tused, sizeof s->break_text - tused, "%s%s", tused ? " " : "",
                                      skipped);
        }
    }
    snprintf(s->ytics + used, sizeof s->ytics - used, ")");
    s->ytop = L->top;
}

static uint32_t until(const struct heaprec *r, uint32_t to) { return to == HEAPREC_OPEN ? (uint32_t)r->done : to; }

static FILE *open_csv(const char *dir, const char *name, char *path, char *tmp, size_t len)
{
    snprintf(path, len, "%s/%s", dir, name);
    return atomic_open(path, tmp, len);
}

static int write_records(const struct heaprec *r, const struct layout *L, const char *dir)
{
    char path[4300], tmp[4400];
    FILE *f = open_csv(dir, "heapmap_blocks.csv", path, tmp, sizeof tmp);
    if (!f)
        return -1;
    fprintf(f, "id,addr,size,from,to,region,y_lo,y_hi\n");
    for (size_t i = 0; i < r->blocks.n; i++) {
        const struct hm_block *b = HM_BLOCK(r, i);
        fprintf(f, "%u,%#lx,%zu,%u,%u,%zu,%.1f,%.1f\n", b->id, (unsigned long)b->addr, b->size, b->from,
                until(r, b->to), region_of(L, b->addr), drawn(L, b->addr), drawn(L, b->addr + b->size));
    }
    if (atomic_commit(f, tmp, path) != 0 || !(f = open_csv(dir, "heapmap_mappings.csv", path, tmp, sizeof tmp)))
        return -1;
    fprintf(f, "lo,hi,bytes,from,to,region,y_lo,y_hi\n");
    for (size_t i = 0; i < r->maps.n; i++) {
        const struct hm_map *m = HM_MAP(r, i);
        fprintf(f, "%#lx,%#lx,%lu,%u,%u,%zu,%.1f,%.1f\n", (unsigned long)m->lo, (unsigned long)m->hi,
                (unsigned long)(m->hi - m->lo), m->from, until(r, m->to), region_of(L, m->lo), drawn(L, m->lo),
                drawn(L, m->hi));
    }
    if (atomic_commit(f, tmp, path) != 0 || !(f = open_csv(dir, "heapmap_regions.csv", path, tmp, sizeof tmp)))
        return -1;
    fprintf(f, "region,lo,hi,bytes,y_lo,y_hi\n");
    for (size_t i = 0; i < L->n; i++)
        fprintf(f, "%zu,%#lx,%#lx,%lu,%.1f,%.1f\n", i, (unsigned long)L->reg[i].lo, (unsigned long)L->reg[i].hi,
                (unsigned long)(L->reg[i].hi - L->reg[i].lo), L->reg[i].base, L->reg[i].base + L->reg[i].h);
    if (atomic_commit(f, tmp, path) != 0 || !(f = open_csv(dir, "heapmap_util.csv", path, tmp, sizeof tmp)))
        return -1;
    fprintf(f, "op,live_bytes,mapped_bytes,utilization\n");
    for (size_t i = 0; i < r->samples.n; i++) {
        const struct hm_sample *x = HM_SAMPLE(r, i);
        fprintf(f, "%u,%.0f,", x->op, x->live);
        if (is_na(x->mapped) || x->mapped <= 0)
            fprintf(f, "%s,NA\n", is_na(x->mapped) ? "NA" : "0");
        else
            fprintf(f, "%.0f,%.4f\n", x->mapped, x->live / x->mapped);
    }
    return atomic_commit(f, tmp, path);
}

/* ---- the moment kept: every byte of the regions, live, free or unmapped ---- */

enum { K_LIVE, K_LISTED, K_MAPPED, K_REGION, K_KINDS };
static const char *const kind_name[] = {"live", "listed_free", "unlisted", "unmapped"};

struct event {
    uintptr_t pos;
    int kind, delta;
};

static int by_pos(const void *x, const void *y)
{
    uintptr_t a = ((const struct event *)x)->pos, b = ((const struct event *)y)->pos;
    return a < b ? -1 : a > b;
}

/* The boundaries at the moment kept. Unmapped bytes are counted within the
 * heap's extents: its mappings and blocks up to that moment, grouped as the
 * regions are (a hole left by an arena given back counts; the space between
 * the C library's heap and its far mappings does not, nor what is mapped
 * later). */
static size_t moment_events(const struct heaprec *r, const struct region *extent, size_t extents, struct event *e)
{
    size_t n = 0;
    uint32_t at = (uint32_t)r->at;
#define RANGE(lo_, hi_, kind_) (e[n++] = (struct event){(lo_), (kind_), 1}, e[n++] = (struct event){(hi_), (kind_), -1})
    for (size_t i = 0; i < extents; i++)
        RANGE(extent[i].lo, extent[i].hi, K_REGION);
    for (size_t i = 0; i < r->maps.n; i++)
        if (HM_MAP(r, i)->from <= at && at < until(r, HM_MAP(r, i)->to))
            RANGE(HM_MAP(r, i)->lo, HM_MAP(r, i)->hi, K_MAPPED);
    for (size_t i = 0; i < r->blocks.n; i++)
        if (HM_BLOCK(r, i)->from <= at && at < until(r, HM_BLOCK(r, i)->to))
            RANGE(HM_BLOCK(r, i)->addr, HM_BLOCK(r, i)->addr + HM_BLOCK(r, i)->size, K_LIVE);
    for (int i = 0; i < r->nfree_at; i++)
        RANGE((uintptr_t)r->free_at[i].addr, (uintptr_t)r->free_at[i].addr + r->free_at[i].size, K_LISTED);
#undef RANGE
    qsort(e, n, sizeof *e, by_pos);
    return n;
}

static void put_segment(FILE *f, const struct layout *L, int kind, uintptr_t lo, uintptr_t hi, double *total)
{
    total[kind] += (double)(hi - lo);
    fprintf(f, "%s,%#lx,%#lx,%lu,%.1f,%.1f,%zu\n", kind_name[kind], (unsigned long)lo, (unsigned long)hi,
            (unsigned long)(hi - lo), drawn(L, lo), drawn(L, hi), region_of(L, lo));
}

/* Sweep the boundaries: each stretch is live if a live block covers it, else
 * listed free, else mapped (unlisted), else unmapped; only inside extents. */
static int write_moment(const struct heaprec *r, const struct layout *L, const char *dir, struct heapmap_summary *s)
{
    struct region extent[HEAPMAP_MAX_REGIONS];
    long extents = regions(r, false, r->at, extent);
    struct event *e = malloc((2 * (HEAPMAP_MAX_REGIONS + r->maps.n + r->blocks.n + (size_t)r->nfree_at) + 1) * sizeof *e);
    char path[4300], tmp[4400];
    FILE *f = e && extents >= 0 ? open_csv(dir, "heapmap_at.csv", path, tmp, sizeof tmp) : NULL;
    if (!f) {
        free(e);
        return -1;
    }
    fprintf(f, "kind,lo,hi,bytes,x_lo,x_hi,region\n");
    size_t n = moment_events(r, extent, (size_t)extents, e);
    int count[K_KINDS] = {0}, cur = -1;
    uintptr_t start = 0;
    double total[K_KINDS] = {0};
    for (size_t i = 0; i < n;) {
        uintptr_t pos = e[i].pos;
        for (; i < n && e[i].pos == pos; i++)
            count[e[i].kind] += e[i].delta;
        int kind = !count[K_REGION] ? -1 : count[K_LIVE] ? K_LIVE : count[K_LISTED] ? K_LISTED
                                                            : count[K_MAPPED] ? K_MAPPED : K_REGION;
        if (kind != cur) {
            if (cur >= 0 && pos > start)
                put_segment(f, L, cur, start, pos, total);
            cur = kind;
            start = pos;
        }
    }
    free(e);
    s->at_live = total[K_LIVE];
    s->at_listed = total[K_LISTED];
    s->at_unlisted = total[K_MAPPED];
    s->at_unmapped = total[K_REGION];
    s->at_free_blocks = r->free_listed ? r->nfree_at : -1;
    return atomic_commit(f, tmp, path);
}

int heapmap_write(const struct heaprec *r, const char *dir, struct heapmap_summary *s, char *err, size_t len)
{
    struct layout L;
    memset(s, 0, sizeof *s);
    *s = (struct heapmap_summary){.ops = r->done, .blocks = r->blocks.n, .maps = r->maps.n, .peak_live = r->peak_live,
                                  .peak_mapped = r->peak_mapped, .ledger = r->ledger, .at = -1};
    if (layout_make(r, &L) != 0)
        return snprintf(err, len, "out of memory"), -1;
    s->regions = L.n;
    tics_and_breaks(&L, s);
    if (write_records(r, &L, dir) != 0)
        return snprintf(err, len, "cannot write into '%s': %s", dir, strerror(errno)), -1;
    if (r->at >= 0 && (size_t)r->at < r->done) {
        s->at = r->at;
        if (write_moment(r, &L, dir, s) != 0)
            return snprintf(err, len, "cannot write into '%s': %s", dir, strerror(errno)), -1;
    }
    return 0;
}
