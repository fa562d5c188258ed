/* fixture.c -- shared unit-test fixtures (see fixture.h). */
#include "fixture.h"

#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

int test_store_open(test_store *t, const char *tag) {
    memset(t, 0, sizeof *t);
    snprintf(t->dir, sizeof t->dir, "/tmp/entityd-test-%.20s-XXXXXX", tag);
    if (!mkdtemp(t->dir)) {
        fprintf(stderr, "# mkdtemp %s failed\n", t->dir);
        return -1;
    }
    snprintf(t->path, sizeof t->path, "%s/entityd.db", t->dir);
    char err[512];
    t->s = store_open(t->path, err, sizeof err);
    if (!t->s || store_migrate(t->s, err, sizeof err) != 0) {
        fprintf(stderr, "# store: %s\n", err);
        test_store_close(t);
        return -1;
    }
    return 0;
}

void test_store_close(test_store *t) {
    if (t->s) store_close(t->s);
    t->s = NULL;
    if (!t->dir[0]) return;
    DIR *d = opendir(t->dir);
    if (d) {
        struct dirent *e;
        char p[512];
        while ((e = readdir(d)))
            if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
                snprintf(p, sizeof p, "%s/%s", t->dir, e->d_name);
                unlink(p);
            }
        closedir(d);
    }
    rmdir(t->dir);
    t->dir[0] = '\0';
}

void test_exec(store_t *s, const char *sql) {
    char *msg = NULL;
    if (sqlite3_exec(store_db(s), sql, NULL, NULL, &msg) != SQLITE_OK) {
        fprintf(stderr, "# %s: %s\n", sql, msg ? msg : "?");
        sqlite3_free(msg);
        fail();
    }
}
