/*
 * claims.c - the claims that motivated the suite, judged on this machine.
 *
 * Each claim (a file of claims/, see claims.h) gives a short quotation, the
 * experiment that tests it, the figure that shows it, the threshold that
 * decides, the result that would have gone the other way, and its caveats;
 * its judge gives a verdict computed from the run's own CSV files. Missing
 * data gives NA, never a verdict. `alloclab claims [RUN_DIR]` rebuilds
 * claims.md for any run.
 */
#include "claims.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "results.h"
#include "runfolder.h"

const char *verdict_name(enum verdict v)
{
    switch (v) {
    case VERDICT_HOLDS: return "holds";
    case VERDICT_NOT: return "does not hold";
    case VERDICT_ONLY_WHEN: return "holds only when";
    case VERDICT_INCONCLUSIVE: return "inconclusive";
    case VERDICT_FINDING: return "a finding, no verdict";
    default: return "NA (not measured)";
    }
}

size_t claims_count(void)
{
    size_t n = 0;
    while (claim_registry[n])
        n++;
    return n;
}

struct judgement *claims_judge(const struct run_folder *run)
{
    size_t n = claims_count();
    struct judgement *j = calloc(n + 1, sizeof *j);
    for (size_t i = 0; j && i < n; i++) {
        const struct claim *c = claim_registry[i];
        j[i] = (struct judgement){.claim = c, .verdict = VERDICT_NA};
        c->threshold_text(c, j[i].threshold, sizeof j[i].threshold);
        c->either_way(c, j[i].either_way, sizeof j[i].either_way);
        c->judge(run, &j[i]);
    }
    return j;
}

static void claims_md(FILE *f, const struct judgement *j, size_t n)
{
    fprintf(f, "# The claims, tested on this machine\n\nComputed by `alloclab claims` from this run's CSV files. "
               "`notes/14-claims.md` explains each experiment.\n\n| claim | verdict | what was measured |\n"
               "|---|---|---|\n");
    for (size_t i = 0; i < n; i++)
        fprintf(f, "| %s | %s | %s |\n", j[i].claim->name, verdict_name(j[i].verdict), j[i].detail);
    for (size_t i = 0; i < n; i++) {
        const struct claim *c = j[i].claim;
        fprintf(f, "\n## %s: %s\n\n- experiment: %s\n- figure: %s\n- threshold: %s\n- either way: %s\n- verdict: "
                   "**%s**: %s\n- caveats: %s\n",
                c->name, c->quote, c->experiment, c->figure, j[i].threshold, j[i].either_way,
                verdict_name(j[i].verdict), j[i].detail, c->caveats);
    }
}

int claims_write(const struct run_folder *run, FILE *echo)
{
    struct judgement *j = claims_judge(run);
    size_t n = claims_count();
    char path[4300], tmp[4400];
    snprintf(path, sizeof path, "%s/claims.md", run->dir);
    FILE *f = j ? atomic_open(path, tmp, sizeof tmp) : NULL;
    if (!f) {
        free(j);
        return -1;
    }
    claims_md(f, j, n);
    int rc = atomic_commit(f, tmp, path);
    if (rc == 0 && echo) {
        fprintf(echo, "\nclaims (%s):\n", path);
        for (size_t i = 0; i < n; i++)
            fprintf(echo, "  %s  %-16s %s\n", j[i].claim->name, verdict_name(j[i].verdict), j[i].detail);
    }
    free(j);
    return rc == 0 ? 0 : -1;
}

int claims_main(int argc, char **argv)
{
    static struct run_folder run;
    const char *dir = run_open("claims", argc, argv, &run);
    int written = claims_write(&run, stdout);
    run_free(&run);
    if (written != 0) {
        fprintf(stderr, "alloclab: cannot write %s/claims.md: %s\n", dir, strerror(errno));
        return EXIT_MEASURE;
    }
    return EXIT_OK;
}
