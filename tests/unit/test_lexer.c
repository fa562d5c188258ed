/* test_lexer.c -- the GraphQL lexer (spec §2.1): every token kind, ignored tokens, line and column
 * tracking, numbers with their lookahead restrictions, every string escape, block string dedent
 * (§2.9.4 BlockStringValue()), and every lexical error with graphql-js's message and position. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "graphql/language/lexer.h"

static arena_t *arena;

static int setup(void **state) {
    (void)state;
    arena = arena_new();
    return 0;
}

static int teardown(void **state) {
    (void)state;
    arena_free(arena);
    return 0;
}

/* Lexes the first token of src (length n), which must succeed. */
static gql_token lex_n(const char *src, size_t n) {
    gql_lexer lx;
    gql_lexer_init(&lx, arena, src, n);
    bool ok = gql_lexer_next(&lx);
    if (!ok) fail_msg("unexpected lexer error for [%s]: %s", src, lx.err_msg);
    return lx.token;
}

static gql_token lex(const char *src) {
    return lex_n(src, strlen(src));
}

/* Lexes all of src (length n) and expects a lexical error with this message and position. */
static void lex_error_n(const char *src, size_t n, const char *msg, uint32_t line, uint32_t column) {
    gql_lexer lx;
    gql_lexer_init(&lx, arena, src, n);
    while (gql_lexer_next(&lx)) {
        if (lx.token.kind == GQL_TOK_EOF) fail_msg("expected error \"%s\" for [%s], lexed to the end", msg, src);
    }
    assert_non_null(lx.err_msg);
    assert_string_equal(lx.err_msg, msg);
    assert_int_equal(lx.err_loc.line, line);
    assert_int_equal(lx.err_loc.column, column);
}

static void lex_error(const char *src, const char *msg, uint32_t line, uint32_t column) {
    lex_error_n(src, strlen(src), msg, line, column);
}

static void assert_value(const gql_token *t, const char *want, size_t want_len) {
    assert_int_equal(t->value_len, want_len);
    assert_memory_equal(t->value, want, want_len);
}

static void assert_token(const char *src, gql_token_kind kind, const char *value) {
    gql_token t = lex(src);
    assert_int_equal(t.kind, kind);
    if (value) assert_value(&t, value, strlen(value));
}

static void test_punctuators(void **state) {
    (void)state;
    static const struct {
        const char *src;
        gql_token_kind kind;
    } cases[] = {
        {"!", GQL_TOK_BANG},    {"$", GQL_TOK_DOLLAR},    {"&", GQL_TOK_AMP},       {"(", GQL_TOK_PAREN_L},
        {")", GQL_TOK_PAREN_R}, {"...", GQL_TOK_SPREAD},  {":", GQL_TOK_COLON},     {"=", GQL_TOK_EQUALS},
        {"@", GQL_TOK_AT},      {"[", GQL_TOK_BRACKET_L}, {"]", GQL_TOK_BRACKET_R}, {"{", GQL_TOK_BRACE_L},
        {"|", GQL_TOK_PIPE},    {"}", GQL_TOK_BRACE_R},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        gql_token t = lex(cases[i].src);
        assert_int_equal(t.kind, cases[i].kind);
        assert_int_equal(t.start, 0);
        assert_int_equal(t.end, strlen(cases[i].src));
        assert_null(t.value);
        assert_true(gql_token_kind_is_punctuator(t.kind));
        assert_string_equal(gql_token_kind_str(t.kind), cases[i].src);
    }
    assert_false(gql_token_kind_is_punctuator(GQL_TOK_NAME));
    assert_string_equal(gql_token_kind_str(GQL_TOK_EOF), "<EOF>");
    assert_string_equal(gql_token_kind_str(GQL_TOK_BLOCK_STRING), "BlockString");
}

static void test_names(void **state) {
    (void)state;
    assert_token("simple", GQL_TOK_NAME, "simple");
    assert_token("_under_score9 rest", GQL_TOK_NAME, "_under_score9");
    assert_token("ABC_def", GQL_TOK_NAME, "ABC_def");
    gql_token t = lex("  \t name");
    assert_int_equal(t.start, 4);
    assert_int_equal(t.end, 8);
    assert_int_equal(t.column, 5);
}

