/*
 * plan.c - a bench profile's cells, from the workloads' own plans.
 *
 * Each workload says in its file which cells it wants in each profile
 * (struct bench_plan); this turns those settings into cell specs for this
 * machine: sweeps expanded (a worker sweep to the machine's counts),
 * workers capped at the usable processing units, work shared among the
 * workers divided, sizes given as a share of MemAvailable resolved, and the
 * memory guard applied (a size scaled down, or a sweep's cell left out, said
 * in the notes). No workload is named here.
 */
#include "plan.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "procmem.h"
#include "run.h"

#define M ((size_t)1 << 20)

static const struct profile profiles[PROFILE_COUNT] = {
    [PROFILE_TEST] = {.id = PROFILE_TEST, .name = "test",
                      .reps = 1, .reps_min = 1, .timeout_s = 60, .calibrate_size = 8 * M,
                      .size = "4M", .workers = "2", .fixed_s = 16, .c2_s = 0.4},
    [PROFILE_QUICK] = {.id = PROFILE_QUICK, .name = "quick",
                       .reps = 3, .reps_min = 3, .timeout_s = 120, .calibrate_size = 8 * M,
                       .size = "16M", .workers = "2", .fixed_s = 16, .c2_s = 1.2},
    [PROFILE_DEFAULT] = {.id = PROFILE_DEFAULT, .name = "default",
                         .reps = 4, .reps_min = 3, .timeout_s = 300, .calibrate_size = 16 * M,
                         .size = "16M", .workers = "2", .fixed_s = 32, .c2_s = 2},
    [PROFILE_FULL] = {.id = PROFILE_FULL, .name = "full",
                      .reps = 9, .reps_min = 5, .timeout_s = 900, .calibrate_size = 64 * M,
                      .size = "64M", .workers = "8", .fixed_s = 80, .c2_s = 3.6},
};

const struct profile *profile_find(const char *name)
{
    for (int i = 0; i < PROFILE_COUNT; i++)
        if (!strcmp(profiles[i].name, name))
            return &profiles[i];
    return NULL;
}

const char *profile_names(void) { return "test, quick, default or full"; }

/* ---- one plan's settings: "name=v1,v2 name=lo..hi" ---- */
#define MAX_SETTINGS 16
#define MAX_VALUES 64

struct setting {
    char name[32];
    char value[MAX_VALUES][128];
    int asked[MAX_VALUES]; /* workers: the count asked for, where the machine's units capped it; else 0 */
    int nvalues;
};

int plan_worker_sweep(const struct topo *tp, int lo, int hi, int *out, int max)
{
    hi = hi < tp->pus ? hi : tp->pus;
    /* where the topology changes: a worker per node, per package, on every
     * core of one node (compact's last count on node 0), on every core */
    int marks[] = {lo, hi, tp->nodes, tp->packages, tp->cores / tp->nodes, tp->cores};
    int n = 0;
    for (long v = 1; v <= hi; v++) {
        bool take = (v & (v - 1)) == 0 && v >= lo; /* a power of two */
        for (size_t k = 0; k < sizeof marks / sizeof *marks && !take; k++)
            take = v == marks[k] && v >= lo;
        if (take && n < max)
            out[n++] = (int)v;
    }
    return n;
}

/* "1..all" or "2..64": the worker sweep sized to the machine (plan.h) */
static int expand_range(const char *text, const struct topo *tp, struct setting *s)
{
    char *dots = strstr(text, "..");
    long lo = strtol(text, NULL, 10), hi = !strcmp(dots + 2, "all") ? tp->pus : strtol(dots + 2, NULL, 10);
    int counts[MAX_VALUES];
    if (strcmp(s->name, "workers") || lo < 1 || hi < lo)
        return -1;
    int n = plan_worker_sweep(tp, (int)lo, (int)hi, counts, MAX_VALUES - s->nvalues);
    for (int i = 0; i < n; i++)
        snprintf(s->value[s->nvalues++], sizeof s->value[0], "%d", counts[i]);
    return 0;
}

static int parse_setting(const char *word, const struct topo *tp, struct setting *s, char *err, size_t len)
{
    const char *eq = strchr(word, '=');
    if (!eq || eq == word || (size_t)(eq - word) >= sizeof s->name) {
        snprintf(err, len, "'%s' is not name=value", word);
        return -1;
    }
    snprintf(s->name, sizeof s->name, "%.*s", (int)(eq - word), word);
    s->nvalues = 0;
    memset(s->asked, 0, sizeof s->asked);
    for (const char *v = eq + 1; *v;) {
        size_t n = strcspn(v, ",");
        char item[128];
        snprintf(item, sizeof item, "%.*s", (int)n, v);
        v += n + (v[n] == ',');
        if (strstr(item, "..") ? expand_range(item, tp, s) != 0 : s->nvalues == MAX_VALUES) {
            snprintf(err, len, "%.31s: '%.64s' is not a list, or a range of workers, it can take", s->name, item);
            return -1;
        }
        if (!strstr(item, ".."))
            snprintf(s->value[s->nvalues++], sizeof s->value[0], "%s", item);
    }
    return 0;
}

