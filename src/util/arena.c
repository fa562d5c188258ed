/* arena.c -- region allocator, see arena.h. */
#include "util/arena.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ARENA_BLOCK (64 * 1024)
#define ARENA_ALIGN 16

struct block {
    struct block *next;
    size_t size; /* usable bytes after the header */
    size_t used;
    /* data follows, aligned */
};

struct arena {
    struct block *head;
    size_t total;
};

static size_t header_size(void) {
    return (sizeof(struct block) + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
}

static void oom(void) {
    fputs("entityd: out of memory\n", stderr);
    abort();
}

arena_t *arena_new(void) {
    arena_t *a = calloc(1, sizeof *a);
    if (!a) oom();
    return a;
}

void arena_free(arena_t *a) {
    if (!a) return;
    struct block *b = a->head;
    while (b) {
        struct block *n = b->next;
        free(b);
        b = n;
    }
    free(a);
}

void *arena_alloc_uninit(arena_t *a, size_t size) {
    size_t need = (size + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
    if (need < size) oom(); /* overflow */
    struct block *b = a->head;
    if (!b || b->size - b->used < need) {
        size_t bsz = need > ARENA_BLOCK ? need : ARENA_BLOCK;
        if (bsz > SIZE_MAX - header_size()) oom();
        struct block *nb = malloc(header_size() + bsz);
        if (!nb) oom();
        nb->size = bsz;
        nb->used = 0;
        if (b && need > ARENA_BLOCK) {
            /* Oversized: keep the current block as head so its free space stays usable. */
            nb->next = b->next;
            b->next = nb;
            b = nb;
        } else {
            nb->next = b;
            a->head = nb;
            b = nb;
        }
    }
    void *p = (char *)b + header_size() + b->used;
    b->used += need;
    a->total += need;
    return p;
}

void *arena_alloc(arena_t *a, size_t size) {
    void *p = arena_alloc_uninit(a, size);
    memset(p, 0, size);
    return p;
}

void *arena_realloc(arena_t *a, void *old, size_t old_size, size_t new_size) {
    /* The copied prefix is not zeroed first; the grown tail still is (callers may rely on it). */
    char *p = arena_alloc_uninit(a, new_size);
    size_t keep = old ? (old_size < new_size ? old_size : new_size) : 0;
    if (keep) memcpy(p, old, keep);
    memset(p + keep, 0, new_size - keep);
    return p;
}

char *arena_strndup(arena_t *a, const char *s, size_t n) {
    char *p = arena_alloc_uninit(a, n + 1);
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *arena_strdup(arena_t *a, const char *s) {
    return arena_strndup(a, s, strlen(s));
}

char *arena_vprintf(arena_t *a, const char *fmt, va_list ap) {
    va_list cp;
    va_copy(cp, ap);
    int n = vsnprintf(NULL, 0, fmt, cp);
    va_end(cp);
    if (n < 0) n = 0;
    char *p = arena_alloc_uninit(a, (size_t)n + 1);
    vsnprintf(p, (size_t)n + 1, fmt, ap);
    return p;
}

char *arena_printf(arena_t *a, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    char *p = arena_vprintf(a, fmt, ap);
    va_end(ap);
    return p;
}

size_t arena_used(const arena_t *a) {
    return a->total;
}

void ptrvec_push(arena_t *a, ptrvec_t *v, void *item) {
    if (v->count == v->cap) {
        size_t ncap = v->cap ? v->cap * 2 : 8;
        v->items = arena_realloc(a, v->items, v->cap * sizeof(void *), ncap * sizeof(void *));
        v->cap = ncap;
    }
    v->items[v->count++] = item;
}

void *arena_grow(arena_t *a, void *items, size_t count, size_t *cap, size_t elem, size_t first) {
    if (count < *cap) return items;
    size_t ncap = *cap ? *cap * 2 : first;
    items = arena_realloc(a, items, *cap * elem, ncap * elem);
    *cap = ncap;
    return items;
}
