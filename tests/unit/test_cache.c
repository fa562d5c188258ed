/* test_cache.c -- unit tests for the document LRU cache (src/graphql/cache.c): hits, LRU
 * eviction order, the byte bound, entries evicted while in use, duplicate inserts, and two threads
 * at once.
 * Leaks are caught by LSan in CI. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "graphql/cache.h"

/* A stand-in for a parsed document: only its arena and source text matter to the cache. */
static arena_t *make_doc(const char *text, const gql_document **doc) {
    arena_t *a = arena_new();
    gql_document *d = arena_alloc(a, sizeof *d);
    d->source = arena_strdup(a, text);
    d->source_len = strlen(text);
    *doc = d;
    return a;
}

static gql_cached_doc *put_text(gql_doc_cache *c, const char *text) {
    const gql_document *doc;
    arena_t *a = make_doc(text, &doc);
    gql_cached_doc *e = gql_doc_cache_put(c, text, strlen(text), a, doc);
    assert_non_null(e);
    return e;
}

static void test_hit_and_miss(void **state) {
    (void)state;
    gql_doc_cache *c = gql_doc_cache_new(4, 0);
    assert_null(gql_doc_cache_get(c, "{a}", 3));
    gql_cached_doc *e = put_text(c, "{a}");
    const gql_document *doc = gql_cached_doc_document(e);
    gql_doc_cache_release(c, e);
    gql_cached_doc *h = gql_doc_cache_get(c, "{a}", 3);
    assert_ptr_equal(h, e);
    assert_ptr_equal(gql_cached_doc_document(h), doc);
    assert_string_equal(gql_cached_doc_document(h)->source, "{a}");
    gql_doc_cache_release(c, h);
    /* a prefix or a longer text is a different key */
    assert_null(gql_doc_cache_get(c, "{a", 2));
    assert_null(gql_doc_cache_get(c, "{a} ", 4));
    gql_doc_cache_stats st;
    gql_doc_cache_get_stats(c, &st);
    assert_int_equal(st.entries, 1);
    assert_int_equal(st.hits, 1);
    assert_int_equal(st.misses, 3);
    gql_doc_cache_free(c);
}

static void test_lru_eviction(void **state) {
    (void)state;
    gql_doc_cache *c = gql_doc_cache_new(2, 0);
    gql_doc_cache_release(c, put_text(c, "A"));
    gql_doc_cache_release(c, put_text(c, "B"));
    gql_doc_cache_release(c, gql_doc_cache_get(c, "A", 1)); /* A becomes most recently used */
    gql_doc_cache_release(c, put_text(c, "C"));             /* evicts B, the least recently used */
    assert_null(gql_doc_cache_get(c, "B", 1));
    gql_cached_doc *a = gql_doc_cache_get(c, "A", 1);
    gql_cached_doc *cc = gql_doc_cache_get(c, "C", 1);
    assert_non_null(a);
    assert_non_null(cc);
    gql_doc_cache_release(c, a);
    gql_doc_cache_release(c, cc);
    gql_doc_cache_stats st;
    gql_doc_cache_get_stats(c, &st);
    assert_int_equal(st.entries, 2);
    assert_int_equal(st.evictions, 1);
    gql_doc_cache_free(c);
}

static void test_evicted_while_in_use(void **state) {
    (void)state;
    gql_doc_cache *c = gql_doc_cache_new(1, 0);
    gql_cached_doc *a = put_text(c, "query A { x }");
    gql_doc_cache_release(c, put_text(c, "query B { x }")); /* A leaves the cache but we still hold it */
    assert_null(gql_doc_cache_get(c, "query A { x }", 13));
    assert_string_equal(gql_cached_doc_document(a)->source, "query A { x }"); /* still valid (ASan) */
    gql_doc_cache_release(c, a);                                              /* frees it */
    gql_cached_doc *b = gql_doc_cache_get(c, "query B { x }", 13);
    assert_non_null(b);
    gql_doc_cache_release(c, b);
    gql_doc_cache_free(c);
}

