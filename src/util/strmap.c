/* strmap.c -- string-keyed hash map (FNV-1a, linear probing), see strmap.h. */
#include "util/strmap.h"

#include <stdint.h>
#include <string.h>

uint64_t strmap_hash(const char *s, size_t n) {
    uint64_t h = 1469598103934665603ULL;
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)s[i];
        h *= 1099511628211ULL;
    }
    return h;
}

void strmap_init(strmap_t *m, arena_t *a) {
    memset(m, 0, sizeof *m);
    m->arena = a;
}

static void grow(strmap_t *m) {
    size_t ncap = m->cap ? m->cap * 2 : 16;
    const char **nk = arena_alloc(m->arena, ncap * sizeof *nk);
    void **nv = arena_alloc(m->arena, ncap * sizeof *nv);
    for (size_t i = 0; i < m->cap; i++) {
        if (!m->keys[i]) continue;
        size_t j = strmap_hash(m->keys[i], strlen(m->keys[i])) & (ncap - 1);
        while (nk[j])
            j = (j + 1) & (ncap - 1);
        nk[j] = m->keys[i];
        nv[j] = m->vals[i];
    }
    m->keys = nk;
    m->vals = nv;
    m->cap = ncap;
}

void *strmap_put(strmap_t *m, const char *key, void *val) {
    if ((m->count + 1) * 4 > m->cap * 3) grow(m);
    size_t n = strlen(key);
    size_t j = strmap_hash(key, n) & (m->cap - 1);
    while (m->keys[j]) {
        if (strcmp(m->keys[j], key) == 0) {
            void *old = m->vals[j];
            m->vals[j] = val;
            return old;
        }
        j = (j + 1) & (m->cap - 1);
    }
    m->keys[j] = key;
    m->vals[j] = val;
    m->count++;
    return NULL;
}

void *strmap_getn(const strmap_t *m, const char *key, size_t len) {
    if (!m->cap) return NULL;
    size_t j = strmap_hash(key, len) & (m->cap - 1);
    while (m->keys[j]) {
        if (strncmp(m->keys[j], key, len) == 0 && m->keys[j][len] == '\0') return m->vals[j];
        j = (j + 1) & (m->cap - 1);
    }
    return NULL;
}

void *strmap_get(const strmap_t *m, const char *key) {
    return strmap_getn(m, key, strlen(key));
}
