/*
 * instance.c - making an instance of a strategy and reading its counters:
 * the options parsed against the strategy's own table, the counters
 * pre-filled with NA.
 */
#include <stdio.h>
#include <string.h>

#include "../allocator.h"

int alloc_config_parse(const struct allocator *a, const char *options, enum thp_mode thp,
                       struct alloc_config *cfg, char err[ALLOC_ERR_LEN])
{
    memset(cfg, 0, sizeof *cfg);
    cfg->thp = thp;
    char why[ALLOC_ERR_LEN];
    if (params_defaults(a->options, cfg->opt, why, sizeof why) != 0 ||
        params_apply(a->options, options, ',', cfg->opt, why, sizeof why) != 0) {
        snprintf(err, ALLOC_ERR_LEN, "%s", why);
        return -1;
    }
    return 0;
}

static void *create_with(const struct allocator *a, const char *options, enum thp_mode thp, bool sample_memory,
                         char err[ALLOC_ERR_LEN])
{
    struct alloc_config cfg;
    const char *why = allocator_unavailable(a);
    if (why) {
        snprintf(err, ALLOC_ERR_LEN, "%s is unavailable: %s", a->name, why);
        return NULL;
    }
    if (alloc_config_parse(a, options, thp, &cfg, err) != 0)
        return NULL;
    cfg.sample_memory = sample_memory;
    return a->create(&cfg, err);
}

void *alloc_create(const struct allocator *a, const char *options, enum thp_mode thp, char err[ALLOC_ERR_LEN])
{
    return create_with(a, options, thp, false, err);
}

void *alloc_create_memory_pass(const struct allocator *a, const char *options, enum thp_mode thp,
                               char err[ALLOC_ERR_LEN])
{
    return create_with(a, options, thp, true, err);
}

/* a counter added to the struct must be added here too, or it would read 0 */
_Static_assert(sizeof(struct alloc_counters) == 7 * sizeof(double), "every counter starts NA");

void alloc_counters_read(const struct allocator *a, void *self, struct alloc_counters *out)
{
    *out = (struct alloc_counters){.bytes_live = NA, .bytes_live_peak = NA, .bytes_reserved = NA,
                                   .bytes_reserved_peak = NA, .lock_contended = NA, .pages_copied = NA,
                                   .copy_fallbacks = NA};
    if (a->counters)
        a->counters(self, out);
}
