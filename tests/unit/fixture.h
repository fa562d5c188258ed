/* fixture.h -- what unit tests share: a temporary, migrated SQLite store in its own directory
 * (removed with everything in it afterwards), and a SQL helper that fails the test on error. */
#ifndef ENTITYD_TEST_FIXTURE_H
#define ENTITYD_TEST_FIXTURE_H

#include "store/store.h"

typedef struct {
    char dir[64];   /* /tmp/entityd-test-<tag>-XXXXXX */
    char path[128]; /* <dir>/entityd.db */
    store_t *s;     /* migrated */
} test_store;

/* Creates the directory, opens and migrates the store. 0, or -1 with a '#' line on stderr. */
int test_store_open(test_store *t, const char *tag);
/* Closes the store and removes the directory with every file in it. */
void test_store_close(test_store *t);
/* Runs SQL; a failure fails the current test with SQLite's message. */
void test_exec(store_t *s, const char *sql);

#endif
