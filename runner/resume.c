/*
 * resume.c - `bench --resume DIR`: the rows an interrupted bench wrote,
 * read back. A row belongs to the planned cell whose key (raw.csv's key
 * columns, as results.c writes them) it has, text for text: a folder from
 * another plan, machine or build has rows no cell here has, and is refused
 * rather than mixed in. Every figure comes back as written (NA stays NA).
 */
#include "resume.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csvread.h"
#include "runfolder.h"

#define KEY_LEN 2048

int resume_settings(const char *dir, const struct profile **profile, char *only, size_t onlylen, char *why,
                    size_t whylen)
{
    static struct run_folder run;
    bool bench = run_load_meta(dir, &run) == 0 && !strncmp(run_meta(&run, "command"), "alloclab bench", 14);
    const char *filter = run_meta(&run, "workload filter");
    snprintf(only, onlylen, "%s", strcmp(filter, "none") && strcmp(filter, "NA") ? filter : "");
    if (!bench || !(*profile = profile_find(run_meta(&run, "profile")))) {
        snprintf(why, whylen, "'%s' is not a bench's run folder (no meta.txt naming a profile and the bench command)",
                 dir);
        return -1;
    }
    return 0;
}

/* The length of a CSV line's first n fields (quoted fields may hold commas). */
static size_t key_prefix(const char *line, int n)
{
    bool quoted = false;
    for (size_t i = 0; line[i]; i++) {
        if (line[i] == '"')
            quoted = !quoted;
        else if (line[i] == ',' && !quoted && --n == 0)
            return i;
    }
    return strlen(line);
}

/* The cell each data line of path belongs to (-1: none), from its key. */
static int *cells_of_lines(const char *path, char (*keys)[KEY_LEN], int ncells, size_t nrows)
{
    const char *cols[256];
    int nkeys = results_key_columns(cols, 256);
    int *cell = malloc((nrows + 1) * sizeof *cell);
    for (size_t i = 0; cell && i <= nrows; i++)
        cell[i] = -1;
    FILE *f = fopen(path, "r");
    char *line = NULL;
    size_t cap = 0;
    for (size_t i = 0; cell && f && i <= nrows && getline(&line, &cap, f) > 0; i++) {
        if (i == 0)
            continue; /* the header */
        size_t len = key_prefix(line, nkeys);
        for (int c = 0; c < ncells && cell[i - 1] < 0; c++)
            if (strlen(keys[c]) == len && !strncmp(keys[c], line, len))
                cell[i - 1] = c;
    }
    free(line);
    if (f)
        fclose(f);
    return cell;
}

static enum cell_status status_of(const char *text, int *signal)
{
    static const char *const names[] = {[CELL_OK] = "ok", [CELL_CRASHED] = "crashed", [CELL_TIMEOUT] = "timeout",
                                        [CELL_FAILED] = "failed", [CELL_NOT_APPLICABLE] = "not_applicable",
                                        [CELL_UNAVAILABLE] = "unavailable", [CELL_SKIPPED] = "skipped",
                                        [CELL_INTERRUPTED] = "interrupted"};
    *signal = 0;
    if (!strncmp(text, "crashed:SIG", 11)) {
        for (int s = 1; s < NSIG; s++)
            if (sigabbrev_np(s) && !strcmp(sigabbrev_np(s), text + 11))
                *signal = s;
        return CELL_CRASHED;
    }
    for (size_t k = 0; k < sizeof names / sizeof *names; k++)
        if (!strcmp(text, names[k]))
            return (enum cell_status)k;
    return CELL_FAILED;
}

