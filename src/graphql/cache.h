/* cache.h -- a bounded LRU cache of parsed and validated documents, keyed by the document text.
 *
 * Each entry owns the arena its document lives in. Lookups hand out a reference: an entry
 * evicted while requests still use it is freed by the last gql_doc_cache_release(). Only
 * documents that parsed and validated cleanly are cached: a failing document is re-parsed on
 * every request (its errors are cheap to rebuild, and caching them would let garbage evict
 * good entries). Thread safe (one mutex; parsing happens outside it). */
#ifndef ENTITYD_GQL_CACHE_H
#define ENTITYD_GQL_CACHE_H

#include <stddef.h>
#include <stdint.h>

#include "graphql/language/ast.h"
#include "util/arena.h"

typedef struct gql_doc_cache gql_doc_cache;
typedef struct gql_cached_doc gql_cached_doc;

typedef struct {
    size_t entries; /* documents held now */
    size_t bytes;   /* their arenas' sizes */
    uint64_t hits;
    uint64_t misses;
    uint64_t evictions;
} gql_doc_cache_stats;

/* At most capacity (>= 1) entries and, when max_bytes is not 0, at most max_bytes of document
 * arenas (arena_used) in total: a parsed document is far larger than its text, so the entry count
 * alone would not bound memory. Returns NULL on allocation failure. */
gql_doc_cache *gql_doc_cache_new(size_t capacity, size_t max_bytes);
/* Frees the cache and its entries; every reference must have been released before. */
void gql_doc_cache_free(gql_doc_cache *c);
/* The entry for text, with a reference held (and marked most recently used), or NULL. */
gql_cached_doc *gql_doc_cache_get(gql_doc_cache *c, const char *text, size_t len);
/* Inserts doc (living in arena, whose ownership passes to the cache) under text, evicting the
 * least recently used entries beyond capacity. Returns the entry with a reference held; when
 * another thread inserted the same text first, its entry is returned and arena is freed. A
 * document larger than max_bytes on its own is returned without being cached (freed on release).
 * Returns NULL only on allocation failure, and arena then stays the caller's. */
gql_cached_doc *gql_doc_cache_put(gql_doc_cache *c, const char *text, size_t len, arena_t *arena,
                                  const gql_document *doc);
const gql_document *gql_cached_doc_document(const gql_cached_doc *d);
/* Drops a reference taken by get or put. */
void gql_doc_cache_release(gql_doc_cache *c, gql_cached_doc *d);
void gql_doc_cache_get_stats(gql_doc_cache *c, gql_doc_cache_stats *out);

#endif
