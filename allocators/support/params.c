/*
 * params.c - parsing, checking and printing of parameter tables (params.h).
 */
#include "params.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

size_t params_count(const struct param *table)
{
    size_t n = 0;
    while (table && table[n].name)
        n++;
    return n;
}

int params_find(const struct param *table, const char *name)
{
    for (size_t i = 0; table && table[i].name; i++)
        if (!strcmp(table[i].name, name))
            return (int)i;
    return -1;
}

int parse_size(const char *text, size_t *out)
{
    if (!text || !isdigit((unsigned char)text[0]))
        return -1;
    errno = 0;
    char *end;
    unsigned long long n = strtoull(text, &end, 10);
    if (errno)
        return -1;
    unsigned shift = 0;
    switch (*end) {
    case 'k': case 'K': shift = 10; end++; break;
    case 'm': case 'M': shift = 20; end++; break;
    case 'g': case 'G': shift = 30; end++; break;
    case 't': case 'T': shift = 40; end++; break;
    default: break;
    }
    if (*end == 'i' && shift) /* accept KiB-style "64Mi" too */
        end++;
    if (*end == 'B' || *end == 'b')
        end++;
    if (*end || (shift && n > (SIZE_MAX >> shift)))
        return -1;
    *out = (size_t)(n << shift);
    return 0;
}

static void size_text(uint64_t n, char *buf, size_t len)
{
    static const char suffix[] = "kMGT";
    int s = -1;
    while (n && n % 1024 == 0 && s < 3) {
        n /= 1024;
        s++;
    }
    if (s < 0)
        snprintf(buf, len, "%" PRIu64, n);
    else
        snprintf(buf, len, "%" PRIu64 "%c", n, suffix[s]);
}

void param_describe_range(const struct param *p, char *buf, size_t len)
{
    char lo[32], hi[32];
    switch (p->type) {
    case PARAM_SIZE: {
        char step[64] = "";
        size_text((uint64_t)p->min, lo, sizeof lo);
        size_text((uint64_t)p->max, hi, sizeof hi);
        if (p->multiple > 1) {
            char m[24];
            size_text(p->multiple, m, sizeof m);
            snprintf(step, sizeof step, ", a multiple of %s", m);
        }
        snprintf(buf, len, "a size from %s to %s%s", lo, hi, step);
        break;
    }
    case PARAM_COUNT: snprintf(buf, len, "a whole number from %.0f to %.0f", p->min, p->max); break;
    case PARAM_FRACTION: snprintf(buf, len, "a number from %g to %g", p->min, p->max); break;
    case PARAM_CHOICE: snprintf(buf, len, "%s", p->choices); break;
    default: snprintf(buf, len, "%s", p->choices ? p->choices : "text"); break; /* TEXT: what it may say */
    }
}

static int choice_index(const char *choices, const char *text)
{
    size_t len = strlen(text);
    int i = 0;
    for (const char *c = choices; *c; i++) {
        size_t n = strcspn(c, "|");
        if (n == len && !strncmp(c, text, n))
            return i;
        c += n + (c[n] == '|');
    }
    return -1;
}

/* Text values outlive the string they were parsed from (a bench plan's
 * "trace=FILE" token): they are kept here, reachable, for the program's life. */
static const char *intern(const char *text)
{
    static struct kept { struct kept *next; char text[]; } *kept;
    static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
    pthread_mutex_lock(&lock);
    for (struct kept *k = kept; k; k = k->next)
        if (!strcmp(k->text, text)) {
            pthread_mutex_unlock(&lock);
            return k->text;
        }
    struct kept *k = malloc(sizeof *k + strlen(text) + 1);
    if (k) {
        strcpy(k->text, text);
        k->next = kept;
        kept = k;
    }
    pthread_mutex_unlock(&lock);
    return k ? k->text : NULL;
}

static int parse_number(const struct param *p, const char *text, union param_value *out)
{
    char *end;
    errno = 0;
    if (p->type == PARAM_SIZE) {
        size_t n;
        if (parse_size(text, &n) || (double)n < p->min || (double)n > p->max || (p->multiple && n % p->multiple))
            return -1;
        out->n = n;
    } else if (p->type == PARAM_COUNT) {
        if (!isdigit((unsigned char)text[0]))
            return -1;
        unsigned long long n = strtoull(text, &end, 10);
        if (errno || *end || (double)n < p->min || (double)n > p->max)
            return -1;
        out->n = n;
    } else {
        double f = strtod(text, &end);
        if (errno || end == text || *end || !(f >= p->min && f <= p->max))
            return -1;
        out->f = f;
    }
    return 0;
}

int param_parse(const struct param *p, const char *text, union param_value *out, char *err, size_t len)
{
    union param_value v = {0};
    int bad = 0;
    if (!text)
        text = "";
    if (p->type == PARAM_CHOICE)
        bad = (v.choice = choice_index(p->choices, text)) < 0;
    else if (p->type == PARAM_TEXT)
        bad = !*text || !(v.text = intern(text));
    else
        bad = parse_number(p, text, &v) != 0;
    if (bad) {
        char range[128];
        param_describe_range(p, range, sizeof range);
        snprintf(err, len, "%s must be %s, not '%s'", p->name, range, text);
        return -1;
    }
    char why[PARAM_ERR_LEN] = "";
    if (p->check && p->check(v, why, sizeof why) != 0) {
        snprintf(err, len, "%s: %s", p->name, why);
        return -1;
    }
    *out = v;
    return 0;
}

int params_defaults(const struct param *table, union param_value out[PARAM_MAX], char *err, size_t len)
{
    memset(out, 0, PARAM_MAX * sizeof *out);
    for (size_t i = 0; table && table[i].name && i < PARAM_MAX; i++)
        if (param_parse(&table[i], table[i].def, &out[i], err, len) != 0)
            return -1;
    return 0;
}

int params_apply(const struct param *table, const char *text, char sep, union param_value v[PARAM_MAX],
                 char *err, size_t len)
{
    char token[512];
    for (const char *t = text ? text : ""; *t;) {
        size_t n = strcspn(t, (char[]){sep, '\0'});
        if (n == 0) {
            t++;
            continue;
        }
        snprintf(token, sizeof token, "%.*s", (int)n, t);
        t += n;
        char *eq = strchr(token, '=');
        int i = eq ? (*eq = '\0', params_find(table, token)) : -1;
        if (i < 0) {
            snprintf(err, len, "unknown or malformed option '%s%s%s' (expected name=value)", token, eq ? "=" : "",
                     eq ? eq + 1 : "");
            return -1;
        }
        if (param_parse(&table[i], eq + 1, &v[i], err, len) != 0)
            return -1;
    }
    return 0;
}

void param_format(const struct param *p, union param_value v, char *buf, size_t len)
{
    switch (p->type) {
    case PARAM_SIZE: size_text(v.n, buf, len); break;
    case PARAM_COUNT: snprintf(buf, len, "%" PRIu64, v.n); break;
    case PARAM_FRACTION: snprintf(buf, len, "%g", v.f); break;
    case PARAM_CHOICE: {
        const char *c = p->choices;
        for (int i = 0; i < v.choice && *c; i++)
            c += strcspn(c, "|") + 1;
        snprintf(buf, len, "%.*s", (int)strcspn(c, "|"), c);
        break;
    }
    default: snprintf(buf, len, "%s", v.text ? v.text : ""); break;
    }
}
