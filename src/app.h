/* app.h -- the application: what main.c builds once and every part of the server reaches through
 * it (DESIGN "One picture"): the config, the store pool, the GraphQL engine, the services the app
 * owns (the Kusto client) and each module's state. A module is described by one app_module: its
 * schema files, its resolver bindings and optional init/start/stop hooks; main.c walks the table
 * in src/modules.c. A request's context (context.h) points here, so a resolver finds its module's
 * state (a worker to kick, a client to call) without globals. */
#ifndef ENTITYD_APP_H
#define ENTITYD_APP_H

#include <stddef.h>

#include "config.h"
#include "graphql/type/schema.h"
#include "store/store.h"

typedef struct app app_t;
typedef struct kusto_client kusto_client;
typedef struct gql_engine gql_engine;

typedef struct app_module {
    const char *name;
    /* The schema/ files this module defines (NULL-terminated); each file belongs to one module. */
    const char *const *schema_files;
    const gql_binding *bindings;
    size_t nbindings;
    /* After the store is migrated, before the schema is built: create the module's state.
     * Returns 0, or -1 with a message in err (the server refuses to start). */
    int (*init)(app_t *app, void **state, char *err, size_t errlen);
    /* After the engine exists, before HTTP listens: start the module's workers. */
    int (*start)(app_t *app, void *state, char *err, size_t errlen);
    /* After HTTP has stopped: stop the workers and free the state (called even if start failed). */
    void (*stop)(app_t *app, void *state);
} app_module;

#define APP_MAX_MODULES 16

struct app {
    const config_t *cfg;
    store_pool_t *pool;
    gql_engine *engine;
    kusto_client *kusto; /* the one Kusto REST client, shared by the ADX modules' workers */
    const app_module *const *modules;
    size_t nmodules;
    void *state[APP_MAX_MODULES];
};

/* The state a module's init created (NULL when it has none or is not in the table). */
void *app_state(const app_t *app, const app_module *m);

/* The table of modules, in start order (src/modules.c). */
extern const app_module *const app_modules[];
extern const size_t app_nmodules;

#endif
