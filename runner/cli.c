#include "cli.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void die_usage(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("alloclab: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    exit(EXIT_USAGE);
}

int parse_long(const char *text, long min, long max, long *out)
{
    if (!text || !*text)
        return -1;
    errno = 0;
    char *end;
    long n = strtol(text, &end, 10);
    if (errno || *end || n < min || n > max)
        return -1;
    *out = n;
    return 0;
}

long long_option(const char *cmd, const char *option, const char *text, long min, long max)
{
    long n;
    if (parse_long(text, min, max, &n))
        die_usage("%s: --%s must be a whole number from %ld to %ld, not '%s'", cmd, option, min, max, text);
    return n;
}