static void test_eof_and_sequence(void **state) {
    (void)state;
    gql_lexer lx;
    const char *src = "{ a:b }";
    gql_lexer_init(&lx, arena, src, strlen(src));
    assert_int_equal(lx.token.kind, GQL_TOK_SOF);
    static const gql_token_kind want[] = {GQL_TOK_BRACE_L, GQL_TOK_NAME,    GQL_TOK_COLON,
                                          GQL_TOK_NAME,    GQL_TOK_BRACE_R, GQL_TOK_EOF};
    static const uint32_t cols[] = {1, 3, 4, 5, 7, 8};
    for (size_t i = 0; i < 6; i++) {
        assert_true(gql_lexer_next(&lx));
        assert_int_equal(lx.token.kind, want[i]);
        assert_int_equal(lx.token.column, cols[i]);
    }
    /* EOF is sticky */
    assert_true(gql_lexer_next(&lx));
    assert_int_equal(lx.token.kind, GQL_TOK_EOF);
    assert_int_equal(lx.token.start, 7);

    gql_token e = lex("");
    assert_int_equal(e.kind, GQL_TOK_EOF);
    assert_int_equal(e.line, 1);
    assert_int_equal(e.column, 1);
}

static void test_ignored_tokens(void **state) {
    (void)state;
    gql_token t = lex("\xEF\xBB\xBF  ,,\t, foo");
    assert_int_equal(t.kind, GQL_TOK_NAME);
    assert_int_equal(t.start, 10);
    assert_int_equal(t.line, 1);
    assert_int_equal(t.column, 9); /* the BOM counts as one column */

    t = lex("# a comment\n  # another\r\n\r\n\rfoo");
    assert_int_equal(t.kind, GQL_TOK_NAME);
    assert_int_equal(t.line, 5);
    assert_int_equal(t.column, 1);

    t = lex("\n\n    x");
    assert_int_equal(t.line, 3);
    assert_int_equal(t.column, 5);
}

static void test_comment_tokens(void **state) {
    (void)state;
    gql_lexer lx;
    const char *src = "# hello \xC3\xA9\r\nname #tail";
    gql_lexer_init(&lx, arena, src, strlen(src));
    lx.keep_comments = true;
    assert_true(gql_lexer_next(&lx));
    assert_int_equal(lx.token.kind, GQL_TOK_COMMENT);
    assert_value(&lx.token, " hello \xC3\xA9", 9);
    assert_true(gql_lexer_next(&lx));
    assert_int_equal(lx.token.kind, GQL_TOK_NAME);
    assert_int_equal(lx.token.line, 2);
    assert_true(gql_lexer_next(&lx));
    assert_int_equal(lx.token.kind, GQL_TOK_COMMENT);
    assert_value(&lx.token, "tail", 4);
    assert_int_equal(lx.token.column, 6);
    assert_true(gql_lexer_next(&lx));
    assert_int_equal(lx.token.kind, GQL_TOK_EOF);
}

static void test_columns_count_code_points(void **state) {
    (void)state;
    gql_lexer lx;
    /* "é" is 2 bytes, U+1F600 is 4 bytes: columns count one each */
    const char *src = "\"\xC3\xA9\xF0\x9F\x98\x80\" x\n\"\xC3\xA9\" y";
    gql_lexer_init(&lx, arena, src, strlen(src));
    assert_true(gql_lexer_next(&lx));
    assert_int_equal(lx.token.kind, GQL_TOK_STRING);
    assert_true(gql_lexer_next(&lx));
    assert_int_equal(lx.token.column, 6);
    assert_int_equal(lx.token.start, 9);
    assert_true(gql_lexer_next(&lx));
    assert_true(gql_lexer_next(&lx));
    assert_int_equal(lx.token.line, 2);
    assert_int_equal(lx.token.column, 5);
    lex_error("\"\xC3\xA9\" %", "Syntax Error: Unexpected character: \"%\".", 1, 5);
}

