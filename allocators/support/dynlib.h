/*
 * dynlib.h - an allocator library loaded when first wanted (dlopen), so that
 * one not installed makes its strategy unavailable, never a build or start
 * failure. It is loaded RTLD_LOCAL: its malloc never replaces the harness's.
 */
#ifndef ALLOCLAB_DYNLIB_H
#define ALLOCLAB_DYNLIB_H

struct dynsym {
    const char *name;
    void **slot; /* where the address goes: a function pointer's storage */
};

struct dynlib {
    const char *soname;           /* "libjemalloc.so.2" */
    const char *package;          /* the Debian package that installs it */
    const struct dynsym *symbols; /* {NULL}-terminated */
    int state;                    /* 0 not tried, 1 loaded, -1 unavailable */
    char why[256];
};

/* NULL once every symbol is resolved, or why not (with the install command).
 * Thread-safe; tried once per process. */
const char *dynlib_load(struct dynlib *lib);
/* dynlib_load, then the real path of the file the loader found (symbolic
 * links resolved): what a program preloads to run on the library as its
 * users do. NULL with path filled, or why not. */
const char *dynlib_path(struct dynlib *lib, char *path, size_t len);

#endif
