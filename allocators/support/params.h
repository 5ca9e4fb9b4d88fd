/*
 * params.h - typed parameter tables: a workload's knobs and a strategy's
 * options are both declared as a table of struct param in their own file.
 * Shared code parses them (the command line, a bench plan, "k=v,k=v" option
 * strings), checks them against their ranges with one clear message, prints
 * them canonically (CSV keys) and lists them (list --verbose, --help, docs).
 *
 * A table ends with an entry whose name is NULL. Values come back as one
 * union param_value per entry, in table order, so a file that declares
 *
 *     enum { K_SIZE, K_WORKERS, K_COUNT };
 *     static const struct param knobs[K_COUNT + 1] = {[K_SIZE] = {...}, ...};
 *
 * reads its size as v[K_SIZE].n.
 */
#ifndef ALLOCLAB_PARAMS_H
#define ALLOCLAB_PARAMS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PARAM_MAX 16       /* entries in one table */
#define PARAM_ERR_LEN 256

enum param_type {
    PARAM_SIZE,     /* bytes, with k/M/G/T suffixes; .n */
    PARAM_COUNT,    /* a whole number; .n */
    PARAM_FRACTION, /* a real number; .f */
    PARAM_CHOICE,   /* one of .choices ("seq|random"); .choice is its index */
    PARAM_TEXT,     /* free text, judged by .check; .text */
};

union param_value {
    uint64_t n;
    double f;
    int choice;
    const char *text;
};

struct param {
    const char *name;    /* as typed: --write-fraction, fit= */
    enum param_type type;
    const char *def;     /* the default, as it would be typed */
    double min, max;     /* SIZE, COUNT, FRACTION: the allowed range */
    uint64_t multiple;   /* SIZE: must be a multiple of this (0: any) */
    const char *choices; /* CHOICE: "a|b|c"; TEXT: what it may be, in words */
    /* optional: a further rule (a power of two, a readable trace file);
     * 0, or -1 with err filled */
    int (*check)(union param_value v, char *err, size_t len);
    const char *help;    /* one line */
};

size_t params_count(const struct param *table);
int params_find(const struct param *table, const char *name);

/* Parse one value for p; 0, or -1 with a one-line err naming p and its range. */
int param_parse(const struct param *p, const char *text, union param_value *out, char *err, size_t len);
/* Every entry's default; 0, or -1 (a table whose default is out of its own range). */
int params_defaults(const struct param *table, union param_value out[PARAM_MAX], char *err, size_t len);
/* Apply "name=value<sep>name=value" (sep is ',' or ' '); 0, or -1 with err. */
int params_apply(const struct param *table, const char *text, char sep, union param_value v[PARAM_MAX],
                 char *err, size_t len);
/* Canonical text of a value: what param_parse reads back to the same value. */
void param_format(const struct param *p, union param_value v, char *buf, size_t len);
/* "64M", "from 1 to 256", "seq|random": the allowed values, for help texts. */
void param_describe_range(const struct param *p, char *buf, size_t len);

/* Size parsing shared with the command line: "64M", "4k", "1G", "123"; 0 or -1. */
int parse_size(const char *text, size_t *out);

#endif
