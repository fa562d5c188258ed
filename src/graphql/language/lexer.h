/* lexer.h -- GraphQL lexical analysis (spec §2.1 Source Text, graphql-js language/lexer).
 *
 * The lexer walks a UTF-8 source one token at a time. It never mallocs: string values are
 * unescaped into the arena, names and numbers point into the source. On a lexical error
 * gql_lexer_next() returns false and leaves a graphql-js style message in err_msg
 * ("Syntax Error: Unterminated string.") with the error position in err_loc. */
#ifndef ENTITYD_GQL_LEXER_H
#define ENTITYD_GQL_LEXER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "graphql/language/ast.h"
#include "util/arena.h"

typedef enum {
    GQL_TOK_SOF,
    GQL_TOK_EOF,
    GQL_TOK_BANG,      /* ! */
    GQL_TOK_DOLLAR,    /* $ */
    GQL_TOK_AMP,       /* & */
    GQL_TOK_PAREN_L,   /* ( */
    GQL_TOK_PAREN_R,   /* ) */
    GQL_TOK_SPREAD,    /* ... */
    GQL_TOK_COLON,     /* : */
    GQL_TOK_EQUALS,    /* = */
    GQL_TOK_AT,        /* @ */
    GQL_TOK_BRACKET_L, /* [ */
    GQL_TOK_BRACKET_R, /* ] */
    GQL_TOK_BRACE_L,   /* { */
    GQL_TOK_PIPE,      /* | */
    GQL_TOK_BRACE_R,   /* } */
    GQL_TOK_NAME,
    GQL_TOK_INT,
    GQL_TOK_FLOAT,
    GQL_TOK_STRING,
    GQL_TOK_BLOCK_STRING,
    GQL_TOK_COMMENT
} gql_token_kind;

typedef struct {
    gql_token_kind kind;
    uint32_t start;  /* byte offset of the first character */
    uint32_t end;    /* byte offset after the last character */
    uint32_t line;   /* 1-based */
    uint32_t column; /* 1-based, in code points */
    /* NAME, INT, FLOAT: the text (points into the source, not NUL-terminated).
     * STRING, BLOCK_STRING: the unescaped / dedented value, NUL-terminated arena copy.
     * COMMENT: the text after '#'. Other kinds: NULL. */
    const char *value;
    size_t value_len;
} gql_token;

typedef struct {
    arena_t *arena;
    const char *src;
    size_t len;
    size_t pos;          /* next byte to read */
    uint32_t line;       /* line of pos */
    size_t line_start;   /* byte offset where that line starts */
    size_t col_pos;      /* column cursor: byte offset on the current line ... */
    uint32_t col;        /* ... and its 1-based column, so columns cost O(1) amortized */
    bool keep_comments;  /* return COMMENT tokens instead of skipping them */
    gql_token token;     /* the current token (SOF before the first gql_lexer_next) */
    const char *err_msg; /* set when gql_lexer_next fails */
    gql_loc err_loc;
} gql_lexer;

/* Prepares lx to read src[0..len), len < 4 GiB (offsets are 32-bit; gql_parse enforces it).
 * The source must stay alive as long as the tokens. */
void gql_lexer_init(gql_lexer *lx, arena_t *a, const char *src, size_t len);
/* Reads the next token into lx->token. Returns false on a lexical error (see err_msg). */
bool gql_lexer_next(gql_lexer *lx);
/* Line and column of byte offset pos (for errors: scans from the start of the source). */
gql_loc gql_lexer_loc_at(const gql_lexer *lx, size_t pos);
/* graphql-js TokenKind spelling: "<EOF>", "!", "...", "Name", "BlockString", ... */
const char *gql_token_kind_str(gql_token_kind kind);
/* True for the punctuator kinds (which graphql-js quotes in messages: Expected "{"). */
bool gql_token_kind_is_punctuator(gql_token_kind kind);

#endif
