/* app.c -- module state lookup (see app.h). */
#include "app.h"

void *app_state(const app_t *app, const app_module *m) {
    for (size_t i = 0; i < app->nmodules; i++)
        if (app->modules[i] == m) return app->state[i];
    return NULL;
}
