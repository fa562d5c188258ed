/* ast.h -- the GraphQL document AST (spec §2 Language, §3 Type System).
 *
 * One struct per node family, allocated in the arena of the document that owns them.
 * Lists are (pointer array, count). Strings are NUL-terminated arena copies; string
 * values are already unescaped (block strings dedented per §2.9.4 BlockStringValue()).
 * Every node has a location: 1-based line and column of its first token, and the byte
 * offsets [start, end) of the node in the source, for error messages (§7.1.2). */
#ifndef ENTITYD_GQL_AST_H
#define ENTITYD_GQL_AST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct {
    uint32_t line;   /* 1-based */
    uint32_t column; /* 1-based, counted in Unicode code points per §2.1 SourceCharacter */
    uint32_t start;  /* byte offset of first char */
    uint32_t end;    /* byte offset after last char */
} gql_loc;

/* A name with its own location (used for references: type names, interface lists, etc.) */
typedef struct {
    const char *value;
    gql_loc loc;
} gql_name;

/* ---- values (§2.9) ---- */
typedef enum {
    GQL_VALUE_VARIABLE, /* str = variable name without '$' */
    GQL_VALUE_INT,      /* str = the literal text, e.g. "-12" */
    GQL_VALUE_FLOAT,    /* str = the literal text, e.g. "1.5e3" */
    GQL_VALUE_STRING,   /* str = unescaped value; block = true for """ """ */
    GQL_VALUE_BOOLEAN,  /* boolean */
    GQL_VALUE_NULL,
    GQL_VALUE_ENUM,  /* str = enum value name */
    GQL_VALUE_LIST,  /* list.items/list.count */
    GQL_VALUE_OBJECT /* object.fields/object.count */
} gql_value_kind;

typedef struct gql_value gql_value;

typedef struct {
    gql_name name;
    gql_value *value;
    gql_loc loc;
} gql_object_field;

struct gql_value {
    gql_value_kind kind;
    gql_loc loc;
    const char *str;
    size_t str_len; /* length of str (strings may contain NUL via \u0000) */
    bool boolean;
    bool block;
    struct {
        gql_value **items;
        size_t count;
    } list;
    struct {
        gql_object_field **fields;
        size_t count;
    } object;
};

/* ---- types references (§2.11) ---- */
typedef enum { GQL_TYPEREF_NAMED, GQL_TYPEREF_LIST, GQL_TYPEREF_NON_NULL } gql_typeref_kind;

typedef struct gql_typeref {
    gql_typeref_kind kind;
    gql_loc loc;
    gql_name name;          /* NAMED */
    struct gql_typeref *of; /* LIST, NON_NULL */
} gql_typeref;

/* ---- arguments and directives (§2.6, §2.12) ---- */
typedef struct {
    gql_name name;
    gql_value *value;
    gql_loc loc;
} gql_argument;

typedef struct {
    gql_name name;
    gql_argument **args;
    size_t nargs;
    gql_loc loc;
} gql_directive;

/* ---- selections (§2.4, §2.5, §2.8) ---- */
typedef enum { GQL_SEL_FIELD, GQL_SEL_FRAGMENT_SPREAD, GQL_SEL_INLINE_FRAGMENT } gql_selection_kind;

typedef struct gql_selection gql_selection;

typedef struct {
    gql_selection **items;
    size_t count;
    gql_loc loc;
} gql_selection_set;

struct gql_selection {
    gql_selection_kind kind;
    gql_loc loc;
    /* FIELD: alias (value NULL when none) and name. FRAGMENT_SPREAD: name = fragment name. */
    gql_name alias;
    gql_name name;
    gql_argument **args;
    size_t nargs;
    gql_directive **directives;
    size_t ndirectives;
    /* FIELD: NULL for a leaf selection. INLINE_FRAGMENT: always set. */
    gql_selection_set *selection_set;
    /* INLINE_FRAGMENT: type condition (value NULL when absent). */
    gql_name type_condition;
};

/* ---- definitions (§2.2, §2.3, §2.8, §3) ---- */
typedef enum {
    GQL_DEF_OPERATION,
    GQL_DEF_FRAGMENT,
    GQL_DEF_SCHEMA,
    GQL_DEF_SCALAR,
    GQL_DEF_OBJECT,
    GQL_DEF_INTERFACE,
    GQL_DEF_UNION,
    GQL_DEF_ENUM,
    GQL_DEF_INPUT_OBJECT,
    GQL_DEF_DIRECTIVE
} gql_def_kind;

