/*
 * C2 - "naive deep copy ~1.8 s, COW-simulated ~0.4 s".
 *
 * The documents' own benchmark (c2.csv, runner/c2.c). Their 4.5x holds if
 * real copy-on-write (fork_cow or mprotect_cow) on their workload is surely
 * that much faster than the deep copy; beside it, their own script's two
 * variants, which both copy every int: no copy-on-write to measure.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "c2.h"
#include "judges.h"

#define REPS 256

static void threshold_text(const struct claim *c, char *buf, size_t len)
{
    snprintf(buf, len, "holds if real copy-on-write (fork_cow or mprotect_cow) on the documents' workload is surely "
                       "at least %.1fx faster than the deep copy (1.8 s against 0.4 s); does not hold if both are "
                       "surely under it%s",
             c->threshold, CLAIM_INTERVAL_RULE);
}

static void either_way(const struct claim *c, char *buf, size_t len)
{
    snprintf(buf, len, "it would hold on the deep copy's time over fork_cow's or mprotect_cow's wholly at or over "
                       "%.1fx; it would fail on both wholly under %.1fx",
             c->threshold, c->threshold);
}

/* A c2.csv variant: its median, and its repetitions (seconds_reps, ';'
 * apart; none in an older run's file); how many repetitions. */
static int c2_variant(const struct csv *c2, const char *variant, double *median, double *reps, int max)
{
    *median = NA;
    for (size_t i = 0; i < c2->nrows; i++) {
        if (strcmp(csv_text(c2, i, "variant"), variant))
            continue;
        *median = csv_num(c2, i, "seconds_median");
        char list[4096];
        snprintf(list, sizeof list, "%s", csv_col(c2, "seconds_reps") >= 0 ? csv_text(c2, i, "seconds_reps") : "");
        int n = 0;
        for (char *save = NULL, *w = strtok_r(list, ";", &save); w && n < max; w = strtok_r(NULL, ";", &save)) {
            char *end;
            double x = strtod(w, &end);
            if (end != w && !*end && x > 0)
                reps[n++] = x;
        }
        return n;
    }
    return 0;
}

static void judge(const struct run_folder *run, struct judgement *c)
{
    static double reps[C2_VARIANTS][REPS];
    double med[C2_VARIANTS], claimed = c->claim->threshold;
    int n[C2_VARIANTS];
    static const char *const variant[C2_VARIANTS] = C2_VARIANT_NAMES;
    for (int k = 0; k < C2_VARIANTS; k++)
        n[k] = c2_variant(&run->c2, variant[k], &med[k], reps[k], REPS);
    if (isnan(med[0]) || (isnan(med[2]) && isnan(med[3])))
        return judge_say(c, VERDICT_NA, "c2.csv is missing, or holds no real copy-on-write: run `make bench`");
    char text[2][160];
    int above = 0, below = 0;
    for (int k = 2; k < 4; k++) {
        struct interval x = n[0] && n[k] ? interval_ratio(reps[0], n[0], reps[k], n[k])
                                         : (struct interval){med[0] / med[k], NA, NA};
        enum side side = judge_side(c, x, claimed, -1, -1);
        above += side == SIDE_ABOVE, below += side == SIDE_BELOW;
        char r[96];
        snprintf(text[k - 2], sizeof text[0], "%s %.1f ms: %s", variant[k], med[k] * 1e3,
                 judge_show(x, "%.1fx", r, sizeof r));
    }
    enum verdict v = above ? VERDICT_HOLDS : below == 2 ? VERDICT_NOT : VERDICT_INCONCLUSIVE;
    char said[64];
    snprintf(said, sizeof said, v == VERDICT_HOLDS ? ": at least the documents' %.1fx"
                                : v == VERDICT_NOT ? ": both surely under %.1fx"
                                                   : ": not surely either side of %.1fx", claimed);
    judge_say(c, v, "the deep copy (%.1f ms) over real copy-on-write on the documents' workload: %s; %s%s. Beside it, "
              "the documents' own script measures no copy-on-write: both of its variants copy all 10,000,000 ints "
              "(deep copy %.1f ms, the \"simulated\" version %.1f ms: %.2fx)%s",
              med[0] * 1e3, text[0], text[1], said, med[0] * 1e3, med[1] * 1e3, med[0] / med[1],
              n[0] ? "" : " (an older c2.csv, with no repetitions: no interval)");
}

const struct claim claim_C2 = {
    .name = "C2",
    .quote = "\"naive deep copy ~1.8 s, COW-simulated ~0.4 s\" (10,000,000 ints, 10,000 reads, one write)",
    .experiment = "the documents' benchmark in C, in rounds (c2.csv, every repetition): deep copy before the reads; "
                  "real copy-on-write of the same array with fork_cow (a forked child reads and writes; its fork, its "
                  "first reads of inherited pages, its one page copied and its exit timed) and mprotect_cow (a view); "
                  "and the documents' own 'simulated' version (the copy after the reads)",
    .figure = "c2.csv",
    .reads = {"c2.csv"},
    .threshold = C2_CLAIMED,
    .threshold_text = threshold_text,
    .either_way = either_way,
    .judge = judge,
    .caveats = "Both of the documents' own variants copy the whole array: their 4.5x cannot come from copy-on-write, "
               "so the claim is judged on real copy-on-write instead. In C the 10,000 reads take microseconds; the "
               "documents' seconds suggest an interpreter's overheads.",
};
