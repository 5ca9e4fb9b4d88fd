/* cli.h - parsing and error reporting shared by the subcommands. */
#ifndef ALLOCLAB_CLI_H
#define ALLOCLAB_CLI_H

#include <stddef.h>
#include <stdint.h>

enum exit_code { EXIT_OK = 0, EXIT_MEASURE = 1, EXIT_USAGE = 2 };

/* Print "alloclab: <message>" on one line to stderr. */
void die_usage(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
/* A whole decimal number in [min, max]; 0 on success. */
int parse_long(const char *text, long min, long max, long *out);
/* For option parsers: the value of `option`, or die_usage naming the range. */
long long_option(const char *cmd, const char *option, const char *text, long min, long max);
#endif
