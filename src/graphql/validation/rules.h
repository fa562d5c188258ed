/* rules.h -- the validation rules of spec §5, one file each under rules/, named as graphql-js names them.
 * gql_specified_rules lists them in graphql-js specifiedRules order, which is also the order in which
 * errors found at the same node are reported. */
#ifndef ENTITYD_GQL_VALIDATION_RULES_H
#define ENTITYD_GQL_VALIDATION_RULES_H

#include <stddef.h>

#include "graphql/validation/context.h"

extern const gql_vrule gql_ExecutableDefinitionsRule;        /* §5.1.1 */
extern const gql_vrule gql_UniqueOperationNamesRule;         /* §5.2.1.1 */
extern const gql_vrule gql_LoneAnonymousOperationRule;       /* §5.2.2.1 */
extern const gql_vrule gql_SingleFieldSubscriptionsRule;     /* §5.2.3.1 */
extern const gql_vrule gql_KnownTypeNamesRule;               /* §5.5.1.2 */
extern const gql_vrule gql_FragmentsOnCompositeTypesRule;    /* §5.5.1.3 */
extern const gql_vrule gql_VariablesAreInputTypesRule;       /* §5.8.2 */
extern const gql_vrule gql_ScalarLeafsRule;                  /* §5.3.3 */
extern const gql_vrule gql_FieldsOnCorrectTypeRule;          /* §5.3.1 */
extern const gql_vrule gql_UniqueFragmentNamesRule;          /* §5.5.1.1 */
extern const gql_vrule gql_KnownFragmentNamesRule;           /* §5.5.2.1 */
extern const gql_vrule gql_NoUnusedFragmentsRule;            /* §5.5.1.4 */
extern const gql_vrule gql_PossibleFragmentSpreadsRule;      /* §5.5.2.3 */
extern const gql_vrule gql_NoFragmentCyclesRule;             /* §5.5.2.2 */
extern const gql_vrule gql_UniqueVariableNamesRule;          /* §5.8.1 */
extern const gql_vrule gql_NoUndefinedVariablesRule;         /* §5.8.3 */
extern const gql_vrule gql_NoUnusedVariablesRule;            /* §5.8.4 */
extern const gql_vrule gql_KnownDirectivesRule;              /* §5.7.1 */
extern const gql_vrule gql_UniqueDirectivesPerLocationRule;  /* §5.7.3 */
extern const gql_vrule gql_KnownArgumentNamesRule;           /* §5.4.1 */
extern const gql_vrule gql_UniqueArgumentNamesRule;          /* §5.4.2 */
extern const gql_vrule gql_ValuesOfCorrectTypeRule;          /* §5.6.1 */
extern const gql_vrule gql_ProvidedRequiredArgumentsRule;    /* §5.4.2.1 */
extern const gql_vrule gql_VariablesInAllowedPositionRule;   /* §5.8.5 */
extern const gql_vrule gql_OverlappingFieldsCanBeMergedRule; /* §5.3.2 */
extern const gql_vrule gql_UniqueInputFieldNamesRule;        /* §5.6.3 */
extern const gql_vrule gql_MaxIntrospectionDepthRule;        /* graphql-js recommendedRules (16.9) */

extern const gql_vrule *const gql_specified_rules[];
extern const size_t gql_specified_rules_count;

#endif
