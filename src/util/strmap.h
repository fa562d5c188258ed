/* strmap.h -- open-addressing hash map from NUL-terminated string keys to pointers.
 * Memory comes from an arena (the schema's long-lived one, or a request's), so a map
 * is never freed on its own. Keys are not copied: they must outlive the map. */
#ifndef ENTITYD_STRMAP_H
#define ENTITYD_STRMAP_H

#include <stddef.h>
#include <stdint.h>

#include "util/arena.h"

typedef struct {
    const char **keys;
    void **vals;
    size_t cap; /* power of two, 0 when empty */
    size_t count;
    arena_t *arena;
} strmap_t;

/* The map's hash (64-bit FNV-1a) of n bytes, for other tables keyed by text (the document cache). */
uint64_t strmap_hash(const char *s, size_t n);

void strmap_init(strmap_t *m, arena_t *a);
/* Returns the previous value for key (NULL if none) and stores val. */
void *strmap_put(strmap_t *m, const char *key, void *val);
void *strmap_get(const strmap_t *m, const char *key);
/* Same, with a key that is not NUL-terminated. */
void *strmap_getn(const strmap_t *m, const char *key, size_t len);
/* Iterate: for (size_t i = 0; i < m->cap; i++) if (m->keys[i]) ... */

#endif