static void test_numbers(void **state) {
    (void)state;
    assert_token("0", GQL_TOK_INT, "0");
    assert_token("-0", GQL_TOK_INT, "-0");
    assert_token("4", GQL_TOK_INT, "4");
    assert_token("-4", GQL_TOK_INT, "-4");
    assert_token("9876543210123", GQL_TOK_INT, "9876543210123");
    assert_token("4.123", GQL_TOK_FLOAT, "4.123");
    assert_token("-4.123", GQL_TOK_FLOAT, "-4.123");
    assert_token("0.123", GQL_TOK_FLOAT, "0.123");
    assert_token("123e4", GQL_TOK_FLOAT, "123e4");
    assert_token("123E4", GQL_TOK_FLOAT, "123E4");
    assert_token("123e-4", GQL_TOK_FLOAT, "123e-4");
    assert_token("123e+4", GQL_TOK_FLOAT, "123e+4");
    assert_token("-1.123e4", GQL_TOK_FLOAT, "-1.123e4");
    assert_token("-1.123E-4", GQL_TOK_FLOAT, "-1.123E-4");
    assert_token("-1.123e4567", GQL_TOK_FLOAT, "-1.123e4567");
    assert_token("1,2", GQL_TOK_INT, "1");
    assert_token("1)", GQL_TOK_INT, "1");
}

static void test_number_errors(void **state) {
    (void)state;
    lex_error("00", "Syntax Error: Invalid number, unexpected digit after 0: \"0\".", 1, 2);
    lex_error("01", "Syntax Error: Invalid number, unexpected digit after 0: \"1\".", 1, 2);
    lex_error("-01", "Syntax Error: Invalid number, unexpected digit after 0: \"1\".", 1, 3);
    lex_error("1.", "Syntax Error: Invalid number, expected digit but got: <EOF>.", 1, 3);
    lex_error("1.e1", "Syntax Error: Invalid number, expected digit but got: \"e\".", 1, 3);
    lex_error(".123", "Syntax Error: Unexpected character: \".\".", 1, 1);
    lex_error("1.A", "Syntax Error: Invalid number, expected digit but got: \"A\".", 1, 3);
    lex_error("-A", "Syntax Error: Invalid number, expected digit but got: \"A\".", 1, 2);
    lex_error("-", "Syntax Error: Invalid number, expected digit but got: <EOF>.", 1, 2);
    lex_error("1.0e", "Syntax Error: Invalid number, expected digit but got: <EOF>.", 1, 5);
    lex_error("1.0eA", "Syntax Error: Invalid number, expected digit but got: \"A\".", 1, 5);
    lex_error("1.0e+", "Syntax Error: Invalid number, expected digit but got: <EOF>.", 1, 6);
    lex_error("1.2e3e", "Syntax Error: Invalid number, expected digit but got: \"e\".", 1, 6);
    lex_error("1.2e3.4", "Syntax Error: Invalid number, expected digit but got: \".\".", 1, 6);
    lex_error("1.23.4", "Syntax Error: Invalid number, expected digit but got: \".\".", 1, 5);
    lex_error("0x1", "Syntax Error: Invalid number, expected digit but got: \"x\".", 1, 2);
    lex_error("123abc", "Syntax Error: Invalid number, expected digit but got: \"a\".", 1, 4);
    lex_error("1_000", "Syntax Error: Invalid number, expected digit but got: \"_\".", 1, 2);
    lex_error("1\xC3\xA9", "Syntax Error: Unexpected character: U+00E9.", 1, 2);
    lex_error("+1", "Syntax Error: Unexpected character: \"+\".", 1, 1);
}

static void test_strings(void **state) {
    (void)state;
    assert_token("\"\"", GQL_TOK_STRING, "");
    assert_token("\"simple\"", GQL_TOK_STRING, "simple");
    assert_token("\" white space \"", GQL_TOK_STRING, " white space ");
    assert_token("\"tab\there\"", GQL_TOK_STRING, "tab\there");
    assert_token("\"quote \\\"\"", GQL_TOK_STRING, "quote \"");
    assert_token("\"escaped \\n\\r\\b\\t\\f\"", GQL_TOK_STRING, "escaped \n\r\b\t\f");
    assert_token("\"slashes \\\\ \\/\"", GQL_TOK_STRING, "slashes \\ /");
    assert_token("\"unescaped unicode \xC3\xA9 \xF0\x9F\x98\x80\"", GQL_TOK_STRING,
                 "unescaped unicode \xC3\xA9 \xF0\x9F\x98\x80");
    assert_token("\"unicode \\u1234\\u5678\\u90AB\\uCDEF\"", GQL_TOK_STRING,
                 "unicode \xE1\x88\xB4\xE5\x99\xB8\xE9\x82\xAB\xEC\xB7\xAF");
    assert_token("\"\\u00e9\\u00E9\"", GQL_TOK_STRING, "\xC3\xA9\xC3\xA9");
    assert_token("\"\\u{1234}\\u{0001F600}\"", GQL_TOK_STRING, "\xE1\x88\xB4\xF0\x9F\x98\x80");
    assert_token("\"\\u{10FFFF}\"", GQL_TOK_STRING, "\xF4\x8F\xBF\xBF");
    assert_token("\"\\u{00000041}\\u{7e}\"", GQL_TOK_STRING, "A~");
}

