/*
 * cellspec.c - a cell's spec with its defaults, its knobs by name, its
 * status as written in the CSV files, a result with nothing measured, the
 * workers' results merged, a memory pass's figures, and the harness-free
 * control's place among the strategies.
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "cell.h"
#include "plan.h"

int cell_spec_init(struct cell_spec *s, const struct allocator *a, const struct workload *w, char *err, size_t len)
{
    *s = (struct cell_spec){.strategy = a, .workload = w, .model = a->model, .pin = PIN_COMPACT, .timeout_s = 300};
    char why[ALLOC_ERR_LEN];
    if (params_defaults(w->knobs, s->knob, err, len) != 0)
        return -1;
    if (alloc_config_parse(a, NULL, THP_DEFAULT, &s->config, why) != 0) {
        snprintf(err, len, "%s", why);
        return -1;
    }
    return 0;
}

const struct allocator *plain_loop_strategy(void)
{
    static struct allocator plain;
    if (!plain.name) { /* system_malloc's instance is made, and never called */
        plain = *allocator_find(PLAN_BASELINE);
        plain.name = PLAIN_LOOP;
        plain.summary = "the harness-free control: the workload's operations on the C library's malloc in a plain "
                        "loop (no counters, stamps or sampling)";
        plain.counters = NULL;
    }
    return &plain;
}

const struct allocator *cell_strategy_find(const char *name)
{
    return name && !strcmp(name, PLAIN_LOOP) ? plain_loop_strategy() : allocator_find(name);
}

bool cell_is_plain_loop(const struct cell_spec *s) { return s->strategy == plain_loop_strategy(); }

uint64_t cell_knob(const struct cell_spec *s, const char *name)
{
    int i = params_find(s->workload->knobs, name);
    return i < 0 ? 0 : s->knob[i].n;
}

const char *cell_status_text(enum cell_status status, int signal, char *buf, size_t len)
{
    static const char *const names[] = {[CELL_OK] = "ok", [CELL_CRASHED] = "crashed", [CELL_TIMEOUT] = "timeout",
                                        [CELL_FAILED] = "failed", [CELL_NOT_APPLICABLE] = "not_applicable",
                                        [CELL_UNAVAILABLE] = "unavailable", [CELL_SKIPPED] = "skipped",
                                        [CELL_INTERRUPTED] = "interrupted"};
    if (status == CELL_CRASHED) {
        const char *abbrev = sigabbrev_np(signal);
        snprintf(buf, len, "crashed:SIG%s", abbrev ? abbrev : "UNKNOWN");
    } else {
        snprintf(buf, len, "%s", names[status]);
    }
    return buf;
}

void cell_result_set(struct cell_result *r, enum cell_status status, const char *message)
{
    r->status = status;
    r->cell_ns = NA;
    snprintf(r->message, sizeof r->message, "%s", message ? message : "");
    for (int i = 0; i < FIG_COUNT; i++)
        r->fig[i] = NA;
    for (int i = 0; i < WORKLOAD_MAX_RESULTS; i++)
        r->result[i] = NA;
}

void cell_result_merge(const struct workload *w, struct cell_result *r, int k, double v)
{
    if (is_na(v))
        return;
    if (is_na(r->result[k]))
        r->result[k] = v;
    else if (w->results[k].merge == MERGE_SUM)
        r->result[k] += v;
    else if (v > r->result[k])
        r->result[k] = v;
}

/* The memory figures a memory pass is run for; only these come from it. */
static const enum figure memory_figures[] = {FIG_LIVE_PEAK_KIB, FIG_RESERVED_PEAK_KIB, FIG_FRAGMENTATION};
#define NMEMORY (sizeof memory_figures / sizeof memory_figures[0])

/* A memory pass's times include its sampling: they are dropped, NA. */
void cell_result_keep_memory(struct cell_result *r)
{
    double kept[NMEMORY];
    for (size_t i = 0; i < NMEMORY; i++)
        kept[i] = r->fig[memory_figures[i]];
    for (int j = 0; j < FIG_COUNT; j++)
        r->fig[j] = NA;
    for (int k = 0; k < WORKLOAD_MAX_RESULTS; k++)
        r->result[k] = NA;
    for (size_t i = 0; i < NMEMORY; i++)
        r->fig[memory_figures[i]] = kept[i];
    r->nsteps = 0;
}

bool cell_result_has_memory(const struct cell_result *r)
{
    for (size_t i = 0; r->status == CELL_OK && i < NMEMORY; i++)
        if (!is_na(r->fig[memory_figures[i]]))
            return true;
    return false;
}
