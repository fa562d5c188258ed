/* store_internal.h -- store functions for the store's own files and its unit tests only
 * (not part of the store contract in store.h). */
#ifndef ENTITYD_STORE_INTERNAL_H
#define ENTITYD_STORE_INTERNAL_H

#include <stddef.h>

#include "store/store.h"
#include "util/embedded.h"

/* store_migrate() with an explicit list of migration files (store_migrate passes the embedded
 * ones). Files must be sorted by name, named NNNN_name.sql with strictly increasing versions. */
int store_migrate_files(store_t *s, const embedded_file *files, size_t n, char *err, size_t errlen);

/* Parses a migration file name "NNNN_name.sql" (digits, '_', [a-z0-9_]+, ".sql"); returns the
 * version (> 0), or -1 when the name is not valid. */
long long store_migration_version(const char *name);

#endif
