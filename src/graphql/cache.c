/* cache.c -- LRU cache of parsed + validated documents, see cache.h.
 * A chained hash table (FNV-1a of the text) finds entries; a doubly linked list orders them
 * from most (head) to least (tail) recently used. */
#include "graphql/cache.h"

#include "util/strmap.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

struct gql_cached_doc {
    const char *text; /* in arena */
    size_t len;
    uint64_t hash;
    size_t bytes; /* arena_used of the document's arena */
    arena_t *arena;
    const gql_document *doc;
    size_t refs;                 /* references handed out and not yet released */
    bool in_cache;               /* false once evicted: freed when refs drops to 0 */
    gql_cached_doc *prev, *next; /* LRU list */
    gql_cached_doc *chain;       /* hash bucket */
};

struct gql_doc_cache {
    pthread_mutex_t mu;
    size_t capacity;
    size_t max_bytes; /* 0: no byte bound */
    size_t count;
    size_t bytes;
    gql_cached_doc **buckets;
    size_t nbuckets; /* power of two */
    gql_cached_doc *head, *tail;
    uint64_t hits, misses, evictions;
};


gql_doc_cache *gql_doc_cache_new(size_t capacity, size_t max_bytes) {
    if (capacity == 0) capacity = 1;
    gql_doc_cache *c = calloc(1, sizeof *c);
    if (!c) return NULL;
    c->capacity = capacity;
    c->max_bytes = max_bytes;
    c->nbuckets = 16;
    while (c->nbuckets < capacity * 2)
        c->nbuckets *= 2;
    c->buckets = calloc(c->nbuckets, sizeof *c->buckets);
    if (!c->buckets) {
        free(c);
        return NULL;
    }
    pthread_mutex_init(&c->mu, NULL);
    return c;
}

static void entry_free(gql_cached_doc *d) {
    arena_t *a = d->arena;
    free(d);
    arena_free(a);
}

void gql_doc_cache_free(gql_doc_cache *c) {
    if (!c) return;
    gql_cached_doc *d = c->head;
    while (d) {
        gql_cached_doc *next = d->next;
        entry_free(d);
        d = next;
    }
    free(c->buckets);
    pthread_mutex_destroy(&c->mu);
    free(c);
}

static void lru_unlink(gql_doc_cache *c, gql_cached_doc *d) {
    if (d->prev)
        d->prev->next = d->next;
    else
        c->head = d->next;
    if (d->next)
        d->next->prev = d->prev;
    else
        c->tail = d->prev;
    d->prev = d->next = NULL;
}

static void lru_push_front(gql_doc_cache *c, gql_cached_doc *d) {
    d->prev = NULL;
    d->next = c->head;
    if (c->head) c->head->prev = d;
    c->head = d;
    if (!c->tail) c->tail = d;
}

static gql_cached_doc *lookup(gql_doc_cache *c, const char *text, size_t len, uint64_t h) {
    for (gql_cached_doc *d = c->buckets[h & (c->nbuckets - 1)]; d; d = d->chain)
        if (d->hash == h && d->len == len && memcmp(d->text, text, len) == 0) return d;
    return NULL;
}

static void table_remove(gql_doc_cache *c, gql_cached_doc *d) {
    gql_cached_doc **pp = &c->buckets[d->hash & (c->nbuckets - 1)];
    while (*pp && *pp != d)
        pp = &(*pp)->chain;
    if (*pp) *pp = d->chain;
    d->chain = NULL;
}

gql_cached_doc *gql_doc_cache_get(gql_doc_cache *c, const char *text, size_t len) {
    uint64_t h = strmap_hash(text, len);
    pthread_mutex_lock(&c->mu);
    gql_cached_doc *d = lookup(c, text, len, h);
    if (d) {
        c->hits++;
        d->refs++;
        lru_unlink(c, d);
        lru_push_front(c, d);
    } else {
        c->misses++;
    }
    pthread_mutex_unlock(&c->mu);
    return d;
}

gql_cached_doc *gql_doc_cache_put(gql_doc_cache *c, const char *text, size_t len, arena_t *arena,
                                  const gql_document *doc) {
    uint64_t h = strmap_hash(text, len);
    gql_cached_doc *nd = calloc(1, sizeof *nd);
    if (!nd) return NULL;
    nd->text = arena_strndup(arena, text, len);
    nd->len = len;
    nd->bytes = arena_used(arena);
    nd->hash = h;
    nd->arena = arena;
    nd->doc = doc;
    nd->refs = 1;
    nd->in_cache = true;

    gql_cached_doc *evicted = NULL; /* freed after unlocking */
    pthread_mutex_lock(&c->mu);
    gql_cached_doc *d = lookup(c, text, len, h);
    if (d) {
        d->refs++;
        lru_unlink(c, d);
        lru_push_front(c, d);
        pthread_mutex_unlock(&c->mu);
        entry_free(nd);
        return d;
    }
    if (c->max_bytes && nd->bytes > c->max_bytes) {
        /* too large to keep: the caller uses it once and the release frees it */
        nd->in_cache = false;
        pthread_mutex_unlock(&c->mu);
        return nd;
    }
    gql_cached_doc **b = &c->buckets[h & (c->nbuckets - 1)];
    nd->chain = *b;
    *b = nd;
    lru_push_front(c, nd);
    c->count++;
    c->bytes += nd->bytes;
    while ((c->count > c->capacity || (c->max_bytes && c->bytes > c->max_bytes)) && c->tail && c->tail != nd) {
        gql_cached_doc *old = c->tail;
        lru_unlink(c, old);
        table_remove(c, old);
        old->in_cache = false;
        c->count--;
        c->bytes -= old->bytes;
        c->evictions++;
        if (old->refs == 0) {
            old->next = evicted;
            evicted = old;
        }
    }
    pthread_mutex_unlock(&c->mu);
    while (evicted) {
        gql_cached_doc *next = evicted->next;
        entry_free(evicted);
        evicted = next;
    }
    return nd;
}

const gql_document *gql_cached_doc_document(const gql_cached_doc *d) {
    return d->doc;
}

void gql_doc_cache_release(gql_doc_cache *c, gql_cached_doc *d) {
    if (!d) return;
    pthread_mutex_lock(&c->mu);
    bool dead = --d->refs == 0 && !d->in_cache;
    pthread_mutex_unlock(&c->mu);
    if (dead) entry_free(d);
}

void gql_doc_cache_get_stats(gql_doc_cache *c, gql_doc_cache_stats *out) {
    pthread_mutex_lock(&c->mu);
    out->entries = c->count;
    out->bytes = c->bytes;
    out->hits = c->hits;
    out->misses = c->misses;
    out->evictions = c->evictions;
    pthread_mutex_unlock(&c->mu);
}