static void test_string_surrogates_and_nul(void **state) {
    (void)state;
    assert_token("\"\\uD83D\\uDE00\"", GQL_TOK_STRING, "\xF0\x9F\x98\x80");
    assert_token("\"\\uDBFF\\uDFFF\"", GQL_TOK_STRING, "\xF4\x8F\xBF\xBF");
    assert_token("\"\\uD800\\uDC00\"", GQL_TOK_STRING, "\xF0\x90\x80\x80");
    gql_token t = lex("\"a\\u0000b\\u{0}\"");
    assert_int_equal(t.kind, GQL_TOK_STRING);
    assert_value(&t, "a\0b\0", 4);
    assert_int_equal(t.value[4], '\0');
    assert_int_equal(t.end, 15);
}

static void test_string_errors(void **state) {
    (void)state;
    lex_error("\"", "Syntax Error: Unterminated string.", 1, 2);
    lex_error("\"\"\"", "Syntax Error: Unterminated string.", 1, 4);
    lex_error("\"no end quote", "Syntax Error: Unterminated string.", 1, 14);
    lex_error("\"multi\nline\"", "Syntax Error: Unterminated string.", 1, 7);
    lex_error("\"multi\rline\"", "Syntax Error: Unterminated string.", 1, 7);
    lex_error("\"ends with escaped quote\\\"", "Syntax Error: Unterminated string.", 1, 27);
    lex_error("'single quotes'",
              "Syntax Error: Unexpected single quote character ('), did you mean to use a double quote (\")?", 1, 1);
    lex_error("\"bad \\z esc\"", "Syntax Error: Invalid character escape sequence: \"\\z\".", 1, 6);
    lex_error("\"bad \\x esc\"", "Syntax Error: Invalid character escape sequence: \"\\x\".", 1, 6);
    lex_error("\"bad \\", "Syntax Error: Invalid character escape sequence: \"\\\".", 1, 6);
    lex_error("\"bad \\u1 esc\"", "Syntax Error: Invalid Unicode escape sequence: \"\\u1 es\".", 1, 6);
    lex_error("\"bad \\u0XX1 esc\"", "Syntax Error: Invalid Unicode escape sequence: \"\\u0XX1\".", 1, 6);
    lex_error("\"bad \\uXXXX esc\"", "Syntax Error: Invalid Unicode escape sequence: \"\\uXXXX\".", 1, 6);
    lex_error("\"bad \\uFXXX esc\"", "Syntax Error: Invalid Unicode escape sequence: \"\\uFXXX\".", 1, 6);
    lex_error("\"bad \\u12", "Syntax Error: Invalid Unicode escape sequence: \"\\u12\".", 1, 6);
    lex_error("\"bad \\u{} esc\"", "Syntax Error: Invalid Unicode escape sequence: \"\\u{}\".", 1, 6);
    lex_error("\"bad \\u{FXXX} esc\"", "Syntax Error: Invalid Unicode escape sequence: \"\\u{FX\".", 1, 6);
    lex_error("\"bad \\u{FFFF esc\"", "Syntax Error: Invalid Unicode escape sequence: \"\\u{FFFF \".", 1, 6);
    lex_error("\"bad \\u{FFFF\"", "Syntax Error: Invalid Unicode escape sequence: \"\\u{FFFF\"\".", 1, 6);
    lex_error("\"too high \\u{110000} esc\"", "Syntax Error: Invalid Unicode escape sequence: \"\\u{110000}\".", 1, 11);
    lex_error("\"way too high \\u{12345678}\"", "Syntax Error: Invalid Unicode escape sequence: \"\\u{12345678}\".", 1,
              15);
    lex_error("\"too long \\u{000000000}\"", "Syntax Error: Invalid Unicode escape sequence: \"\\u{000000000\".", 1,
              11);
    lex_error("\"bad surrogate \\uDEAD esc\"", "Syntax Error: Invalid Unicode escape sequence: \"\\uDEAD\".", 1, 16);
    lex_error("\"bad surrogate \\u{DEAD} esc\"", "Syntax Error: Invalid Unicode escape sequence: \"\\u{DEAD}\".", 1,
              16);
    lex_error("\"cannot use braces for surrogate pair \\u{D83D}\\u{DE00} esc\"",
              "Syntax Error: Invalid Unicode escape sequence: \"\\u{D83D}\".", 1, 39);
    lex_error("\"bad high surrogate pair \\uDEAD\\uDEAD esc\"",
              "Syntax Error: Invalid Unicode escape sequence: \"\\uDEAD\".", 1, 26);
    lex_error("\"bad low surrogate pair \\uD800\\uD800 esc\"",
              "Syntax Error: Invalid Unicode escape sequence: \"\\uD800\".", 1, 25);
    lex_error("\"lone leading \\uD83D\"", "Syntax Error: Invalid Unicode escape sequence: \"\\uD83D\".", 1, 15);
    lex_error("\"leading then char \\uD83Dx\"", "Syntax Error: Invalid Unicode escape sequence: \"\\uD83D\".", 1, 20);
    lex_error("\"leading then escape \\uD83D\\n\"", "Syntax Error: Invalid Unicode escape sequence: \"\\uD83D\".", 1,
              22);
    /* the quoted text is counted in characters, so a multi-byte character is never cut */
    lex_error("\"\\u\xF0\x9F\x98\x80{11}\"",
              "Syntax Error: Invalid Unicode escape sequence: \"\\u\xF0\x9F\x98\x80{11\".", 1, 2);
    lex_error("\"bad \\u{\xC3\xA9}\"", "Syntax Error: Invalid Unicode escape sequence: \"\\u{\xC3\xA9\".", 1, 6);
    /* control characters are SourceCharacters (§2.1.1): kept verbatim, as graphql-js does */
    assert_token("\"contains \x01 control\"", GQL_TOK_STRING, "contains \x01 control");
    assert_token("\"contains \x1F control\"", GQL_TOK_STRING, "contains \x1F control");
    gql_token nul = lex_n("\"nul \0 byte\"", 12);
    assert_value(&nul, "nul \0 byte", 10);
    lex_error("\"bad utf8 \xFF\"", "Syntax Error: Invalid character within String: invalid UTF-8 byte 0xFF.", 1, 11);
    lex_error("\"overlong \xC0\xAF\"", "Syntax Error: Invalid character within String: invalid UTF-8 byte 0xC0.", 1,
              11);
    lex_error("\"encoded surrogate \xED\xA0\x80\"",
              "Syntax Error: Invalid character within String: invalid UTF-8 byte 0xED.", 1, 20);
    lex_error("\"truncated \xE2\x82\"", "Syntax Error: Invalid character within String: invalid UTF-8 byte 0xE2.", 1,
              12);
    /* the first error in source order wins, even when the string is also unterminated */
    lex_error("\"\\q never closed", "Syntax Error: Invalid character escape sequence: \"\\q\".", 1, 2);
}

