/*
 * misuse_out.c - misuse.csv (a row per heap and case: its class, how its
 * process ended, the stage it reached, what the case found, the message),
 * misuse.md (the table, the legend, the messages and findings) and
 * misuse.png/.svg (plots/misuse.gp), each written whole or not at all.
 */
#include "misuse_out.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "analysis/plots.h"
#include "results.h" /* atomic_open, atomic_commit */

static const char *const legend[MISUSE_CLASSES] = {
    [MISUSE_DETECTED] = "stopped the program with its own message (glibc's abort after \"double free detected\" "
                        "is one)",
    [MISUSE_CRASHED] = "stopped by a signal, with no message: the program died, nobody said why",
    [MISUSE_CORRUPTED] = "silent corruption: the program carried on and the case found a later block overlapping "
                         "one it held, data it held changed, the heap's own checker failing, or a block granted for "
                         "2^62 bytes",
    [MISUSE_WARNED] = "said something on stderr and let the program carry on",
    [MISUSE_HARMLESS] = "carried on, said nothing, and nothing was found wrong",
    [MISUSE_HUNG] = "no end within the time limit (killed)",
    [MISUSE_NA] = "not run (a library not installed), or it stopped before the misuse",
};

/* How the process ended, in words. */
static void ended(const struct misuse_obs *o, char *buf, size_t len)
{
    if (o->end == MISUSE_END_NOT_RUN)
        snprintf(buf, len, "not run");
    else if (o->end == MISUSE_END_TIMEOUT)
        snprintf(buf, len, "time limit");
    else if (o->end == MISUSE_END_SIGNAL)
        snprintf(buf, len, "SIG%s", sigabbrev_np(o->code) ? sigabbrev_np(o->code) : "?");
    else
        snprintf(buf, len, "exit %d", o->code);
}

/* Where it stopped: "end", or the stage it was in. */
static const char *stopped(const struct misuse_obs *o)
{
    return o->ended && o->end == MISUSE_END_EXIT ? "end" : o->stage[0] ? o->stage : "before";
}

static void csv_quoted(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', f);
        fputc(*s == '\n' ? ' ' : *s, f);
    }
    fputc('"', f);
}

static int write_csv(const char *dir, const struct misuse_row *rows, int n)
{
    char path[4300], tmp[4400], end[32];
    snprintf(path, sizeof path, "%s/misuse.csv", dir);
    FILE *f = atomic_open(path, tmp, sizeof tmp);
    if (!f)
        return -1;
    fprintf(f, "subject,strategy,via,case,class,ended,stopped,finding,detail,message\n");
    for (int i = 0; i < n; i++) {
        const struct misuse_row *r = &rows[i];
        ended(&r->obs, end, sizeof end);
        fprintf(f, "%s,%s,%s,%s,%s,%s,%s,%s,", r->subject->label, r->subject->a->name,
                r->subject->packaged ? "packaged" : "interface", misuse_case_defs[r->c].name,
                misuse_class_names[r->cls], end, stopped(&r->obs), r->obs.finding[0] ? r->obs.finding : "NA");
        csv_quoted(f, r->obs.finding_text);
        fputc(',', f);
        csv_quoted(f, r->subject->why_not[0] ? r->subject->why_not : r->obs.message);
        fputc('\n', f);
    }
    return atomic_commit(f, tmp, path);
}

/* The table: a row per heap, a column per case run. */
static void put_table(FILE *f, const struct misuse_row *rows, int n, const bool cases[MISUSE_CASES])
{
    fprintf(f, "| heap |");
    for (int c = 0; c < MISUSE_CASES; c++)
        if (cases[c])
            fprintf(f, " %s |", misuse_case_defs[c].title);
    fprintf(f, "\n|---|");
    for (int c = 0; c < MISUSE_CASES; c++)
        if (cases[c])
            fprintf(f, "---|");
    for (int i = 0; i < n; i++) {
        if (!i || rows[i].subject != rows[i - 1].subject)
            fprintf(f, "\n| %s |", rows[i].subject->label);
        fprintf(f, " %s |", misuse_class_names[rows[i].cls]);
    }
    fprintf(f, "\n");
}

/* text inside a table cell: no bar may end it */
static void cell_text(FILE *f, const char *s)
{
    for (; *s; s++)
        fprintf(f, *s == '|' ? "\\|" : *s == '`' ? "'" : "%c", *s);
}

