/*
 * judges.c - what every claim's judge is built from.
 *
 * A ratio that decides a verdict is a ratio of medians with a 95% percentile
 * bootstrap interval over both cells' repetitions (interval.c). The verdict
 * follows the side of its threshold the whole interval lies on; an interval
 * across the threshold, or fewer than INTERVAL_MIN_REPS repetitions, make it
 * "inconclusive". A noisy cell is judged the same way: its spread widens its
 * interval, and only more repetitions narrow it (the bench adds them where a
 * verdict's interval straddles its threshold: runner/straddle.c). Missing
 * data makes it NA. The text names the cells each number compares.
 */
#include "judges.h"

#include <stdarg.h>
#include <stdio.h>

void judge_say(struct judgement *j, enum verdict v, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    j->verdict = v;
    vsnprintf(j->detail, sizeof j->detail, fmt, ap);
    va_end(ap);
}

static void note_undecided(struct judgement *j, long row)
{
    for (int i = 0; i < j->nundecided; i++)
        if (j->undecided[i] == row)
            return;
    if (row >= 0 && j->nundecided < CLAIM_MAX_UNDECIDED)
        j->undecided[j->nundecided++] = row;
}

enum side judge_side(struct judgement *j, struct interval x, double threshold, long a, long b)
{
    enum side side = interval_side(x, threshold);
    if (side == SIDE_STRADDLES) {
        note_undecided(j, a);
        note_undecided(j, b);
    }
    return side;
}

/* "12.3 [10.1, 15.0]", or without the brackets when there is no interval */
const char *judge_show(struct interval x, const char *fmt, char *buf, size_t len)
{
    char v[32], lo[32], hi[32];
    snprintf(v, sizeof v, fmt, x.value);
    if (is_na(x.lo)) {
        snprintf(buf, len, "%s (too few repetitions for an interval)", v);
        return buf;
    }
    snprintf(lo, sizeof lo, fmt, x.lo);
    snprintf(hi, sizeof hi, fmt, x.hi);
    snprintf(buf, len, "%.31s [95%% interval %.31s-%.31s]", v, lo, hi);
    return buf;
}

const char *judge_strategy(const struct run_folder *run, long row)
{
    return row < 0 ? "?" : csv_text(&run->summary, (size_t)row, "strategy");
}
