/*
 * placement.c - the report's section on where the workers ran: raw.csv's
 * `nodes` column (the NUMA node of the unit each worker last ran on), per
 * (group, workload, pin, workers), as "node 0: 8 workers, node 1: 8".
 * Strategies of one group at one count are placed alike: the first row
 * that says where stands for them.
 */
#include "placement.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define MAX_NODES 256

/* workers per node of one row's "0;1;0;1"; the highest node, or -1 */
static int count_nodes(const char *text, int *count)
{
    int top = -1;
    memset(count, 0, MAX_NODES * sizeof *count);
    for (const char *p = text; *p;) {
        char *end;
        long node = strtol(p, &end, 10);
        if (end == p)
            return -1; /* NA */
        if (node >= 0 && node < MAX_NODES) {
            count[node]++;
            top = node > top ? (int)node : top;
        }
        p = *end == ';' ? end + 1 : end;
    }
    return top;
}

/* Has an earlier row of raw the same group, workload, pin and workers? */
static bool seen_before(const struct csv *raw, size_t i)
{
    static const char *const key[] = {"group", "workload", "pin", "workers"};
    for (size_t j = 0; j < i; j++) {
        bool same = strcmp(csv_text(raw, j, "nodes"), "NA") != 0;
        for (size_t k = 0; k < 4 && same; k++)
            same = !strcmp(csv_text(raw, i, key[k]), csv_text(raw, j, key[k]));
        if (same)
            return true;
    }
    return false;
}

static void table_write(FILE *f, const struct csv *raw)
{
    int count[MAX_NODES];
    fputs("| group | workload | pin | workers | NUMA nodes that held them |\n|---|---|---|---|---|\n", f);
    for (size_t i = 0; i < raw->nrows; i++) {
        int top = count_nodes(csv_text(raw, i, "nodes"), count);
        if (top < 0 || seen_before(raw, i))
            continue;
        fprintf(f, "| %s | %s | %s | %s |", csv_text(raw, i, "group"), csv_text(raw, i, "workload"),
                csv_text(raw, i, "pin"), csv_text(raw, i, "workers"));
        for (int n = 0, first = 1; n <= top; n++)
            if (count[n]) {
                fprintf(f, "%s node %d: %d", first ? "" : ",", n, count[n]);
                first = 0;
            }
        fputs(" |\n", f);
    }
}

void placement_write(FILE *f, const struct run_folder *run)
{
    const struct csv *raw = &run->raw;
    if (csv_col(raw, "nodes") < 0)
        return; /* a run from before the column */
    int count[MAX_NODES], all[MAX_NODES] = {0}, top = -1, nodes = 0;
    for (size_t i = 0; i < raw->nrows; i++) {
        int t = count_nodes(csv_text(raw, i, "nodes"), count);
        for (int n = 0; n <= t; n++)
            all[n] += count[n];
        top = t > top ? t : top;
    }
    for (int n = 0; n <= top; n++)
        nodes += all[n] > 0;
    if (!nodes)
        return;
    fputs("## where the workers ran (NUMA nodes)\n\n", f);
    if (nodes == 1) {
        for (int n = 0; n <= top; n++)
            if (all[n])
                fprintf(f, "Every worker ran on NUMA node %d: the units this run could use are on one node.\n\n", n);
        return;
    }
    fprintf(f, "Workers ran on %d NUMA nodes: per group, placement (`pin`, see meta.txt) and worker count, how "
               "many were on each node (the node of the processing unit each last ran on; `cross` puts "
               "neighbouring workers, a producer and its consumer, on different nodes).\n\n", nodes);
    table_write(f, raw);
    fputc('\n', f);
}
