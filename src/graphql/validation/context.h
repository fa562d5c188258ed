/* context.h -- the validation context shared by the rules of spec §5 (graphql-js ValidationContext + TypeInfo).
 *
 * One walker visits the definitions of a document in graphql-js order and calls every rule's
 * enter/leave callbacks for each node ("visitInParallel"), after keeping a TypeInfo up to date: the parent
 * type, field definition, output type, input type, argument, directive and default value at the visited
 * node. The context also caches what several rules need: the fragment map, the spreads of a selection set,
 * the fragments an operation references recursively, and the variable usages of a definition (with the
 * expected type at each usage), including those reached through fragments. */
#ifndef ENTITYD_GQL_VALIDATION_CONTEXT_H
#define ENTITYD_GQL_VALIDATION_CONTEXT_H

#include <stdbool.h>
#include <stddef.h>

#include "graphql/error.h"
#include "graphql/jsutils/suggestions.h"
#include "graphql/language/ast.h"
#include "graphql/language/printer.h"
#include "graphql/type/schema.h"
#include "util/arena.h"
#include "util/strmap.h"

/* The node kinds the walker reports. The node pointer's type is given for each. */
typedef enum {
    GQL_VN_DOCUMENT,        /* const gql_document * */
    GQL_VN_OPERATION,       /* const gql_definition * (kind GQL_DEF_OPERATION) */
    GQL_VN_FRAGMENT,        /* const gql_definition * (kind GQL_DEF_FRAGMENT) */
    GQL_VN_TYPE_SYSTEM,     /* const gql_definition * of any type-system kind or extension */
    GQL_VN_FIELD_DEF,       /* const gql_field_def * (in a type-system definition) */
    GQL_VN_INPUT_VALUE_DEF, /* const gql_input_value_def * (argument or input field definition) */
    GQL_VN_ENUM_VALUE_DEF,  /* const gql_enum_value_def * */
    GQL_VN_VARIABLE_DEF,    /* const gql_variable_def * */
    GQL_VN_NAMED_TYPE,      /* const gql_name * (type conditions, variable types, type references in SDL) */
    GQL_VN_SELECTION_SET,   /* const gql_selection_set * */
    GQL_VN_FIELD,           /* const gql_selection * (GQL_SEL_FIELD) */
    GQL_VN_FRAGMENT_SPREAD, /* const gql_selection * (GQL_SEL_FRAGMENT_SPREAD) */
    GQL_VN_INLINE_FRAGMENT, /* const gql_selection * (GQL_SEL_INLINE_FRAGMENT) */
    GQL_VN_DIRECTIVE,       /* const gql_directive * */
    GQL_VN_ARGUMENT,        /* const gql_argument * */
    GQL_VN_VALUE,           /* const gql_value * */
    GQL_VN_OBJECT_FIELD     /* const gql_object_field * */
} gql_vnode_kind;

typedef enum { GQL_VISIT_CONTINUE = 0, GQL_VISIT_SKIP = 1 } gql_visit_action;

typedef struct gql_vctx gql_vctx;

/* An open-addressing hash map from node pointers to pointers, in an arena (the caches below). */
typedef struct {
    const void **keys;
    void **vals;
    size_t cap; /* power of two, 0 when empty */
    size_t count;
    arena_t *arena;
} gql_ptrmap;

void gql_ptrmap_init(gql_ptrmap *m, arena_t *a);
void *gql_ptrmap_get(const gql_ptrmap *m, const void *key);
void gql_ptrmap_put(gql_ptrmap *m, const void *key, void *val);

/* One validation rule: a zeroed state of state_size bytes is allocated per validation. enter may return
 * GQL_VISIT_SKIP to stop this rule (only) from seeing the node's subtree, including its leave. */
typedef struct {
    const char *name;
    size_t state_size;
    gql_visit_action (*enter)(gql_vctx *ctx, void *state, gql_vnode_kind kind, const void *node);
    void (*leave)(gql_vctx *ctx, void *state, gql_vnode_kind kind, const void *node);
} gql_vrule;

/* graphql-js TypeInfo: stacks of what is known at the visited node. */
typedef struct {
    ptrvec_t types;          /* gql_type *: output type of the current field / fragment / operation */
    ptrvec_t parent_types;   /* gql_type *: composite type owning the current selection set */
    ptrvec_t input_types;    /* gql_type *: expected input type of the current value */
    ptrvec_t field_defs;     /* const gql_field * */
    ptrvec_t default_values; /* const gql_value *: default of the current argument / input field */
    const gql_directive_def *directive;
    const gql_input_value *argument;
} gql_typeinfo;

