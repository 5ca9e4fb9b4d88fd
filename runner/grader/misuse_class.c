/*
 * misuse_class.c - a misuse case's class, from how its process ended.
 *
 *   stopped (a signal, or an exit other than the case's own) with a message
 *                         on stderr: detected (glibc's abort after "free():
 *                         double free detected in tcache 2" is one);
 *   stopped, no message:  crashed;
 *   no end within the time limit: hung (killed; what it said, if anything,
 *                         is kept beside);
 *   ran to its end:       warned if it said something; otherwise silent
 *                         corruption if the case found something wrong (a
 *                         block overlapping one held, data changed, the heap's
 *                         checker failing, a block granted for 2^62 bytes),
 *                         else harmless;
 *   stopped before the misuse, or never started: NA.
 *
 * The message is all the process wrote on stderr: the case itself writes
 * nothing there, so whatever is there is the allocator's (or the C
 * library's, on its behalf).
 */
#include "misuse.h"

#include <stdio.h>
#include <string.h>

const char *const misuse_class_names[MISUSE_CLASSES] = {
    [MISUSE_DETECTED] = "detected", [MISUSE_CRASHED] = "crashed", [MISUSE_CORRUPTED] = "corrupted",
    [MISUSE_WARNED] = "warned",     [MISUSE_HARMLESS] = "harmless", [MISUSE_HUNG] = "hung",
    [MISUSE_NA] = "NA",
};

/* the word after `key ` at the start of a line, and the rest of the line */
static void take_word(const char *line, size_t len, char *word, size_t wlen, char *rest, size_t rlen)
{
    size_t w = 0;
    while (w < len && line[w] != ' ')
        w++;
    snprintf(word, wlen, "%.*s", (int)w, line);
    if (rest) {
        size_t from = w < len ? w + 1 : len;
        snprintf(rest, rlen, "%.*s", (int)(len - from), line + from);
    }
}

void misuse_parse(const char *out, struct misuse_obs *o)
{
    o->stage[0] = o->finding[0] = o->finding_text[0] = '\0';
    o->ended = false;
    for (const char *line = out; line && *line;) {
        const char *nl = strchr(line, '\n');
        size_t len = nl ? (size_t)(nl - line) : strlen(line);
        if (len > 6 && !strncmp(line, "stage ", 6))
            take_word(line + 6, len - 6, o->stage, sizeof o->stage, NULL, 0);
        else if (len > 8 && !strncmp(line, "finding ", 8) && !o->finding[0])
            take_word(line + 8, len - 8, o->finding, sizeof o->finding, o->finding_text, sizeof o->finding_text);
        else if (len == 3 && !strncmp(line, "end", 3))
            o->ended = true;
        line = nl ? nl + 1 : NULL;
    }
}

void misuse_message(const char *err, char *out, size_t len)
{
    out[0] = '\0';
    for (const char *line = err; line && *line;) {
        const char *nl = strchr(line, '\n');
        size_t n = nl ? (size_t)(nl - line) : strlen(line);
        while (n && (line[n - 1] == '\r' || line[n - 1] == ' '))
            n--;
        size_t skip = 0;
        while (skip < n && (line[skip] == ' ' || line[skip] == '\t'))
            skip++;
        if (n > skip) {
            snprintf(out, len, "%.*s", (int)(n - skip), line + skip);
            return;
        }
        line = nl ? nl + 1 : NULL;
    }
}

static bool corrupt(const char *finding)
{
    return !strcmp(finding, "overlap") || !strcmp(finding, "data") || !strcmp(finding, "checker") ||
           !strcmp(finding, "granted");
}

enum misuse_class misuse_classify(const struct misuse_obs *o)
{
    bool said = o->message[0] != '\0';
    if (o->end == MISUSE_END_NOT_RUN || !o->stage[0])
        return MISUSE_NA; /* nothing misused yet: what stopped it is not the misuse */
    if (o->end == MISUSE_END_TIMEOUT)
        return MISUSE_HUNG;
    if (o->end == MISUSE_END_SIGNAL || !o->ended || o->code != 0)
        return said ? MISUSE_DETECTED : MISUSE_CRASHED;
    if (said)
        return MISUSE_WARNED;
    return corrupt(o->finding) ? MISUSE_CORRUPTED : MISUSE_HARMLESS;
}