/* Raw row i of the cell spec, as bench_step had added it. */
static void row_of(const struct csv *raw, size_t i, const struct cell_spec *spec, struct row_set *rows)
{
    struct cell_result r = {0}; /* no timeline, unless timeline_back gives it one */
    int signal;
    enum cell_status status = status_of(csv_text(raw, i, "status"), &signal);
    cell_result_set(&r, status, csv_text(raw, i, "message"));
    r.signal = signal;
    for (int j = 0; j < FIG_COUNT; j++)
        r.fig[j] = csv_num(raw, i, figure_defs[j].name);
    for (size_t k = 0; k < workload_nresults(spec->workload); k++)
        r.result[k] = csv_num(raw, i, spec->workload->results[k].name);
    snprintf(r.perf_mode, sizeof r.perf_mode, "%s", strcmp(csv_text(raw, i, "perf_mode"), "NA") ? csv_text(raw, i, "perf_mode") : "");
    snprintf(r.pus, sizeof r.pus, "%s", strcmp(csv_text(raw, i, "pus"), "NA") ? csv_text(raw, i, "pus") : "");
    snprintf(r.nodes, sizeof r.nodes, "%s", strcmp(csv_text(raw, i, "nodes"), "NA") ? csv_text(raw, i, "nodes") : "");
    r.cell_ns = csv_num(raw, i, "cell_ns");
    rows_add(rows, spec, (int)csv_num(raw, i, "rep"), !strcmp(csv_text(raw, i, "oversubscribed"), "1"), &r);
}

/* timeline.csv's samples back into their rows. */
static void timeline_back(const char *dir, const struct cell_spec *cells, char (*keys)[KEY_LEN], int ncells,
                          struct row_set *rows)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/timeline.csv", dir);
    struct csv tl;
    if (csv_load(path, &tl) != 0)
        return; /* none written: no workload that takes steps had run */
    int *cell = cells_of_lines(path, keys, ncells, tl.nrows);
    for (size_t i = 0; cell && i < tl.nrows; i++) {
        int rep = (int)csv_num(&tl, i, "rep"), step = (int)csv_num(&tl, i, "step");
        for (size_t k = 0; cell[i] >= 0 && k < rows->n; k++) {
            struct row *row = &rows->rows[k];
            if (row->spec != &cells[cell[i]] || row->rep != rep || step < 0 || step > WORKLOAD_MAX_STEPS)
                continue;
            struct timeline_point *t = &row->r.timeline[step];
            *t = (struct timeline_point){csv_num(&tl, i, "fraction_written"), csv_num(&tl, i, "ms"),
                                         csv_num(&tl, i, "pss_sum_kib"), csv_num(&tl, i, "rss_sum_kib"),
                                         csv_num(&tl, i, "mem_available_kib"), csv_num(&tl, i, "committed_as_kib"),
                                         csv_num(&tl, i, "commit_limit_kib"), csv_num(&tl, i, "heap_live_kib"),
                                         csv_num(&tl, i, "heap_reserved_kib"), csv_num(&tl, i, "strict_commit_kib")};
            row->r.nsteps = step + 1 > row->r.nsteps ? step + 1 : row->r.nsteps;
        }
    }
    free(cell);
    csv_free(&tl);
}

int resume_rows(const char *dir, const struct cell_spec *cells, int ncells, struct row_set *rows, char *why,
                size_t whylen)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/raw.csv", dir);
    struct csv raw;
    FILE *exists = fopen(path, "r");
    if (!exists)
        return 0; /* interrupted before its first row: nothing to keep */
    fclose(exists);
    if (csv_load(path, &raw) != 0 || csv_col(&raw, "rep") < 0 || csv_col(&raw, "cell_ns") < 0) {
        snprintf(why, whylen, "'%s' does not read as raw.csv of this build", path);
        return -1;
    }
    char (*keys)[KEY_LEN] = malloc((size_t)(ncells + 1) * sizeof *keys);
    for (int c = 0; keys && c < ncells; c++)
        results_key_text(&cells[c], keys[c], KEY_LEN);
    int *cell = keys ? cells_of_lines(path, keys, ncells, raw.nrows) : NULL;
    int rc = cell ? 0 : -1;
    for (size_t i = 0; rc == 0 && i < raw.nrows; i++) {
        if (cell[i] < 0) {
            snprintf(why, whylen, "%s's row %zu (%s on %s, group %s) is no cell of this plan: a run of another "
                                  "machine, plan or build", path, i + 1, csv_text(&raw, i, "strategy"),
                     csv_text(&raw, i, "workload"), csv_text(&raw, i, "group"));
            rc = -1;
        } else {
            row_of(&raw, i, &cells[cell[i]], rows);
        }
    }
    if (rc == 0)
        timeline_back(dir, cells, keys, ncells, rows);
    if (!cell)
        snprintf(why, whylen, "out of memory reading '%s'", path);
    free(cell);
    free(keys);
    csv_free(&raw);
    return rc;
}