/* workers=1,2,4,all on a 2-PU machine: the bench never oversubscribes, so
 * each count is capped at the processing units, and a count the cap repeats
 * is one cell, not two. */
static void cap_workers(struct setting *s, int pus)
{
    int n = 0;
    for (int i = 0; i < s->nvalues; i++) {
        char v[128];
        long asked = strtol(s->value[i], NULL, 10);
        snprintf(v, sizeof v, "%s", s->value[i]);
        if (!strcmp(v, "all") || asked > pus)
            snprintf(v, sizeof v, "%d", pus);
        bool seen = false;
        for (int k = 0; k < n && !seen; k++)
            seen = !strcmp(s->value[k], v);
        if (!seen) {
            s->asked[n] = asked > pus ? (int)asked : 0;
            snprintf(s->value[n++], sizeof s->value[0], "%s", v);
        }
    }
    s->nvalues = n;
}

static int parse_settings(const char *every, const char *mine, const struct topo *tp, struct setting *out, char *err,
                          size_t len)
{
    int n = 0;
    char text[1024];
    snprintf(text, sizeof text, "%s %s", every ? every : "", mine);
    for (char *save = NULL, *word = strtok_r(text, " ", &save); word; word = strtok_r(NULL, " ", &save)) {
        if (n == MAX_SETTINGS || parse_setting(word, tp, &out[n], err, len) != 0)
            return -1;
        if (!strcmp(out[n].name, "workers"))
            cap_workers(&out[n], tp->pus);
        n++;
    }
    return n;
}

/* ---- one cell from one combination of values ---- */
struct planner {
    const struct profile *profile;
    struct topo *tp;
    double available_kib;
    struct cell_spec *cells;
    int ncells, max;
    struct plan_notes *notes; /* NULL: not asked for */
    char err[512];
};

/* A line of what the plan changed on this machine, once however many cells
 * it stands for (it names no strategy). */
static void note(struct planner *pl, const struct cell_spec *s, const char *what)
{
    struct plan_notes *n = pl->notes;
    char line[sizeof n->line[0]], size[32] = "";
    int k = params_find(s->workload->knobs, "size");
    if (k >= 0)
        param_format(&s->workload->knobs[k], s->knob[k], size, sizeof size);
    snprintf(line, sizeof line, "%s (%s), workers=%d%s%s: %s", s->workload->name, s->group,
             (int)cell_knob(s, "workers"), k >= 0 ? " size=" : "", size, what);
    for (int i = 0; n && i < n->n; i++)
        if (!strcmp(n->line[i], line))
            return;
    if (n && n->n < PLAN_MAX_NOTES)
        snprintf(n->line[n->n++], sizeof n->line[0], "%s", line);
}

/* Past the memory guard ((workers + 1) x size over RUN_MEMORY_GUARD of
 * MemAvailable), a sweep that must keep its size (drop_too_big) leaves the
 * cell out; any other plan scales the size down to fit, in whole MiB.
 * 0: kept, 1: left out. */
static int fit_memory(struct planner *pl, const struct bench_plan *bp, struct cell_spec *s)
{
    int k = params_find(s->workload->knobs, "size");
    if (k < 0 || s->workload->kind != WORKLOAD_VIEWS)
        return 0;
    double room = RUN_MEMORY_GUARD * pl->available_kib * 1024 / ((double)cell_knob(s, "workers") + 1);
    if ((double)s->knob[k].n <= room)
        return 0;
    char what[200];
    snprintf(what, sizeof what, "(workers + 1) x size over %.0f%% of MemAvailable (%.0f MiB): ", 100 * RUN_MEMORY_GUARD,
             pl->available_kib / 1024);
    if (bp->drop_too_big || room < M) {
        note(pl, s, strncat(what, "left out", sizeof what - strlen(what) - 1));
        return 1;
    }
    char was[32];
    param_format(&s->workload->knobs[k], s->knob[k], was, sizeof was);
    s->knob[k].n = (size_t)room / M * M;
    size_t used = strlen(what);
    snprintf(what + used, sizeof what - used, "scaled down from %s", was);
    note(pl, s, what);
    return 0;
}

/* size=N%: N% of MemAvailable, shared by the data set and every worker's
 * copy, rounded down to a MiB; 0 when it is not a share. */