static void test_block_strings(void **state) {
    (void)state;
    assert_token("\"\"\"\"\"\"", GQL_TOK_BLOCK_STRING, "");
    assert_token("\"\"\"simple\"\"\"", GQL_TOK_BLOCK_STRING, "simple");
    assert_token("\"\"\" white space \"\"\"", GQL_TOK_BLOCK_STRING, " white space ");
    assert_token("\"\"\"contains \" quote\"\"\"", GQL_TOK_BLOCK_STRING, "contains \" quote");
    assert_token("\"\"\"contains \\\"\"\" triple quote\"\"\"", GQL_TOK_BLOCK_STRING, "contains \"\"\" triple quote");
    assert_token("\"\"\"multi\nline\"\"\"", GQL_TOK_BLOCK_STRING, "multi\nline");
    assert_token("\"\"\"multi\rline\r\nnormalized\"\"\"", GQL_TOK_BLOCK_STRING, "multi\nline\nnormalized");
    assert_token("\"\"\"unescaped \\n\\r\\b\\t\\f\\u1234\"\"\"", GQL_TOK_BLOCK_STRING,
                 "unescaped \\n\\r\\b\\t\\f\\u1234");
    assert_token("\"\"\"unescaped unicode \xF0\x9F\x98\x80\"\"\"", GQL_TOK_BLOCK_STRING,
                 "unescaped unicode \xF0\x9F\x98\x80");
    assert_token("\"\"\"slashes \\\\ \\/\"\"\"", GQL_TOK_BLOCK_STRING, "slashes \\\\ \\/");
    assert_token("\"\"\"\\\\\"\"\" after\"\"\"", GQL_TOK_BLOCK_STRING, "\\\"\"\" after");
    assert_token("\"\"\"tab\tinside\"\"\"", GQL_TOK_BLOCK_STRING, "tab\tinside");
}