static void test_duplicate_put(void **state) {
    (void)state;
    gql_doc_cache *c = gql_doc_cache_new(4, 0);
    gql_cached_doc *first = put_text(c, "{dup}");
    gql_cached_doc *second = put_text(c, "{dup}"); /* a racing thread parsed the same text */
    assert_ptr_equal(first, second);
    gql_doc_cache_release(c, first);
    gql_doc_cache_release(c, second);
    gql_doc_cache_stats st;
    gql_doc_cache_get_stats(c, &st);
    assert_int_equal(st.entries, 1);
    gql_doc_cache_free(c);
}

/* A document's arena of about `bytes` bytes. */
static gql_cached_doc *put_sized(gql_doc_cache *c, const char *text, size_t bytes) {
    const gql_document *doc;
    arena_t *a = make_doc(text, &doc);
    arena_alloc(a, bytes);
    gql_cached_doc *e = gql_doc_cache_put(c, text, strlen(text), a, doc);
    assert_non_null(e);
    return e;
}

static void test_byte_bound(void **state) {
    (void)state;
    gql_doc_cache *c = gql_doc_cache_new(100, 300 * 1024);
    gql_doc_cache_release(c, put_sized(c, "A", 100 * 1024));
    gql_doc_cache_release(c, put_sized(c, "B", 100 * 1024));
    gql_doc_cache_stats st;
    gql_doc_cache_get_stats(c, &st);
    assert_int_equal(st.entries, 2);
    assert_true(st.bytes >= 200 * 1024);
    gql_doc_cache_release(c, put_sized(c, "C", 150 * 1024)); /* over 300 KiB: A goes */
    gql_doc_cache_get_stats(c, &st);
    assert_int_equal(st.entries, 2);
    assert_true(st.bytes <= 300 * 1024);
    assert_null(gql_doc_cache_get(c, "A", 1));
    /* a document larger than the whole budget is handed back but not kept */
    gql_cached_doc *big = put_sized(c, "BIG", 400 * 1024);
    assert_string_equal(gql_cached_doc_document(big)->source, "BIG");
    gql_doc_cache_release(c, big);
    assert_null(gql_doc_cache_get(c, "BIG", 3));
    gql_cached_doc *b = gql_doc_cache_get(c, "B", 1);
    assert_non_null(b);
    gql_doc_cache_release(c, b);
    gql_doc_cache_free(c);
}

typedef struct {
    gql_doc_cache *c;
    unsigned seed;
    int bad;
} worker_arg;

static void *worker(void *p) {
    worker_arg *w = p;
    char key[32];
    for (int i = 0; i < 20000; i++) {
        w->seed = w->seed * 1103515245u + 12345u;
        snprintf(key, sizeof key, "{ field%u }", (w->seed >> 16) % 8);
        size_t len = strlen(key);
        gql_cached_doc *e = gql_doc_cache_get(w->c, key, len);
        if (!e) {
            const gql_document *doc;
            arena_t *a = make_doc(key, &doc);
            e = gql_doc_cache_put(w->c, key, len, a, doc);
        }
        if (!e || strcmp(gql_cached_doc_document(e)->source, key) != 0) w->bad++;
        gql_doc_cache_release(w->c, e);
    }
    return NULL;
}

static void test_two_threads(void **state) {
    (void)state;
    gql_doc_cache *c = gql_doc_cache_new(4, 0); /* 8 keys over 4 slots: constant eviction */
    worker_arg w1 = {c, 1, 0}, w2 = {c, 2, 0};
    pthread_t t1, t2;
    assert_int_equal(pthread_create(&t1, NULL, worker, &w1), 0);
    assert_int_equal(pthread_create(&t2, NULL, worker, &w2), 0);
    pthread_join(t1, NULL);
    pthread_join(t2, NULL);
    assert_int_equal(w1.bad, 0);
    assert_int_equal(w2.bad, 0);
    gql_doc_cache_stats st;
    gql_doc_cache_get_stats(c, &st);
    assert_true(st.entries <= 4);
    assert_true(st.evictions > 0);
    assert_int_equal(st.hits + st.misses, 40000);
    gql_doc_cache_free(c);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hit_and_miss),         cmocka_unit_test(test_lru_eviction),
        cmocka_unit_test(test_evicted_while_in_use), cmocka_unit_test(test_duplicate_put),
        cmocka_unit_test(test_byte_bound),           cmocka_unit_test(test_two_threads),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
