/* csvread.h - read back the CSV files alloclab writes (for report and claims). */
#ifndef ALLOCLAB_CSVREAD_H
#define ALLOCLAB_CSVREAD_H

#include <math.h>
#include <stddef.h>

struct csv {
    char **header;
    size_t ncols;
    char ***rows; /* rows[i][j]: the text of column j */
    size_t nrows;
    char **lines; /* the text every field points into, one per line */
    size_t nlines;
};

/* Load a whole file; 0, or -1 (missing or malformed). */
int csv_load(const char *path, struct csv *out);
void csv_free(struct csv *c);
/* Index of a column, or -1. */
int csv_col(const struct csv *c, const char *name);
/* A cell's text ("" when the column is missing). */
const char *csv_text(const struct csv *c, size_t row, const char *name);
/* A cell as a number: NAN for NA, empty or a missing column. */
double csv_num(const struct csv *c, size_t row, const char *name);

#endif