static void test_block_string_dedent(void **state) {
    (void)state;
    assert_token("\"\"\"\n\n        spans\n          multiple\n            lines\n\n        \"\"\"",
                 GQL_TOK_BLOCK_STRING, "spans\n  multiple\n    lines");
    /* graphql-js's canonical example */
    assert_token("\"\"\"\n    Hello,\n      World!\n\n    Yours,\n      GraphQL.\n  \"\"\"", GQL_TOK_BLOCK_STRING,
                 "Hello,\n  World!\n\nYours,\n  GraphQL.");
    /* leading and trailing blank lines (also whitespace-only ones) are removed */
    assert_token("\"\"\"\n\n  \t \n  a\n  \n\n\"\"\"", GQL_TOK_BLOCK_STRING, "a");
    /* the first line is never dedented and takes no part in the common indent */
    assert_token("\"\"\"  first\n    second\n      third\"\"\"", GQL_TOK_BLOCK_STRING, "  first\nsecond\n  third");
    /* a first line of only whitespace is blank and removed */
    assert_token("\"\"\"   \n    x\n    y\"\"\"", GQL_TOK_BLOCK_STRING, "x\ny");
    /* tabs count as indentation like spaces */
    assert_token("\"\"\"\n\t\ta\n\t\t\tb\n\"\"\"", GQL_TOK_BLOCK_STRING, "a\n\tb");
    /* blank lines in the middle are kept, shorter than the indent */
    assert_token("\"\"\"\n    a\n\n  \n    b\n\"\"\"", GQL_TOK_BLOCK_STRING, "a\n\n\nb");
    /* whitespace-only lines do not count toward the common indent */
    assert_token("\"\"\"\n      a\n  \n      b\n\"\"\"", GQL_TOK_BLOCK_STRING, "a\n\nb");
    /* only blank lines: the empty string */
    assert_token("\"\"\"\n   \n\t\n\"\"\"", GQL_TOK_BLOCK_STRING, "");
    assert_token("\"\"\"   \"\"\"", GQL_TOK_BLOCK_STRING, "");
    /* trailing spaces on content lines are kept */
    assert_token("\"\"\"\n  a  \n  b\n\"\"\"", GQL_TOK_BLOCK_STRING, "a  \nb");
    /* mixed line terminators */
    assert_token("\"\"\"\r\n    a\r    b\r\n\"\"\"", GQL_TOK_BLOCK_STRING, "a\nb");
    /* an escaped triple quote is content for the indentation too */
    assert_token("\"\"\"\n  \\\"\"\"\n    x\n\"\"\"", GQL_TOK_BLOCK_STRING, "\"\"\"\n  x");
}

static void test_block_string_lines(void **state) {
    (void)state;
    gql_lexer lx;
    const char *src = "  \"\"\"a\n b\r\n c\"\"\" name\n  other";
    gql_lexer_init(&lx, arena, src, strlen(src));
    assert_true(gql_lexer_next(&lx));
    assert_int_equal(lx.token.kind, GQL_TOK_BLOCK_STRING);
    assert_int_equal(lx.token.line, 1);
    assert_int_equal(lx.token.column, 3);
    assert_int_equal(lx.token.start, 2);
    assert_int_equal(lx.token.end, 16);
    assert_true(gql_lexer_next(&lx));
    assert_int_equal(lx.token.kind, GQL_TOK_NAME);
    assert_int_equal(lx.token.line, 3);
    assert_int_equal(lx.token.column, 7);
    assert_true(gql_lexer_next(&lx));
    assert_int_equal(lx.token.line, 4);
    assert_int_equal(lx.token.column, 3);
}

