/* arena.h -- region allocator: one per request (or per parsed document).
 *
 * Everything allocated from an arena is released at once by arena_free().
 * Allocation is a pointer bump inside 64 KiB (or larger) blocks, so per-field
 * work in the GraphQL executor costs no malloc. Not thread safe: an arena is
 * owned by one thread at a time. */
#ifndef ENTITYD_ARENA_H
#define ENTITYD_ARENA_H

#include <stdarg.h>
#include <stddef.h>

typedef struct arena arena_t;

arena_t *arena_new(void);
void arena_free(arena_t *a);
/* Zeroed memory, aligned for any type. Aborts the process on OOM (like
 * malloc failure handling in Redis' zmalloc: there is no sane recovery). */
void *arena_alloc(arena_t *a, size_t size);
/* Like arena_alloc but not zeroed: only for callers that write every byte they later read. */
void *arena_alloc_uninit(arena_t *a, size_t size);
/* Grow a previous allocation (copying); old memory stays until arena_free. */
void *arena_realloc(arena_t *a, void *old, size_t old_size, size_t new_size);
/* Room for one more element in a growing arena array of count elements of elem bytes: when count has
 * reached *cap, the array doubles (first: the initial capacity) and *cap is updated. Returns the array. */
void *arena_grow(arena_t *a, void *items, size_t count, size_t *cap, size_t elem, size_t first);
char *arena_strdup(arena_t *a, const char *s);
char *arena_strndup(arena_t *a, const char *s, size_t n);
char *arena_printf(arena_t *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
char *arena_vprintf(arena_t *a, const char *fmt, va_list ap);
/* Bytes handed out so far (for limits and metrics). */
size_t arena_used(const arena_t *a);

/* A growable array of pointers that lives in an arena. */
typedef struct {
    void **items;
    size_t count;
    size_t cap;
} ptrvec_t;

void ptrvec_push(arena_t *a, ptrvec_t *v, void *item);

#endif