typedef enum { GQL_OP_QUERY, GQL_OP_MUTATION, GQL_OP_SUBSCRIPTION } gql_op_type;

typedef struct {
    gql_name variable; /* name without '$' */
    gql_typeref *type;
    gql_value *default_value; /* NULL when none */
    gql_directive **directives;
    size_t ndirectives;
    gql_loc loc;
} gql_variable_def;

/* An argument definition or input field definition (§3.6.1, §3.10). */
typedef struct {
    const char *description; /* NULL when none */
    gql_name name;
    gql_typeref *type;
    gql_value *default_value; /* NULL when none */
    gql_directive **directives;
    size_t ndirectives;
    gql_loc loc;
} gql_input_value_def;

typedef struct {
    const char *description;
    gql_name name;
    gql_input_value_def **args;
    size_t nargs;
    gql_typeref *type;
    gql_directive **directives;
    size_t ndirectives;
    gql_loc loc;
} gql_field_def;

typedef struct {
    const char *description;
    gql_name name;
    gql_directive **directives;
    size_t ndirectives;
    gql_loc loc;
} gql_enum_value_def;

typedef struct {
    gql_op_type operation;
    gql_name type;
    gql_loc loc;
} gql_root_operation_def;

/* Directive locations (§3.13 DirectiveLocation), as bits. */
enum {
    GQL_DL_QUERY = 1u << 0,
    GQL_DL_MUTATION = 1u << 1,
    GQL_DL_SUBSCRIPTION = 1u << 2,
    GQL_DL_FIELD = 1u << 3,
    GQL_DL_FRAGMENT_DEFINITION = 1u << 4,
    GQL_DL_FRAGMENT_SPREAD = 1u << 5,
    GQL_DL_INLINE_FRAGMENT = 1u << 6,
    GQL_DL_VARIABLE_DEFINITION = 1u << 7,
    GQL_DL_SCHEMA = 1u << 8,
    GQL_DL_SCALAR = 1u << 9,
    GQL_DL_OBJECT = 1u << 10,
    GQL_DL_FIELD_DEFINITION = 1u << 11,
    GQL_DL_ARGUMENT_DEFINITION = 1u << 12,
    GQL_DL_INTERFACE = 1u << 13,
    GQL_DL_UNION = 1u << 14,
    GQL_DL_ENUM = 1u << 15,
    GQL_DL_ENUM_VALUE = 1u << 16,
    GQL_DL_INPUT_OBJECT = 1u << 17,
    GQL_DL_INPUT_FIELD_DEFINITION = 1u << 18
};
#define GQL_DL_COUNT 19
/* Name of a location bit ("FIELD_DEFINITION"), or NULL; and the reverse (0 when unknown). */
const char *gql_directive_location_name(uint32_t bit);
uint32_t gql_directive_location_from_name(const char *name);

typedef struct {
    gql_def_kind kind;
    bool extension; /* `extend schema|scalar|type|...` */
    gql_loc loc;
    const char *description; /* type system definitions only; NULL when none */
    gql_name name;           /* value NULL for anonymous operations and schema definitions */
    gql_directive **directives;
    size_t ndirectives;

    /* OPERATION */
    gql_op_type operation;
    gql_variable_def **vars;
    size_t nvars;
    /* OPERATION, FRAGMENT */
    gql_selection_set *selection_set;
    /* FRAGMENT */
    gql_name type_condition;

    /* SCHEMA */
    gql_root_operation_def **root_ops;
    size_t nroot_ops;

    /* OBJECT, INTERFACE: implemented interfaces */
    gql_name *interfaces;
    size_t ninterfaces;
    /* OBJECT, INTERFACE */
    gql_field_def **fields;
    size_t nfields;
    /* INPUT_OBJECT: input fields; DIRECTIVE: arguments */
    gql_input_value_def **input_fields;
    size_t ninput_fields;
    /* UNION */
    gql_name *members;
    size_t nmembers;
    /* ENUM */
    gql_enum_value_def **values;
    size_t nvalues;
    /* DIRECTIVE */
    bool repeatable;
    uint32_t locations;       /* GQL_DL_* bits */
    gql_name *location_names; /* as written, for error locations */
    size_t nlocations;
} gql_definition;

typedef struct {
    gql_definition **defs;
    size_t ndefs;
    const char *source; /* the source text (arena copy), NUL-terminated */
    size_t source_len;
    uint32_t token_count; /* lexical tokens read (for limits) */
} gql_document;

#endif
