/* embedded.h -- text files compiled into the binary (the schema/ .graphql files, the migrations/ .sql files),
 * generated at build time by src/util/embed.sh, so the server needs no data files to start. */
#ifndef ENTITYD_EMBEDDED_H
#define ENTITYD_EMBEDDED_H

#include <stddef.h>

typedef struct {
    const char *name; /* file name without directory, e.g. "kafka.graphql" */
    const char *data; /* NUL-terminated */
    size_t len;
} embedded_file;

/* Sorted by name. */
extern const embedded_file entityd_schema_files[];
extern const size_t entityd_schema_nfiles;
extern const embedded_file entityd_migration_files[];
extern const size_t entityd_migration_nfiles;

#endif
