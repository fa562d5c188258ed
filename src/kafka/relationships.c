/* relationships.c -- the Relationship Manager of seed 004: infers relationships from an
 * ingested entity and stores them idempotently. The seed's inferRelationships covers brokers and
 * topics; consumer groups (CONSUMES) and MSK clusters (MANAGED_BY) follow its RelationshipType
 * comments. Relationships are deleted with either end by a trigger (migrations/0002_kafka.sql). */
#include "kafka/relationships.h"

#include <ctype.h>
#include <string.h>

/* Kafka entities share the cluster's tenant and provider: the other end's identity differs only
 * in type and member. */
static const char *kafka_sibling_guid(arena_t *a, const kafka_rel_entity *e, kafka_kind kind, const char *member,
                                      const char **type_out) {
    kafka_identity other = e->id;
    other.type = kafka_type_for_provider(e->id.provider, kind);
    other.member = member;
    *type_out = other.type;
    return kafka_guid(a, &other);
}

const char *kafka_arn_account(arena_t *a, const char *arn) {
    /* arn:partition:service:region:account-id:resource */
    if (!arn || strncmp(arn, "arn:", 4) != 0) return NULL;
    const char *p = arn;
    for (int field = 0; field < 4; field++) {
        p = strchr(p, ':');
        if (!p) return NULL;
        p++;
    }
    const char *end = strchr(p, ':');
    if (!end || end - p != 12) return NULL;
    for (const char *q = p; q < end; q++)
        if (!isdigit((unsigned char)*q)) return NULL;
    return arena_strndup(a, p, 12);
}

static void kafka_rel_add(kafka_relationship *out, size_t max, size_t *n, kafka_relationship r) {
    if (*n < max && r.source_guid && r.target_guid) out[(*n)++] = r;
}

size_t kafka_relationships_infer(arena_t *a, const kafka_rel_entity *e, kafka_relationship *out, size_t max) {
    size_t n = 0;
    const char *ctype = NULL;
    const char *cguid = NULL;
    switch (kafka_type_kind(e->id.type)) {
    case KAFKA_KIND_BROKER:
        cguid = kafka_sibling_guid(a, e, KAFKA_KIND_CLUSTER, NULL, &ctype);
        kafka_rel_add(out, max, &n,
                      (kafka_relationship){cguid, e->id.cluster_name, ctype, e->guid, e->name, e->id.type, "CONTAINS"});
        if (e->hostname && *e->hostname && strcmp(e->id.provider, "ohi") == 0)
            kafka_rel_add(out, max, &n,
                          (kafka_relationship){e->guid, e->name, e->id.type,
                                               kafka_host_guid(a, e->id.account_id, e->hostname), e->hostname, "HOST",
                                               "RUNS_ON"});
        break;
    case KAFKA_KIND_TOPIC:
        cguid = kafka_sibling_guid(a, e, KAFKA_KIND_CLUSTER, NULL, &ctype);
        kafka_rel_add(out, max, &n,
                      (kafka_relationship){cguid, e->id.cluster_name, ctype, e->guid, e->name, e->id.type, "HOSTS"});
        break;
    case KAFKA_KIND_CONSUMER_GROUP:
        for (size_t i = 0; i < e->ntopics; i++) {
            const char *ttype = NULL;
            const char *tguid = kafka_sibling_guid(a, e, KAFKA_KIND_TOPIC, e->topics[i], &ttype);
            kafka_rel_add(out, max, &n,
                          (kafka_relationship){e->guid, e->name, e->id.type, tguid, e->topics[i], ttype, "CONSUMES"});
        }
        break;
    case KAFKA_KIND_CLUSTER:
        if (strcmp(e->id.provider, "aws-msk") == 0) {
            const char *aws = kafka_arn_account(a, e->external_id);
            if (aws)
                kafka_rel_add(out, max, &n,
                              (kafka_relationship){e->guid, e->name, e->id.type,
                                                   kafka_aws_account_guid(a, e->id.account_id, aws), aws, "AWS_ACCOUNT",
                                                   "MANAGED_BY"});
        }
        break;
    default:
        break;
    }
    return n;
}

static const char kafka_rel_insert_sql[] =
    "INSERT INTO relationships(account_id, source_guid, target_guid, type, source_name, source_type, target_name,"
    " target_type, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"
    " ON CONFLICT(source_guid, target_guid, type) DO NOTHING";

int kafka_relationships_store(store_t *s, arena_t *a, int64_t account_id, const kafka_rel_entity *e, int64_t now) {
    size_t max = 2 + e->ntopics;
    kafka_relationship *rels = arena_alloc(a, max * sizeof *rels);
    size_t n = kafka_relationships_infer(a, e, rels, max);
    for (size_t i = 0; i < n; i++) {
        sqlite3_stmt *st = store_stmt(s, kafka_rel_insert_sql);
        if (!st) return -1;
        sqlite3_bind_int64(st, 1, account_id);
        sqlite3_bind_text(st, 2, rels[i].source_guid, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, rels[i].target_guid, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 4, rels[i].type, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 5, rels[i].source_name, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 6, rels[i].source_type, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 7, rels[i].target_name, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 8, rels[i].target_type, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 9, now);
        int rc = sqlite3_step(st);
        sqlite3_reset(st);
        if (rc != SQLITE_DONE) return -1;
    }
    return (int)n;
}
