/*
 * C8 - transparent huge pages make copy-on-write faults copy 2 MiB instead
 * of 4 KiB: decided by the pages fork_cow copied with THP always over never
 * (group thp), on 1% random writes.
 */
#include <stdio.h>
#include <string.h>

#include "groups.h"
#include "judges.h"
#include "strategy_names.h"

static void threshold_text(const struct claim *c, char *buf, size_t len)
{
    snprintf(buf, len, "holds if THP always copies >= %gx the pages of THP never; else does not hold%s", c->threshold,
             CLAIM_INTERVAL_RULE);
}

static void either_way(const struct claim *c, char *buf, size_t len)
{
    snprintf(buf, len, "it would hold on THP always copying wholly %gx or more the pages THP never copies (a 2 MiB copy "
                       "per fault would be 512x); it would fail on that ratio wholly under %gx",
             c->threshold, c->threshold);
}

static void judge(const struct run_folder *run, struct judgement *c)
{
    long never = run_find(run, GROUP_THP, STRATEGY_FORK_COW, NULL, "thp=never");
    long always = run_find(run, GROUP_THP, STRATEGY_FORK_COW, NULL, "thp=always");
    struct interval pages = run_ratio(run, always, "pages_copied", never, "pages_copied");
    struct interval time = run_ratio(run, always, "wall_ns", never, "wall_ns");
    if (is_na(pages.value))
        return judge_say(c, VERDICT_NA, "the THP cells were not measured");
    if (strstr(run_meta(run, "transparent huge pages"), "[never]"))
        return judge_say(c, VERDICT_NA, "transparent huge pages are off system-wide here ([never]): madvise cannot "
                                  "turn them on, so the comparison is empty");
    double huge = run_median(run, always, "anon_huge_kib");
    if (!(huge > 0))
        return judge_say(c, VERDICT_NA, "with --thp always no memory was backed by huge pages (AnonHugePages 0): the "
                                  "comparison is empty on this machine");
    char p[128], t[128];
    judge_show(pages, "%.2fx", p, sizeof p);
    judge_show(time, "%.2fx", t, sizeof t);
    enum side side = judge_side(c, pages, c->claim->threshold, never, always);
    if (side == SIDE_ABOVE)
        return judge_say(c, VERDICT_HOLDS, "random 1%% writes through fork_cow copied %s the pages with huge pages as "
                                     "without (time: %s)", p, t);
    if (side == SIDE_STRADDLES)
        return judge_say(c, VERDICT_INCONCLUSIVE, "fork_cow copied %s the pages with huge pages as without, which cannot "
                                            "be told from %gx (time: %s)", p, c->claim->threshold, t);
    judge_say(c, VERDICT_NOT,
        "with %.0f MiB backed by huge pages, random 1%% writes through fork_cow copied %s the pages they copy "
        "without (time: %s): no 2 MiB copies (recent kernels split a shared huge page on a write fault and copy "
        "4 KiB)", huge / 1024, p, t);
}

const struct claim claim_C8 = {
    .name = "C8",
    .quote = "transparent huge pages make copy-on-write faults copy 2 MiB instead of 4 KiB",
    .experiment = "write_heavy, 1% random writes, fork_cow with --thp never and --thp always",
    .figure = "report.md (the write_heavy (thp) table)",
    .reads = {GROUP_THP},
    .threshold = 2, /* pages copied with THP always over never */
    .threshold_text = threshold_text,
    .either_way = either_way,
    .judge = judge,
    .caveats = "Depends on the kernel: recent kernels split a shared huge page on a write fault and copy 4 KiB.",
};
