#include "csvread.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Split one line into fields; handles "quoted, fields" with "" escapes. */
static char **split(char *line, size_t *n)
{
    size_t cap = 16, k = 0;
    char **f = malloc(cap * sizeof *f);
    char *p = line;
    for (;;) {
        if (k == cap)
            f = realloc(f, (cap *= 2) * sizeof *f);
        if (*p == '"') {
            char *w = ++p;
            f[k++] = w;
            while (*p) {
                if (*p == '"' && p[1] == '"') {
                    *w++ = '"';
                    p += 2;
                } else if (*p == '"') {
                    p++;
                    break;
                } else {
                    *w++ = *p++;
                }
            }
            *w = '\0';
            if (*p == ',') {
                p++;
                continue;
            }
            break;
        }
        f[k++] = p;
        char *comma = strchr(p, ',');
        if (!comma)
            break;
        *comma = '\0';
        p = comma + 1;
    }
    *n = k;
    return f;
}

int csv_load(const char *path, struct csv *out)
{
    memset(out, 0, sizeof *out);
    FILE *file = fopen(path, "r");
    if (!file)
        return -1;
    char *line = NULL;
    size_t len = 0, cap = 0;
    ssize_t got;
    int first = 1;
    while ((got = getline(&line, &len, file)) > 0) {
        line[strcspn(line, "\r\n")] = '\0';
        char *copy = strdup(line);
        out->lines = realloc(out->lines, (out->nlines + 1) * sizeof *out->lines);
        out->lines[out->nlines++] = copy;
        size_t n;
        char **fields = split(copy, &n);
        if (first) {
            out->header = fields;
            out->ncols = n;
            first = 0;
            continue;
        }
        if (n != out->ncols) { /* a row that does not match the header: refuse the file */
            free(fields);
            free(line);
            fclose(file);
            csv_free(out);
            return -1;
        }
        if (out->nrows == cap)
            out->rows = realloc(out->rows, (cap = cap ? 2 * cap : 64) * sizeof *out->rows);
        out->rows[out->nrows++] = fields;
    }
    free(line);
    fclose(file);
    return first ? -1 : 0;
}

void csv_free(struct csv *c)
{
    free(c->header);
    for (size_t i = 0; i < c->nrows; i++)
        free(c->rows[i]);
    free(c->rows);
    for (size_t i = 0; i < c->nlines; i++)
        free(c->lines[i]);
    free(c->lines);
    memset(c, 0, sizeof *c);
}

int csv_col(const struct csv *c, const char *name)
{
    for (size_t j = 0; j < c->ncols; j++)
        if (!strcmp(c->header[j], name))
            return (int)j;
    return -1;
}

const char *csv_text(const struct csv *c, size_t row, const char *name)
{
    int j = csv_col(c, name);
    return j < 0 || row >= c->nrows ? "" : c->rows[row][j];
}

double csv_num(const struct csv *c, size_t row, const char *name)
{
    const char *t = csv_text(c, row, name);
    if (!*t || !strcmp(t, "NA"))
        return NAN;
    char *end;
    double v = strtod(t, &end);
    return *end ? NAN : v;
}
