/* suggestions.h -- "Did you mean ...?" for messages: graphql-js jsutils/suggestionList, didYouMean and
 * naturalCompare (the order suggestionList and the printer's sorted object fields use). Shared by the
 * validation rules (§5) and input coercion in execution/ (§3.10 messages). */
#ifndef ENTITYD_GQL_SUGGESTIONS_H
#define ENTITYD_GQL_SUGGESTIONS_H

#include <stddef.h>

#include "util/arena.h"

/* graphql-js suggestionList: the options within lexical distance of input, best first (const char *). */
void gql_suggestion_list(arena_t *a, const char *input, const char *const *options, size_t n, ptrvec_t *out);
/* graphql-js didYouMean: " Did you mean "A", "B", or "C"?" (at most 5), "" when there are none. sub may be
 * NULL, otherwise it goes after "Did you mean ". */
const char *gql_did_you_mean(arena_t *a, const char *sub, const ptrvec_t *suggestions);
/* graphql-js naturalCompare (digit runs compare as numbers). */
int gql_natural_compare(const char *a, const char *b);

#endif
