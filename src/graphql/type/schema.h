/* schema.h -- the type system at run time (spec §3 Type System, §4 Introspection).
 *
 * A gql_schema is built once from SDL (the schema/ .graphql files) and is then read-only and shared
 * by all request threads; everything in it lives in its own arena. Fields are bound to
 * resolver functions by schema coordinate ("Type.field") after the build. */
#ifndef ENTITYD_GQL_SCHEMA_H
#define ENTITYD_GQL_SCHEMA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "graphql/error.h"
#include "graphql/jsutils/value.h"
#include "graphql/language/ast.h"
#include "util/arena.h"
#include "util/strmap.h"

typedef enum {
    GQL_SCALAR,
    GQL_OBJECT,
    GQL_INTERFACE,
    GQL_UNION,
    GQL_ENUM,
    GQL_INPUT_OBJECT,
    GQL_LIST,
    GQL_NON_NULL
} gql_type_kind;

typedef struct gql_type gql_type;
typedef struct gql_field gql_field;
typedef struct gql_schema gql_schema;
typedef struct gql_resolve_info gql_resolve_info;

/* A resolver (spec §6.4.2 ResolveFieldValue). parent is the parent field's value (for root
 * fields: a GQL_V_NULL root value); args is a GQL_V_MAP of coerced arguments (§6.4.1).
 * Returns 0 and fills *out, or returns -1 after gql_resolver_error() for a field error. */
typedef int (*gql_resolve_fn)(gql_resolve_info *info, const gql_val *parent, const gql_val *args, gql_val *out);

/* Resolves the concrete object type of a value of an abstract type (§6.4.3 ResolveAbstractType).
 * Used when the value is neither a GQL_V_OBJECT with obj.type set nor a map with "__typename". */
typedef const gql_type *(*gql_type_resolve_fn)(const gql_val *value, gql_resolve_info *info);

/* Custom scalar coercion (§3.5 Scalars: result coercion, input coercion). Each returns 0 on
 * success, or -1 with *err set to a message (static or arena-allocated). */
typedef struct {
    /* Result coercion: the resolver's value -> a serializable leaf (STRING, INT, FLOAT, BOOL, RAW_JSON, LIST/MAP of
     * leaves). */
    int (*serialize)(arena_t *a, const gql_val *in, gql_val *out, const char **err);
    /* Input coercion of a variable value (already converted from JSON). */
    int (*parse_value)(arena_t *a, const gql_val *in, gql_val *out, const char **err);
    /* Input coercion of a literal; variables (a GQL_V_MAP, may be NULL) resolve nested $vars. */
    int (*parse_literal)(arena_t *a, const gql_value *lit, const gql_val *variables, gql_val *out, const char **err);
} gql_scalar_funcs;

typedef struct {
    const char *name;
    const char *description;
    bool deprecated;
    const char *deprecation_reason;
    const gql_enum_value_def *ast;
} gql_enum_value;

/* An argument or input field (§3.6.1 Field Arguments, §3.10 Input Objects). */
typedef struct {
    const char *name;
    const char *description;
    gql_type *type;
    const gql_value *default_value; /* AST literal, or NULL when there is no default */
    bool deprecated;
    const char *deprecation_reason;
    const gql_input_value_def *ast;
} gql_input_value;

struct gql_field {
    const char *name;
    const char *description;
    gql_type *type;
    gql_input_value **args;
    size_t nargs;
    bool deprecated;
    const char *deprecation_reason;
    gql_resolve_fn resolve; /* NULL: default resolver (map lookup by field name) */
    void *resolve_data;     /* available to the resolver as info->field->resolve_data */
    bool bound;             /* set by gql_schema_bind: a resolver or an explicit property lookup */
    const gql_type *parent;
    const gql_field_def *ast;
};

struct gql_type {
    gql_type_kind kind;
    const char *name; /* NULL for LIST and NON_NULL */
    const char *description;
    gql_type *of_type; /* LIST, NON_NULL */

    /* OBJECT, INTERFACE */
    gql_field **fields;
    size_t nfields;
    strmap_t field_map; /* name -> gql_field* */
    gql_type **interfaces;
    size_t ninterfaces;

    /* UNION: members. INTERFACE: object types implementing it (§4.2.1 possibleTypes), in definition order. */
    gql_type **possible_types;
    size_t npossible_types;
    /* INTERFACE: interfaces implementing it (for fragment spread rules). */
    gql_type **implementing_interfaces;
    size_t nimplementing_interfaces;
    gql_type_resolve_fn resolve_type;

    /* ENUM */
    gql_enum_value **enum_values;
    size_t nenum_values;

    /* INPUT_OBJECT */
    gql_input_value **input_fields;
    size_t ninput_fields;
    bool one_of; /* @oneOf */

    /* SCALAR */
    const char *specified_by_url;
    const gql_scalar_funcs *scalar;
    bool builtin; /* String, Int, Float, Boolean, ID and the introspection types */

    const gql_definition *ast; /* the defining node (NULL for built-ins) */
};

typedef struct {
    const char *name;
    const char *description;
    gql_input_value **args;
    size_t nargs;
    uint32_t locations; /* GQL_DL_* bits */
    bool repeatable;
    bool builtin;
} gql_directive_def;

