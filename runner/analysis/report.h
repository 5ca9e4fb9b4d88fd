/* report.h - report.md, rebuilt from a run folder. */
#ifndef ALLOCLAB_REPORT_H
#define ALLOCLAB_REPORT_H
#include "runfolder.h"

/* A limit of calibrate.csv that moved by more than this by the end of the run is flagged. */
#define REPORT_DRIFT 0.20
/* report.md in the run folder; 0, or -1 when it cannot be written */
int report_write(const struct run_folder *run);
/* `alloclab report [RUN_DIR]`: figures, report.md and claims.md rebuilt from a run folder's CSV files */
int report_main(int argc, char **argv);
#endif
