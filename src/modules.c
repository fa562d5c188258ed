/* modules.c -- the modules of entityd, in start order. A new domain module adds its descriptor here
 * and nowhere else in main.c. */
#include "app.h"
#include "auth/auth.h"
#include "federation/fed.h"
#include "kafka/kafka.h"
#include "summaryrules/summaryrules.h"

const app_module *const app_modules[] = {
    &auth_module,
    &kafka_module,
    &federation_module,
    &summaryrules_module,
};
const size_t app_nmodules = sizeof app_modules / sizeof app_modules[0];
