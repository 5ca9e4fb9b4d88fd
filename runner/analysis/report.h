/* report.h - report.md, rebuilt from a run folder. */
#ifndef ALLOCLAB_REPORT_H
#define ALLOCLAB_REPORT_H
#include "runfolder.h"
/* report.md in the run folder; 0, or -1 when it cannot be written */
int report_write(const struct run_folder *run);
#endif