static size_t share_of_memory(const struct planner *pl, const char *text, int workers)
{
    size_t len = strlen(text);
    if (!len || text[len - 1] != '%')
        return 0;
    double share = strtod(text, NULL) / 100 * pl->available_kib * 1024 / (workers + 1);
    return share > M ? (size_t)share / M * M : M;
}

/* "ops=20000000/workers": a total the cell's workers share, so that the
 * work stays bounded however many there are (each does its share, at least
 * 1) */
static bool shared_work(const char *value)
{
    size_t len = strlen(value), tail = strlen("/workers");
    return len > tail && !strcmp(value + len - tail, "/workers");
}

static int apply_share(struct planner *pl, struct cell_spec *s, const char *name, const char *value)
{
    char *end;
    double total = strtod(value, &end), workers = (double)cell_knob(s, "workers");
    int k = params_find(s->workload->knobs, name);
    if (k < 0 || end == value || strcmp(end, "/workers") || !(total >= 1)) {
        snprintf(pl->err, sizeof pl->err, "'%.64s=%.128s': not a count to share among the workers", name, value);
        return -1;
    }
    char each[32];
    snprintf(each, sizeof each, "%.0f", total / workers >= 1 ? total / workers : 1);
    return param_parse(&s->workload->knobs[k], each, &s->knob[k], pl->err, sizeof pl->err);
}

static int apply_setting(struct planner *pl, struct cell_spec *s, const char *name, const char *value)
{
    if (!strcmp(value, "profile") && !strcmp(name, "size"))
        value = pl->profile->size;
    else if (!strcmp(value, "profile") && !strcmp(name, "workers"))
        value = pl->profile->workers;
    if (!strcmp(name, "model") && (!strcmp(value, "threads") || !strcmp(value, "processes")))
        return (s->model = !strcmp(value, "threads") ? MODEL_THREADS : MODEL_PROCESSES), 0;
    static const char *const thps[] = {"default", "never", "always"};
    for (int i = 0; i < 3; i++)
        if (!strcmp(name, "thp") && !strcmp(value, thps[i]))
            return (s->config.thp = (enum thp_mode)i), 0;
    if (!strcmp(name, "pin") && pin_mode_parse(value) >= 0)
        return (s->pin = (enum pin_mode)pin_mode_parse(value)), 0;
    int k = params_find(s->workload->knobs, name);
    if (k < 0) {
        snprintf(pl->err, sizeof pl->err, "no knob or setting '%.64s=%.128s'", name, value);
        return -1;
    }
    if ((!strcmp(name, "size") && strchr(value, '%')) || shared_work(value))
        return 0; /* once workers are known */
    char num[32];
    if (!strcmp(name, "workers") && (!strcmp(value, "all") || strtol(value, NULL, 10) > pl->tp->pus))
        snprintf(num, sizeof num, "%d", pl->tp->pus), value = num; /* the bench never oversubscribes */
    return param_parse(&s->workload->knobs[k], value, &s->knob[k], pl->err, sizeof pl->err);
}

static bool wants(enum plan_strategies which, const struct allocator *a, const struct workload *w)
{
    bool cow = a->view_open != NULL;
    /* a reference allocator is compared on heaps; its eager copy would only repeat system_malloc's */
    if ((a->promises & ALLOC_REFERENCE) && w->kind != WORKLOAD_HEAP)
        return false;
    switch (which) {
    case PLAN_COPY_ON_WRITE: return cow;
    case PLAN_COPY_ON_WRITE_BASELINE: return cow || !strcmp(a->name, PLAN_BASELINE);
    case PLAN_BASELINE_ONLY: return !strcmp(a->name, PLAN_BASELINE);
    case PLAN_PACKAGED: return a->packaged != NULL;
    case PLAN_OWN_BASELINE: return !a->packaged || !strcmp(a->name, PLAN_BASELINE);
    default: return true;
    }
}

/* The cell of one combination of values (index: a mixed-radix number over
 * the settings' value counts); 0, 1 when it is left out, or -1 with pl->err. */
