/* report.h - report.md, rebuilt from a run folder. */
#ifndef ALLOCLAB_REPORT_H
#define ALLOCLAB_REPORT_H
/* 0, or -1 (no summary.csv, or report.md cannot be written) */
int report_write(const char *dir);
#endif
