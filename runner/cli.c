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

int parse_size(const char *text, size_t *out)
{
    if (!text || !isdigit((unsigned char)text[0]))
        return -1;
    errno = 0;
    char *end;
    unsigned long long n = strtoull(text, &end, 10);
    if (errno)
        return -1;
    unsigned shift = 0;
    switch (*end) {
    case 'k': case 'K': shift = 10; end++; break;
    case 'm': case 'M': shift = 20; end++; break;
    case 'g': case 'G': shift = 30; end++; break;
    case 't': case 'T': shift = 40; end++; break;
    default: break;
    }
    if (*end == 'i' && shift) /* accept KiB-style "64Mi" too */
        end++;
    if (*end == 'B' || *end == 'b')
        end++;
    if (*end || (shift && n > (SIZE_MAX >> shift)))
        return -1;
    *out = (size_t)(n << shift);
    return 0;
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

int parse_fraction(const char *text, double *out)
{
    if (!text || !*text)
        return -1;
    errno = 0;
    char *end;
    double f = strtod(text, &end);
    if (errno || *end || !(f >= 0 && f <= 1))
        return -1;
    *out = f;
    return 0;
}

long long_option(const char *cmd, const char *option, const char *text, long min, long max)
{
    long n;
    if (parse_long(text, min, max, &n))
        die_usage("%s: --%s must be a whole number from %ld to %ld, not '%s'", cmd, option, min, max, text);
    return n;
}

double fraction_option(const char *cmd, const char *option, const char *text)
{
    double f;
    if (parse_fraction(text, &f))
        die_usage("%s: --%s must be a number from 0 to 1, not '%s'", cmd, option, text);
    return f;
}

int project_path(const char *relative, char *out, size_t len)
{
    char exe[4096];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    exe[n > 0 ? n : 0] = '\0';
    char *slash = strrchr(exe, '/');
    if (slash)
        *slash = '\0'; /* build/ or build/<variant>/ */
    for (int up = 0; up < 3; up++) {
        if (up == 0)
            snprintf(out, len, "%s", relative);
        else
            snprintf(out, len, "%s/%s%s", exe, up == 1 ? "../" : "../../", relative);
        if (access(out, R_OK) == 0)
            return 0;
    }
    return -1;
}