static void put_details(FILE *f, const struct misuse_row *rows, int n)
{
    fprintf(f, "\n## What they said, and what was found\n\nEvery case that was not harmless: how its process "
               "ended, the stage it was in (misuse: the misuse itself; allocs, frees, check, final: what the program "
               "did after it; end: it ran to its end), and the allocator's message or what the case found.\n\n"
               "| heap | case | class | ended | stopped | message, or what was found |\n|---|---|---|---|---|---|\n");
    for (int i = 0; i < n; i++) {
        const struct misuse_row *r = &rows[i];
        if (r->cls == MISUSE_HARMLESS)
            continue;
        char end[32];
        ended(&r->obs, end, sizeof end);
        fprintf(f, "| %s | %s | %s | %s | %s | ", r->subject->label, misuse_case_defs[r->c].title,
                misuse_class_names[r->cls], end, stopped(&r->obs));
        const char *text = r->subject->why_not[0] ? r->subject->why_not : r->obs.message;
        if (text[0]) {
            fputc('`', f);
            cell_text(f, text);
            fputc('`', f);
        }
        if (r->obs.finding[0] && strcmp(r->obs.finding, "ok") && strcmp(r->obs.finding, "refused")) {
            fprintf(f, "%s%s: ", text[0] ? "; " : "", r->obs.finding);
            cell_text(f, r->obs.finding_text);
        }
        fprintf(f, " |\n");
    }
}

static int write_md(const char *dir, const struct misuse_row *rows, int n, const bool cases[MISUSE_CASES], bool fixed)
{
    char path[4300], tmp[4400];
    snprintf(path, sizeof path, "%s/misuse.md", dir);
    FILE *f = atomic_open(path, tmp, sizeof tmp);
    if (!f)
        return -1;
    fprintf(f, "# What each heap does with misuse\n\n`alloclab misuse`: each case in a process of its own, killed "
               "after %d s. A heap is run through alloclab's interface (the size passed to free, the heap's own "
               "checker asked where it has one), or as packaged: a tiny program's malloc and free, the library "
               "preloaded (glibc: nothing preloaded). Address randomization was %s.\n\n",
            MISUSE_LIMIT_S,
            fixed ? "off, so that each run gives the same answers (with it on, glibc's check of a free-list pointer "
                    "scribbled over after a free depends on the address: see the notes)"
                  : "on (it could not be turned off here): a case whose outcome depends on addresses may answer "
                    "differently from run to run");
    put_table(f, rows, n, cases);
    fprintf(f, "\n");
    for (int k = 0; k < MISUSE_CLASSES; k++)
        fprintf(f, "- **%s**: %s\n", misuse_class_names[k], legend[k]);
    fprintf(f, "\nThe cases, each among eight blocks of its size allocated around it; after it, as a program "
               "would carry on, 48 blocks of mixed sizes allocated, half the eight freed, the checker asked, "
               "everything freed and 2,000 blocks of its size allocated, every block held checked for overlaps "
               "and for its data:\n\n");
    for (int c = 0; c < MISUSE_CASES; c++)
        if (cases[c])
            fprintf(f, "- **%s** (`%s`): %s\n", misuse_case_defs[c].title, misuse_case_defs[c].name,
                    misuse_case_defs[c].what);
    put_details(f, rows, n);
    return atomic_commit(f, tmp, path);
}

static int draw(const char *dir, const struct misuse_row *rows, int n, const bool cases[MISUSE_CASES])
{
    char vars[8192];
    int ncases = 0, nsub = 0;
    size_t used = (size_t)snprintf(vars, sizeof vars, "caption='alloclab misuse: each case in a process of its own, "
                                   "killed after %d s; misuse.md has what each heap said and what each case found'; "
                                   "xtics_list='(", MISUSE_LIMIT_S);
    for (int c = 0; c < MISUSE_CASES; c++)
        if (cases[c])
            used += (size_t)snprintf(vars + used, sizeof vars - used, "%s\"%s\" %d", ncases ? ", " : "",
                                     misuse_case_defs[c].title, ncases), ncases++;
    used += (size_t)snprintf(vars + used, sizeof vars - used, ")'; ytics_list='(");
    for (int i = 0; i < n && used < sizeof vars - 200; i++)
        if (!i || rows[i].subject != rows[i - 1].subject)
            used += (size_t)snprintf(vars + used, sizeof vars - used, "%s\"%s\" %d", nsub ? ", " : "",
                                     rows[i].subject->label, nsub), nsub++;
    snprintf(vars + used, sizeof vars - used, ")'; ncases=%d; nsubjects=%d; ", ncases, nsub);
    return plots_draw_one(dir, "misuse", vars);
}

int misuse_write(const char *dir, const struct misuse_row *rows, int n, const bool cases[MISUSE_CASES], bool fixed)
{
    if (write_csv(dir, rows, n) != 0 || write_md(dir, rows, n, cases, fixed) != 0) {
        fprintf(stderr, "alloclab: misuse: cannot write into '%s': %s\n", dir, strerror(errno));
        return -1;
    }
    put_table(stdout, rows, n, cases);
    printf("\n%s/misuse.md (the legend, the messages), misuse.csv, misuse.png\n", dir);
    fflush(stdout);
    return draw(dir, rows, n, cases);
}