struct gql_schema {
    arena_t *arena;
    const char *description;
    strmap_t types;       /* name -> gql_type*, including built-in scalars and introspection types */
    gql_type **type_list; /* every named type, in a stable order (definition order) */
    size_t ntypes;
    gql_type *query;
    gql_type *mutation;             /* NULL when absent */
    gql_type *subscription;         /* NULL when absent */
    gql_directive_def **directives; /* built-ins first (@include @skip @deprecated @specifiedBy @oneOf) */
    size_t ndirectives;
    strmap_t directive_map;
    /* Built-ins, for quick access */
    gql_type *t_string, *t_int, *t_float, *t_boolean, *t_id;
    /* The documents the schema was built from (kept for ast pointers). */
    gql_document **sources;
    size_t nsources;
};

/* Per-field execution state handed to resolvers. */
struct gql_resolve_info {
    const gql_schema *schema;
    const gql_field *field;
    const gql_type *parent_type;
    const gql_type *return_type;
    gql_selection *const *field_nodes; /* all merged field nodes (§6.3.2 CollectFields); [0] is the first */
    size_t nfield_nodes;
    const gql_path *path;
    const gql_val *variables; /* GQL_V_MAP of coerced variables */
    const gql_document *document;
    const gql_definition *operation;
    arena_t *arena; /* the request arena */
    void *context;  /* the caller's per-request context (domain: principal, db connection) */
    /* Set by gql_resolver_error(): */
    const char *error_message;
    const char *error_code;
};

/* Records a field error for the current resolver; always returns -1 so resolvers can
 * `return gql_resolver_error(info, GQL_CODE_FORBIDDEN, "...")`. */
int gql_resolver_error(gql_resolve_info *info, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* ---- building ---- */

/* Builds a schema from one or more SDL sources (§3; all spec validity checks, e.g. §3.6.2
 * IsValidImplementation, §3.10.1 input object cycles, reserved "__" names, unique names).
 * names[i] labels source i in errors. Returns NULL and fills errs (allocated in errs->arena)
 * on any error. The built-in scalars, directives and introspection types are added. */
gql_schema *gql_schema_build(const char *const *sources, const size_t *lens, const char *const *names, size_t n,
                             gql_errors *errs);
void gql_schema_free(gql_schema *s);

/* Binds a resolver to a schema coordinate "Type.field". Returns 0, or -1 when the coordinate
 * does not exist (with a message in err). */
int gql_schema_bind(gql_schema *s, const char *coordinate, gql_resolve_fn fn, void *data, char *err, size_t errlen);

/* One row of a module's binding table: the resolver of "Type.field" and the datum it receives as
 * info->field->resolve_data (so one function can serve several fields without dispatching on the
 * field's name). fn NULL binds the field explicitly to the default property lookup (the parent is
 * a map holding the field's value by name): write it GQL_BIND_PROPERTY("Type.field"). */
typedef struct {
    const char *coordinate;
    gql_resolve_fn fn;
    const void *data;
} gql_binding;

#define GQL_BIND_PROPERTY(coordinate) {(coordinate), NULL, NULL}

/* Binds a table; stops at the first unknown coordinate. */
int gql_schema_bind_all(gql_schema *s, const gql_binding *table, size_t n, char *err, size_t errlen);

/* The start-up check: every field of every object type the schema defines (introspection types
 * aside) has been bound, to a resolver or explicitly to the property lookup. Returns 0, or -1 with
 * the first unbound coordinate named in err ("Type.field has no resolver"); *nunbound counts them. */
int gql_schema_check_bound(const gql_schema *s, size_t *nunbound, char *err, size_t errlen);
int gql_schema_set_type_resolver(gql_schema *s, const char *type_name, gql_type_resolve_fn fn);
/* Sets coercion for a custom scalar (JSON, DateTime, Duration are pre-set by the engine). */
int gql_schema_set_scalar(gql_schema *s, const char *name, const gql_scalar_funcs *funcs);

/* ---- lookups and type predicates (§3 and graphql-js type/definition) ---- */
gql_type *gql_schema_type(const gql_schema *s, const char *name);
const gql_directive_def *gql_schema_directive(const gql_schema *s, const char *name);
const gql_field *gql_type_field(const gql_type *t, const char *name); /* OBJECT/INTERFACE; NULL if absent */
gql_type *gql_named_type(gql_type *t);                                /* strips LIST/NON_NULL */
bool gql_is_input_type(const gql_type *t);
bool gql_is_output_type(const gql_type *t);
bool gql_is_leaf_type(const gql_type *t);
bool gql_is_composite_type(const gql_type *t);
bool gql_is_abstract_type(const gql_type *t);
bool gql_type_equal(const gql_type *a, const gql_type *b);
/* §3.6.2 IsSubType / graphql-js isTypeSubTypeOf */
bool gql_is_subtype(const gql_schema *s, const gql_type *maybe_sub, const gql_type *super);
/* graphql-js isPossibleType: object type `obj` is a possible type of abstract type `abs`. */
bool gql_is_possible_type(const gql_type *abs, const gql_type *obj);
/* graphql-js doTypesOverlap */
bool gql_types_overlap(const gql_schema *s, const gql_type *a, const gql_type *b);
/* Builds a wrapped type from an AST type reference, in arena a; NULL when a named type is unknown. */
gql_type *gql_type_from_ast(const gql_schema *s, arena_t *a, const gql_typeref *ref);
/* Prints a type reference as GraphQL ("[String!]!") into the arena. */
const char *gql_type_str(arena_t *a, const gql_type *t);

/* Prints the schema as SDL (graphql-js printSchema: no built-ins, no introspection types). */
void gql_schema_print(const gql_schema *s, buf_t *out);

#endif