static int make_cell(struct planner *pl, const struct bench_plan *bp, const struct allocator *a,
                     const struct workload *w, const struct setting *set, int nset, long index)
{
    if (pl->ncells == pl->max) {
        snprintf(pl->err, sizeof pl->err, "more than %d cells", pl->max);
        return -1;
    }
    struct cell_spec *s = &pl->cells[pl->ncells];
    if (cell_spec_init(s, a, w, pl->err, sizeof pl->err) != 0)
        return -1;
    s->group = bp->group;
    s->timeout_s = pl->profile->timeout_s;
    const char *size_share = NULL, *chosen[MAX_SETTINGS];
    int capped = 0;
    for (int i = 0; i < nset; i++) {
        const char *value = chosen[i] = set[i].value[index % set[i].nvalues];
        capped = set[i].asked[index % set[i].nvalues] ? set[i].asked[index % set[i].nvalues] : capped;
        index /= set[i].nvalues;
        if (!strcmp(set[i].name, "size") && !strcmp(value, "profile"))
            value = pl->profile->size;
        if (!strcmp(set[i].name, "size") && strchr(value, '%'))
            size_share = value;
        if (apply_setting(pl, s, set[i].name, value) != 0)
            return -1;
    }
    for (int i = 0; i < nset; i++)
        if (shared_work(chosen[i]) && apply_share(pl, s, set[i].name, chosen[i]) != 0)
            return -1;
    int k = params_find(w->knobs, "size");
    if (size_share && k >= 0)
        s->knob[k].n = share_of_memory(pl, size_share, (int)cell_knob(s, "workers"));
    /* model=threads,processes sweeps the models a strategy can take: fork_cow's workers are forked children */
    if (s->model == MODEL_THREADS && a->model == MODEL_PROCESSES)
        return 1;
    if (fit_memory(pl, bp, s) != 0)
        return 1;
    char why[300];
    if (cell_spec_validate(s, pl->tp, why, sizeof why) != 0) {
        if (!capped) { /* a plan no machine can run */
            snprintf(pl->err, sizeof pl->err, "%s on %s: %s", a->name, w->name, why);
            return -1;
        }
        char what[400];
        snprintf(what, sizeof what, "left out: %d workers asked, %d processing units here: %s", capped, pl->tp->pus, why);
        note(pl, s, what);
        return 1;
    }
    pl->ncells++;
    return 0;
}

/* The cells of one plan entry for one strategy: every combination of its
 * settings, or one row saying why it cannot run (a heap workload on a
 * strategy without a heap, or a strategy that cannot run here). */
static int plan_strategy(struct planner *pl, const struct bench_plan *bp, const struct allocator *a,
                         const struct workload *w, const struct setting *set, int nset, long combinations)
{
    long n = (w->kind == WORKLOAD_HEAP && !allocator_has_heap(a)) || allocator_unavailable(a) ? 1 : combinations;
    for (long c = 0; c < n; c++)
        if (make_cell(pl, bp, a, w, set, nset, c) < 0)
            return -1;
    return 0;
}

/* Every cell of one plan entry, for every strategy it names, and the
 * harness-free control wherever system_malloc runs a plain-loop workload. */
static int plan_entry(struct planner *pl, const struct workload *w, const struct bench_plan *bp)
{
    struct setting set[MAX_SETTINGS];
    const char *mine = bp->profile[pl->profile->id];
    if (!mine || (bp->numa && pl->tp->nodes < 2))
        return 0;
    int nset = parse_settings(bp->every, mine, pl->tp, set, pl->err, sizeof pl->err);
    if (nset < 0)
        return -1;
    long combinations = 1;
    for (int i = 0; i < nset; i++)
        combinations *= set[i].nvalues;
    for (size_t j = 0; allocator_registry[j]; j++)
        if (wants(bp->strategies, allocator_registry[j], w) &&
            plan_strategy(pl, bp, allocator_registry[j], w, set, nset, combinations) != 0)
            return -1;
    const struct allocator *baseline = allocator_find(PLAN_BASELINE);
    if (w->plain_loop && baseline && wants(bp->strategies, baseline, w))
        return plan_strategy(pl, bp, plain_loop_strategy(), w, set, nset, combinations);
    return 0;
}

int plan_build(const struct profile *p, const char *only, struct topo *tp, struct cell_spec *cells, int max,
               struct plan_notes *notes, char *err, size_t len)
{
    struct planner pl = {.profile = p, .tp = tp, .available_kib = meminfo_kib("MemAvailable"), .cells = cells,
                         .max = max, .notes = notes};
    if (notes)
        notes->n = 0;
    if (is_na(pl.available_kib) || pl.available_kib <= 0) {
        snprintf(err, len, "cannot read MemAvailable from /proc/meminfo");
        return -1;
    }
    for (size_t i = 0; workload_registry[i]; i++) {
        const struct workload *w = workload_registry[i];
        if (only && strcmp(w->name, only))
            continue;
        for (size_t k = 0; w->plan && w->plan[k].group; k++)
            if (plan_entry(&pl, w, &w->plan[k]) != 0) {
                snprintf(err, len, "profile %s, %s's cells: %s", p->name, w->name, pl.err);
                return -1;
            }
    }
    return pl.ncells;
}
