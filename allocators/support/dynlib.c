/* dynlib.c - loading a reference allocator's library (dynlib.h). */
#include <dlfcn.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dynlib.h"

static pthread_mutex_t loading = PTHREAD_MUTEX_INITIALIZER;

static void load(struct dynlib *lib)
{
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
    snprintf(lib->why, sizeof lib->why, "not under a sanitizer: %s's memory and locks are invisible to it",
             lib->soname);
    lib->state = -1;
    return;
#endif
    void *h = dlopen(lib->soname, RTLD_NOW | RTLD_LOCAL);
    if (!h) {
        const char *e = dlerror();
        if (e && strstr(e, "static TLS"))
            snprintf(lib->why, sizeof lib->why, "%s needs room in the static TLS block: start with "
                     "GLIBC_TUNABLES=glibc.rtld.optional_static_tls=16384", lib->soname);
        else
            snprintf(lib->why, sizeof lib->why, "%s is not installed (apt-get install %s)", lib->soname,
                     lib->package);
        lib->state = -1;
        return;
    }
    for (const struct dynsym *s = lib->symbols; s->name; s++) {
        *s->slot = dlsym(h, s->name);
        if (!*s->slot) {
            snprintf(lib->why, sizeof lib->why, "%s has no %s: a version alloclab does not know (apt-get install %s)",
                     lib->soname, s->name, lib->package);
            lib->state = -1;
            return;
        }
    }
    lib->state = 1;
}

const char *dynlib_load(struct dynlib *lib)
{
    pthread_mutex_lock(&loading);
    if (lib->state == 0)
        load(lib);
    pthread_mutex_unlock(&loading);
    return lib->state > 0 ? NULL : lib->why;
}

const char *dynlib_path(struct dynlib *lib, char *path, size_t len)
{
    const char *why = dynlib_load(lib);
    if (why)
        return why;
    Dl_info info;
    char real[PATH_MAX];
    if (!dladdr(*lib->symbols[0].slot, &info) || !info.dli_fname || !realpath(info.dli_fname, real))
        return "the loader does not say which file it loaded";
    snprintf(path, len, "%s", real);
    return NULL;
}

#ifndef ALLOCLAB_PRELOAD
/* jemalloc keeps 2.6 KiB of initial-exec thread-local storage, more than
 * glibc leaves spare for a library loaded after start (512 bytes): dlopen
 * then fails. The spare room is set only at start, by a tunable; a program
 * of alloclab's (never the preload library, which runs inside others)
 * starts itself again once with it set. */
#define STATIC_TLS_TUNABLE "glibc.rtld.optional_static_tls"
__attribute__((constructor)) static void make_room_for_static_tls(int argc, char **argv)
{
    (void)argc;
    const char *now = getenv("GLIBC_TUNABLES");
    if (now && strstr(now, STATIC_TLS_TUNABLE))
        return;
    char value[1024];
    int n = snprintf(value, sizeof value, "%s%s" STATIC_TLS_TUNABLE "=16384", now ? now : "", now ? ":" : "");
    if (n < 0 || (size_t)n >= sizeof value || setenv("GLIBC_TUNABLES", value, 1) != 0)
        return;
    execv("/proc/self/exe", argv);
    /* not started again: carry on; jemalloc then says it is unavailable, and why */
}
#endif