static void test_block_string_errors(void **state) {
    (void)state;
    lex_error("\"\"\"", "Syntax Error: Unterminated string.", 1, 4);
    lex_error("\"\"\"no end triple-quote\"\"", "Syntax Error: Unterminated string.", 1, 25);
    lex_error("\"\"\"a\n  b", "Syntax Error: Unterminated string.", 2, 4);
    lex_error("\"\"\"escaped at end \\\"\"\"", "Syntax Error: Unterminated string.", 1, 23);
    assert_token("\"\"\"contains \x01 control\"\"\"", GQL_TOK_BLOCK_STRING, "contains \x01 control");
    assert_token("\"\"\"\n\n  bell \x07 here\"\"\"", GQL_TOK_BLOCK_STRING, "bell \x07 here");
    lex_error("\"\"\"bad \xF5\x80\x80\x80\"\"\"",
              "Syntax Error: Invalid character within String: invalid UTF-8 byte 0xF5.", 1, 8);
}

static void test_unexpected_characters(void **state) {
    (void)state;
    lex_error("..", "Syntax Error: Unexpected character: \".\".", 1, 1);
    lex_error("a .. b", "Syntax Error: Unexpected character: \".\".", 1, 3);
    lex_error("~", "Syntax Error: Unexpected character: \"~\".", 1, 1);
    lex_error("?", "Syntax Error: Unexpected character: \"?\".", 1, 1);
    lex_error("%", "Syntax Error: Unexpected character: \"%\".", 1, 1);
    lex_error("\\", "Syntax Error: Unexpected character: \"\\\".", 1, 1);
    lex_error("\x07", "Syntax Error: Unexpected character: U+0007.", 1, 1);
    lex_error_n("a\0", 2, "Syntax Error: Unexpected character: U+0000.", 1, 2);
    lex_error("\xC2\xA0", "Syntax Error: Unexpected character: U+00A0.", 1, 1);
    lex_error("\xE2\x80\x8B", "Syntax Error: Unexpected character: U+200B.", 1, 1);
    lex_error("\xF0\x9F\x98\x80", "Syntax Error: Unexpected character: U+1F600.", 1, 1);
    lex_error("\xFF", "Syntax Error: Invalid character: invalid UTF-8 byte 0xFF.", 1, 1);
    lex_error("a \x80", "Syntax Error: Invalid character: invalid UTF-8 byte 0x80.", 1, 3);
    lex_error("\xEF\xBB", "Syntax Error: Invalid character: invalid UTF-8 byte 0xEF.", 1, 1);
    lex_error("# comment \xFE\n", "Syntax Error: Invalid character: invalid UTF-8 byte 0xFE.", 1, 11);
    /* a control character in a comment is a CommentChar: the comment is skipped, the name follows */
    assert_token("# comment \x01\nname", GQL_TOK_NAME, "name");
}

static void test_error_positions(void **state) {
    (void)state;
    lex_error("\n\n    ?\n", "Syntax Error: Unexpected character: \"?\".", 3, 5);
    lex_error("a\r\nb\r\n  ?", "Syntax Error: Unexpected character: \"?\".", 3, 3);
    lex_error("a\rb\r\r  ?", "Syntax Error: Unexpected character: \"?\".", 4, 3);
    lex_error("\xEF\xBB\xBF?", "Syntax Error: Unexpected character: \"?\".", 1, 2);
    lex_error("\"\"\"\n\n\"\"\"  \"\xC3\xA9\\q\"", "Syntax Error: Invalid character escape sequence: \"\\q\".", 3, 8);
    gql_lexer lx;
    gql_lexer_init(&lx, arena, "ab\ncd", 5);
    gql_loc loc = gql_lexer_loc_at(&lx, 4);
    assert_int_equal(loc.line, 2);
    assert_int_equal(loc.column, 2);
    loc = gql_lexer_loc_at(&lx, 5);
    assert_int_equal(loc.column, 3);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_punctuators),
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_eof_and_sequence),
        cmocka_unit_test(test_ignored_tokens),
        cmocka_unit_test(test_comment_tokens),
        cmocka_unit_test(test_columns_count_code_points),
        cmocka_unit_test(test_numbers),
        cmocka_unit_test(test_number_errors),
        cmocka_unit_test(test_strings),
        cmocka_unit_test(test_string_surrogates_and_nul),
        cmocka_unit_test(test_string_errors),
        cmocka_unit_test(test_block_strings),
        cmocka_unit_test(test_block_string_dedent),
        cmocka_unit_test(test_block_string_lines),
        cmocka_unit_test(test_block_string_errors),
        cmocka_unit_test(test_unexpected_characters),
        cmocka_unit_test(test_error_positions),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
