/*
 * heapmap_draw.c - the heap map's figures (plots/heapmap.gp, and
 * plots/heapmap_at.gp for a moment), and step's map after each operation.
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "analysis/plots.h"
#include "heapmap.h"

/* a name inside a gnuplot string: no quote may end it */
static void quoted(const char *in, char *out, size_t len)
{
    snprintf(out, len, "%s", in);
    for (char *p = out; *p; p++)
        if (*p == '\'' || *p == '\\')
            *p = '_';
}

int heapmap_draw(const char *dir, const struct heapmap_summary *s, const char *strategy, const char *trace,
                 bool moment_figure)
{
    char name[128], tr[300], vars[8192];
    quoted(strategy, name, sizeof name);
    quoted(trace, tr, sizeof tr);
    snprintf(vars, sizeof vars,
             "caption='alloclab heapmap --strategy %s, trace %s: bars are blocks (address x lifetime), bands are "
             "%s'; title_text='%s on %s'; tics='%s'; breaks='%s'; break_text='%s'; ytop=%.1f; nops=%zu; "
             "nblocks=%zu; at=%ld; at_live=%.0f; at_listed=%.0f; at_unlisted=%.0f; at_unmapped=%.0f; at_blocks=%d; ",
             name, tr, s->ledger ? "the mappings it made (the ledger of the driver)"
                       : "the mappings of the kernel that held its blocks (/proc/self/maps)",
             name, tr, s->ytics, s->breaks, s->break_text, s->ytop,
             s->ops, s->blocks, s->at, s->at_live, s->at_listed, s->at_unlisted, s->at_unmapped, s->at_free_blocks);
    int rc = plots_draw_one(dir, "heapmap", vars);
    if (moment_figure && s->at >= 0 && plots_draw_one(dir, "heapmap_at", vars) != 0)
        rc = -1;
    return rc;
}

static int copy_file(const char *from, const char *to)
{
    char buf[65536];
    int in = open(from, O_RDONLY | O_CLOEXEC), out = in < 0 ? -1 : open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    ssize_t n = 0;
    while (out >= 0 && (n = read(in, buf, sizeof buf)) > 0)
        if (write(out, buf, (size_t)n) != n) {
            n = -1;
            break;
        }
    if (in >= 0)
        close(in);
    return out >= 0 && close(out) == 0 && n == 0 ? 0 : -1;
}

int heapmap_step(struct heaprec *r, size_t k, uint32_t id, const void *before, const void *after, size_t size,
                 const char *dir, const char *strategy, const char *trace)
{
    r->at = (long)k; /* the moment after this operation: its free blocks are listed now */
    heaprec_op(r, k, id, before, after, size);
    struct heapmap_summary s;
    char err[512], from[4200], to[4200];
    if (heapmap_write(r, dir, &s, err, sizeof err) != 0) {
        fprintf(stderr, "alloclab: step --map: %s\n", err);
        return -1;
    }
    if (heapmap_draw(dir, &s, strategy, trace, false) != 0) /* the map, its moment marked: one figure a step */
        return -1;
    snprintf(from, sizeof from, "%s/heapmap.png", dir);
    snprintf(to, sizeof to, "%s/step-%03zu.png", dir, k);
    if (copy_file(from, to) != 0) {
        fprintf(stderr, "alloclab: step --map: cannot write %s\n", to);
        return -1;
    }
    return 0;
}
