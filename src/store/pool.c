/* pool.c -- one SQLite connection per thread (DESIGN "Threads"), opened on first use through a
 * pthread key. The key's destructor closes a thread's connection when the thread exits; the
 * pool also remembers every open connection so that store_pool_free() can close those of
 * threads that are still alive (after the key is deleted, POSIX runs no destructors). */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "store/store.h"
#include "util/log.h"

typedef struct pool_conn {
    struct store_pool *pool;
    store_t *store;
    struct pool_conn *prev, *next;
} pool_conn;

struct store_pool {
    char *path;
    pthread_key_t key;
    pthread_mutex_t mu; /* guards conns */
    pool_conn *conns;
};

static void pool_unlink(store_pool_t *p, pool_conn *c) {
    if (c->prev)
        c->prev->next = c->next;
    else
        p->conns = c->next;
    if (c->next) c->next->prev = c->prev;
}

/* Thread-exit destructor of the key. */
static void pool_conn_destroy(void *arg) {
    pool_conn *c = arg;
    store_pool_t *p = c->pool;
    pthread_mutex_lock(&p->mu);
    pool_unlink(p, c);
    pthread_mutex_unlock(&p->mu);
    store_close(c->store);
    free(c);
}

store_pool_t *store_pool_new(const char *path) {
    store_pool_t *p = calloc(1, sizeof *p);
    if (!p) return NULL;
    p->path = strdup(path ? path : "");
    if (!p->path || pthread_key_create(&p->key, pool_conn_destroy) != 0) {
        free(p->path);
        free(p);
        return NULL;
    }
    pthread_mutex_init(&p->mu, NULL);
    return p;
}

void store_pool_release(store_pool_t *p) {
    pool_conn *c = pthread_getspecific(p->key);
    if (c) store_release(c->store);
}

store_t *store_pool_get(store_pool_t *p) {
    pool_conn *c = pthread_getspecific(p->key);
    if (c) return c->store;
    char err[512];
    store_t *s = store_open(p->path, err, sizeof err);
    if (!s) {
        log_error("store connection failed", "path=\"%s\" error=\"%s\"", p->path, err);
        return NULL;
    }
    c = calloc(1, sizeof *c);
    if (!c) {
        store_close(s);
        return NULL;
    }
    c->pool = p;
    c->store = s;
    pthread_mutex_lock(&p->mu);
    c->next = p->conns;
    if (p->conns) p->conns->prev = c;
    p->conns = c;
    pthread_mutex_unlock(&p->mu);
    if (pthread_setspecific(p->key, c) != 0) {
        pool_conn_destroy(c);
        return NULL;
    }
    return s;
}

/* Call after the threads that used the pool have stopped using it (their connections are
 * closed here if they have not exited yet). */
void store_pool_free(store_pool_t *p) {
    if (!p) return;
    pthread_setspecific(p->key, NULL);
    pthread_key_delete(p->key);
    pthread_mutex_lock(&p->mu);
    pool_conn *c = p->conns;
    p->conns = NULL;
    pthread_mutex_unlock(&p->mu);
    while (c) {
        pool_conn *next = c->next;
        store_close(c->store);
        free(c);
        c = next;
    }
    pthread_mutex_destroy(&p->mu);
    free(p->path);
    free(p);
}
