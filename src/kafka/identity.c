/* identity.c -- Kafka entity GUIDs and type/provider names (seed 004, Entity Identity Service and
 * Migration Strategy phase 1). See identity.h for the identifier format. */
#include "kafka/identity.h"

#include <inttypes.h>
#include <string.h>

#include "util/base64.h"
#include "util/buf.h"

/* Appends one identifier component; '\' and '|' are escaped so that the join is reversible. */
static void kafka_put_component(buf_t *b, const char *s) {
    if (!s) return;
    for (; *s; s++) {
        if (*s == '\\' || *s == '|') buf_putc(b, '\\');
        buf_putc(b, *s);
    }
}

const char *kafka_identifier(arena_t *a, const kafka_identity *id) {
    if (!id || !id->provider || !id->type || !id->cluster_name) return NULL;
    buf_t b = BUF_INIT;
    kafka_put_component(&b, id->tenant);
    buf_putc(&b, '|');
    kafka_put_component(&b, id->provider);
    buf_putc(&b, '|');
    kafka_put_component(&b, id->cluster_name);
    if (id->member) {
        buf_putc(&b, '|');
        kafka_put_component(&b, id->member);
    }
    char *out = arena_strndup(a, b.data ? b.data : "", b.len);
    buf_free(&b);
    return out;
}

static const char *kafka_guid_of(arena_t *a, int64_t account_id, const char *type, const char *identifier) {
    char *enc = b64_encode_arena(a, identifier, strlen(identifier), B64_STD);
    return arena_printf(a, "%" PRId64 "|INFRA|%s|%s", account_id, type, enc);
}

const char *kafka_guid(arena_t *a, const kafka_identity *id) {
    const char *ident = kafka_identifier(a, id);
    if (!ident) return NULL;
    return kafka_guid_of(a, id->account_id, id->type, ident);
}

const char *kafka_host_guid(arena_t *a, int64_t account_id, const char *hostname) {
    return hostname ? kafka_guid_of(a, account_id, "HOST", hostname) : NULL;
}

const char *kafka_aws_account_guid(arena_t *a, int64_t account_id, const char *aws_account_id) {
    return aws_account_id ? kafka_guid_of(a, account_id, "AWS_ACCOUNT", aws_account_id) : NULL;
}

/* ---- entity types ---- */

static const struct {
    const char *generic;
    const char *legacy; /* NULL: no AWSMSK* twin */
    kafka_kind kind;
} kafka_types[] = {
    {"KAFKA_CLUSTER", "AWSMSKCLUSTER", KAFKA_KIND_CLUSTER},
    {"KAFKA_BROKER", "AWSMSKBROKER", KAFKA_KIND_BROKER},
    {"KAFKA_TOPIC", "AWSMSKTOPIC", KAFKA_KIND_TOPIC},
    {"KAFKA_CONSUMER_GROUP", NULL, KAFKA_KIND_CONSUMER_GROUP},
};
#define KAFKA_NTYPES (sizeof kafka_types / sizeof kafka_types[0])

kafka_kind kafka_type_kind(const char *type) {
    if (!type) return KAFKA_KIND_UNKNOWN;
    for (size_t i = 0; i < KAFKA_NTYPES; i++)
        if (strcmp(type, kafka_types[i].generic) == 0 ||
            (kafka_types[i].legacy && strcmp(type, kafka_types[i].legacy) == 0))
            return kafka_types[i].kind;
    return KAFKA_KIND_UNKNOWN;
}

bool kafka_type_is_legacy(const char *type) {
    if (!type) return false;
    for (size_t i = 0; i < KAFKA_NTYPES; i++)
        if (kafka_types[i].legacy && strcmp(type, kafka_types[i].legacy) == 0) return true;
    return false;
}

const char *kafka_type_generic(const char *type) {
    kafka_kind k = kafka_type_kind(type);
    return k == KAFKA_KIND_UNKNOWN ? NULL : kafka_types[k - 1].generic;
}

const char *kafka_type_legacy(const char *type) {
    kafka_kind k = kafka_type_kind(type);
    return k == KAFKA_KIND_UNKNOWN ? NULL : kafka_types[k - 1].legacy;
}

const char *kafka_type_for_provider(const char *provider, kafka_kind kind) {
    if (kind == KAFKA_KIND_UNKNOWN) return NULL;
    if (provider && strcmp(provider, "aws-msk") == 0 && kafka_types[kind - 1].legacy)
        return kafka_types[kind - 1].legacy;
    return kafka_types[kind - 1].generic;
}

const char *kafka_type_resolve(const char *provider, const char *type) {
    kafka_kind k = kafka_type_kind(type);
    if (k == KAFKA_KIND_UNKNOWN || !kafka_provider_enum(provider)) return NULL;
    if (strcmp(provider, "aws-msk") == 0) return kafka_type_for_provider(provider, k);
    if (kafka_type_is_legacy(type)) return strcmp(provider, "api") == 0 ? kafka_type_legacy(type) : NULL;
    return kafka_types[k - 1].generic;
}

/* ---- providers ---- */

static const struct {
    const char *name;
    const char *enum_name;
    bool cloud;
} kafka_providers[] = {
    {"ohi", "OHI", false},
    {"aws-msk", "AWS_MSK", true},
    {"azure-eventhubs", "AZURE_EVENTHUBS", true},
    {"confluent-cloud", "CONFLUENT_CLOUD", true},
    {"api", "API", false},
};
#define KAFKA_NPROVIDERS (sizeof kafka_providers / sizeof kafka_providers[0])

const char *kafka_provider_enum(const char *provider) {
    if (!provider) return NULL;
    for (size_t i = 0; i < KAFKA_NPROVIDERS; i++)
        if (strcmp(provider, kafka_providers[i].name) == 0) return kafka_providers[i].enum_name;
    return NULL;
}

const char *kafka_provider_from_enum(const char *enum_name) {
    if (!enum_name) return NULL;
    for (size_t i = 0; i < KAFKA_NPROVIDERS; i++)
        if (strcmp(enum_name, kafka_providers[i].enum_name) == 0) return kafka_providers[i].name;
    return NULL;
}

bool kafka_provider_is_cloud(const char *provider) {
    if (!provider) return false;
    for (size_t i = 0; i < KAFKA_NPROVIDERS; i++)
        if (strcmp(provider, kafka_providers[i].name) == 0) return kafka_providers[i].cloud;
    return false;
}
