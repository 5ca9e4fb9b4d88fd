/*
 * view.c - the copy service of every strategy.
 *
 * Copy-on-write strategies fill the copy functions of their struct; a heap
 * strategy leaves them NULL and gets the eager copy here: the data set is a
 * private anonymous mapping, and a view is a block from the strategy's own
 * heap filled with memcpy, so every page is copied up front.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "../allocator.h"
#include "os.h"

int data_create(const struct allocator *a, void *self, size_t size, enum thp_mode thp,
                struct dataset *out, char err[ALLOC_ERR_LEN])
{
    memset(out, 0, sizeof *out);
    if (a->data_create)
        return a->data_create(self, size, out, err);
    void *p = os_map(size);
    if (!p) {
        snprintf(err, ALLOC_ERR_LEN, "cannot map a %zu-byte data set: %s", size, strerror(errno));
        return -1;
    }
    os_advise_thp(p, size, thp);
    out->base = p;
    out->size = size;
    return 0;
}

int data_seal(const struct allocator *a, void *self, struct dataset *data, char err[ALLOC_ERR_LEN])
{
    return a->data_seal ? a->data_seal(self, data, err) : 0;
}

void data_destroy(const struct allocator *a, void *self, struct dataset *data)
{
    if (a->data_destroy)
        a->data_destroy(self, data);
    else
        os_unmap(data->base, data->size);
    memset(data, 0, sizeof *data);
}

int view_open(const struct allocator *a, void *self, const struct dataset *data,
              struct view *out, char err[ALLOC_ERR_LEN])
{
    memset(out, 0, sizeof *out);
    if (a->view_open)
        return a->view_open(self, data, out, err);
    if (!allocator_has_heap(a)) {
        snprintf(err, ALLOC_ERR_LEN, "%s has neither a heap nor a copy service", a->name);
        return -1;
    }
    void *p = a->alloc(self, data->size);
    if (!p) {
        snprintf(err, ALLOC_ERR_LEN, "%s could not allocate a %zu-byte view: %s", a->name,
                 data->size, strerror(errno));
        return -1;
    }
    memcpy(p, data->base, data->size);
    out->addr = p;
    out->size = data->size;
    return 0;
}

double view_pages_copied(const struct allocator *a, void *self, const struct view *view)
{
    if (a->view_pages_copied)
        return a->view_pages_copied(self, view);
    /* eager: every page of the data set was copied */
    return (double)((view->size + os_page_size() - 1) / os_page_size());
}

void view_close(const struct allocator *a, void *self, struct view *view)
{
    if (a->view_close)
        a->view_close(self, view);
    else if (view->addr)
        a->free(self, view->addr, view->size);
    view->addr = NULL;
}