/* A variable used in a value, with the type expected where it is used (graphql-js VariableUsage). */
typedef struct {
    const gql_value *node;          /* GQL_VALUE_VARIABLE */
    const gql_type *type;           /* NULL when the position is unknown */
    const gql_value *default_value; /* default of the argument or input field at that position, or NULL */
    const gql_type *parent_type;    /* input type around the position (input object for a field), or NULL */
} gql_var_usage;

struct gql_vctx {
    const gql_schema *schema;
    const gql_document *doc;
    arena_t *arena;
    gql_errors *errs;
    gql_typeinfo *ti;            /* the main walk's TypeInfo */
    uint32_t directive_location; /* GQL_DL_* bit of the node whose directives are being visited */
    strmap_t fragments;          /* name -> const gql_definition * (the last definition of a name wins) */
    strmap_t doc_directives;     /* name -> const gql_definition * of directives defined in the document */
    gql_ptrmap spreads;          /* selection set -> ptrvec_t * of its spreads */
    gql_ptrmap recursive_frags;  /* operation -> ptrvec_t * of fragments */
    gql_ptrmap usages;           /* definition -> ptrvec_t * of gql_var_usage */
    gql_ptrmap recursive_usages; /* operation -> ptrvec_t * of gql_var_usage */
    gql_field *meta_typename, *meta_schema, *meta_type;
    size_t nreported; /* errors reported by the rules so far */
    bool aborted;     /* GQL_VALIDATION_MAX_ERRORS reached: no rule runs any more */
};

/* graphql-js validate()'s maxErrors: after this many errors one more says "Too many validation errors, error
 * limit reached. Validation aborted." and the rules stop. Some rules report one error per pair of nodes
 * (OverlappingFieldsCanBeMerged), so without it a 36 KB document produced a 290 MB response. */
#define GQL_VALIDATION_MAX_ERRORS 100

void gql_vctx_init(gql_vctx *ctx, const gql_schema *s, const gql_document *doc, gql_errors *errs);

/* Runs the rules over the document in one traversal (graphql-js visitInParallel + visitWithTypeInfo). */
void gql_vctx_run(gql_vctx *ctx, const gql_vrule *const *rules, size_t nrules);

/* Adds a GRAPHQL_VALIDATION_FAILED error with the given locations; past GQL_VALIDATION_MAX_ERRORS, adds the
 * "Too many validation errors" error once, aborts the validation and drops the rest. */
void gql_vctx_report(gql_vctx *ctx, const gql_loc *locs, size_t nlocs, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* How many more errors gql_vctx_report accepts before the validation aborts (counting the one that aborts
 * it); 0 once aborted. A rule that collects errors before reporting them needs no more than this. */
size_t gql_vctx_error_budget(const gql_vctx *ctx);

/* TypeInfo accessors on the main walk (NULL when unknown). */
const gql_type *gql_vctx_type(const gql_vctx *ctx);
const gql_type *gql_vctx_parent_type(const gql_vctx *ctx);
const gql_type *gql_vctx_input_type(const gql_vctx *ctx);
const gql_type *gql_vctx_parent_input_type(const gql_vctx *ctx);
const gql_field *gql_vctx_field_def(const gql_vctx *ctx);
const gql_directive_def *gql_vctx_directive(const gql_vctx *ctx);
const gql_input_value *gql_vctx_argument(const gql_vctx *ctx);

/* graphql-js getFieldDef: includes the meta fields __typename, and __schema/__type on the query type. */
const gql_field *gql_vctx_get_field_def(gql_vctx *ctx, const gql_type *parent, const char *name);

const gql_definition *gql_vctx_fragment(const gql_vctx *ctx, const char *name);
/* A directive defined in the document itself (these take precedence over the schema's, as in graphql-js). */
const gql_definition *gql_vctx_doc_directive(const gql_vctx *ctx, const char *name);
/* Spreads (const gql_selection *) directly or in inline fragments of a selection set; not through fragments. */
const ptrvec_t *gql_vctx_fragment_spreads(gql_vctx *ctx, const gql_selection_set *ss);
/* Fragments (const gql_definition *) an operation reaches through spreads, transitively, each once. */
const ptrvec_t *gql_vctx_recursive_fragments(gql_vctx *ctx, const gql_definition *op);
/* Variable usages (gql_var_usage *) in one definition; and in an operation plus its recursive fragments. */
const ptrvec_t *gql_vctx_variable_usages(gql_vctx *ctx, const gql_definition *def);
const ptrvec_t *gql_vctx_recursive_variable_usages(gql_vctx *ctx, const gql_definition *op);

/* ---- helpers shared by the rules ---- */
/* Also for the rules: suggestions ("Did you mean"), naturalCompare (jsutils/suggestions.h) and the literal
 * and type-reference printer (language/printer.h), included above. */

/* True when the input value is a required argument/field: non-null type and no default (§5.4.2.1). */
bool gql_is_required_input(const gql_input_value *iv);

#endif
