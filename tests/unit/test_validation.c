/* test_validation.c -- unit tests of document validation (spec §5, src/graphql/validation/): for each rule,
 * documents that pass and documents that fail, against a test schema modelled on graphql-js's validation
 * harness (Being/Pet/Dog/Cat/Human/Alien, ComplicatedArgs, ...). Expected errors (messages and locations, in
 * order) are graphql-js v16's, as produced by graphql-core; the protection limits are tested at the end. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "graphql/error.h"
#include "graphql/language/parser.h"
#include "graphql/type/schema.h"
#include "graphql/validation/context.h"
#include "graphql/validation/validate.h"
#include "util/arena.h"
#include "util/buf.h"

typedef struct {
    const char *rule; /* the rule the case is about ("Mixed": several rules at once) */
    const char *document;
    const char *expected; /* JSON array of {message, locations} */
} validation_case;

static const char *const test_schema_sdl =
    "interface Mammal {\n"
    "  mother: Mammal\n"
    "  father: Mammal\n"
    "}\n"
    "\n"
    "interface Pet {\n"
    "  name(surname: Boolean): String\n"
    "}\n"
    "\n"
    "interface Canine implements Mammal {\n"
    "  name(surname: Boolean): String\n"
    "  mother: Canine\n"
    "  father: Canine\n"
    "}\n"
    "\n"
    "enum DogCommand {\n"
    "  SIT\n"
    "  HEEL\n"
    "  DOWN\n"
    "}\n"
    "\n"
    "type Dog implements Pet & Mammal & Canine {\n"
    "  name(surname: Boolean): String\n"
    "  nickname: String\n"
    "  barkVolume: Int\n"
    "  barks: Boolean\n"
    "  doesKnowCommand(dogCommand: DogCommand): Boolean\n"
    "  isHouseTrained(atOtherHomes: Boolean = true): Boolean\n"
    "  isAtLocation(x: Int, y: Int): Boolean\n"
    "  mother: Dog\n"
    "  father: Dog\n"
    "}\n"
    "\n"
    "type Cat implements Pet {\n"
    "  name(surname: Boolean): String\n"
    "  nickname: String\n"
    "  meows: Boolean\n"
    "  meowsVolume: Int\n"
    "  furColor: FurColor\n"
    "}\n"
    "\n"
    "union CatOrDog = Cat | Dog\n"
    "\n"
    "type Human {\n"
    "  name(surname: Boolean): String\n"
    "  pets: [Pet]\n"
    "  relatives: [Human]!\n"
    "}\n"
    "\n"
    "interface Being {\n"
    "  name(surname: Boolean): String\n"
    "}\n"
    "\n"
    "type Alien implements Being {\n"
    "  name(surname: Boolean): String\n"
    "  numEyes: Int\n"
    "}\n"
    "\n"
    "union DogOrHuman = Dog | Human\n"
    "\n"
    "union HumanOrAlien = Human | Alien\n"
    "\n"
    "enum FurColor {\n"
    "  BROWN\n"
    "  BLACK\n"
    "  TAN\n"
    "  SPOTTED\n"
    "  NO_FUR\n"
    "  UNKNOWN\n"
    "}\n"
    "\n"
    "input ComplexInput {\n"
    "  requiredField: Boolean!\n"
    "  nonNullField: Boolean! = false\n"
    "  intField: Int\n"
    "  stringField: String\n"
    "  booleanField: Boolean\n"
    "  stringListField: [String]\n"
    "}\n"
    "\n"
    "input OneOfInput @oneOf {\n"
    "  stringField: String\n"
    "  intField: Int\n"
    "}\n"
    "\n"
    "type ComplicatedArgs {\n"
    "  intArgField(intArg: Int): String\n"
    "  nonNullIntArgField(nonNullIntArg: Int!): String\n"
    "  stringArgField(stringArg: String): String\n"
    "  booleanArgField(booleanArg: Boolean): String\n"
    "  enumArgField(enumArg: FurColor): String\n"
    "  floatArgField(floatArg: Float): String\n"
    "  idArgField(idArg: ID): String\n"
    "  stringListArgField(stringListArg: [String]): String\n"
    "  stringListNonNullArgField(stringListNonNullArg: [String!]): String\n"
    "  complexArgField(complexArg: ComplexInput): String\n"
    "  oneOfArgField(oneOfArg: OneOfInput): String\n"
    "  multipleReqs(req1: Int!, req2: Int!): String\n"
    "  nonNullFieldWithDefault(arg: Int! = 0): String\n"
    "  multipleOpts(opt1: Int = 0, opt2: Int = 0): String\n"
    "  multipleOptAndReq(req1: Int!, req2: Int!, opt1: Int = 0, opt2: Int = 0): String\n"
    "}\n"
    "\n"
    "type QueryRoot {\n"
    "  human(id: ID): Human\n"
    "  alien: Alien\n"
    "  dog: Dog\n"
    "  cat: Cat\n"
    "  pet: Pet\n"
    "  catOrDog: CatOrDog\n"
    "  dogOrHuman: DogOrHuman\n"
    "  humanOrAlien: HumanOrAlien\n"
    "  being: Being\n"
    "  complicatedArgs: ComplicatedArgs\n"
    "}\n"
    "\n"
    "type SubscriptionRoot {\n"
    "  importantEmails: [String]\n"
    "  notImportantEmails: [String]\n"
    "  moreImportantEmails: [String]\n"
    "  spamEmails: [String]\n"
    "}\n"
    "\n"
    "schema {\n"
    "  query: QueryRoot\n"
    "  subscription: SubscriptionRoot\n"
    "}\n"
    "\n"
    "directive @onField on FIELD\n"
    "directive @onQuery on QUERY\n"
    "directive @repeatableDir repeatable on FIELD\n"
    "directive @withReq(arg: Int!) on FIELD\n";

static const validation_case cases[] = {
    {"ExecutableDefinitionsRule", "query Foo { dog { name } }", "[]"},
    {"ExecutableDefinitionsRule",
     "query Foo { dog { name } }\ntype Cow { name: String }\nextend type Dog { color: String }",
     "[{\"message\":\"The \\\"Cow\\\" definition is not "
     "executable.\",\"locations\":[{\"line\":2,\"column\":1}]},{\"message\":\"The \\\"Dog\\\" definition is not "
     "executable.\",\"locations\":[{\"line\":3,\"column\":1}]}]"},
    {"ExecutableDefinitionsRule", "schema { query: Query }\ntype Query { a: String }\n{ dog { name } }",
     "[{\"message\":\"The schema definition is not "
     "executable.\",\"locations\":[{\"line\":1,\"column\":1}]},{\"message\":\"The \\\"Query\\\" definition is not "
     "executable.\",\"locations\":[{\"line\":2,\"column\":1}]}]"},
    {"UniqueOperationNamesRule", "query Foo { dog { name } } query Bar { dog { name } }", "[]"},
    {"UniqueOperationNamesRule", "query Foo { dog { name } }\nquery Foo { human { name } }",
     "[{\"message\":\"There can be only one operation named "
     "\\\"Foo\\\".\",\"locations\":[{\"line\":1,\"column\":7},{\"line\":2,\"column\":7}]}]"},
    {"UniqueOperationNamesRule", "query Foo { dog { name } }\nsubscription Foo { importantEmails }",
     "[{\"message\":\"There can be only one operation named "
     "\\\"Foo\\\".\",\"locations\":[{\"line\":1,\"column\":7},{\"line\":2,\"column\":14}]}]"},
    /* graphql-js MaxIntrospectionDepthRule (16.9, recommendedRules): 3 nested introspection lists are refused. */
    {"MaxIntrospectionDepthRule", "{ __schema { types { fields { type { fields { name } } } } } }", "[]"},
    {"MaxIntrospectionDepthRule", "{ __schema { types { fields { type { fields { type { fields { name } } } } } } } }",
     "[{\"message\":\"Maximum introspection depth exceeded\",\"locations\":[{\"line\":1,\"column\":3}]}]"},
    {"MaxIntrospectionDepthRule",
     "{ __type(name: \"Query\") { interfaces { possibleTypes { inputFields { name } } } } }",
     "[{\"message\":\"Maximum introspection depth exceeded\",\"locations\":[{\"line\":1,\"column\":3}]}]"},
    {"MaxIntrospectionDepthRule",
     "query Q {\n  __schema { types { ...F } }\n}\nfragment F on __Type { fields { type { ...G } } }\n"
     "fragment G on __Type { fields { type { fields { name } } } }",
     "[{\"message\":\"Maximum introspection depth exceeded\",\"locations\":[{\"line\":2,\"column\":3}]}]"},
    {"MaxIntrospectionDepthRule",
     "{ __schema { types { ...F ...F } } }\nfragment F on __Type { fields { name } interfaces { name } }", "[]"},
    {"MaxIntrospectionDepthRule", "{ dog { name } }", "[]"},
    {"LoneAnonymousOperationRule", "{ dog { name } }", "[]"},
    {"LoneAnonymousOperationRule", "{ dog { name } }\n{ cat { name } }",
     "[{\"message\":\"This anonymous operation must be the only defined "
     "operation.\",\"locations\":[{\"line\":1,\"column\":1}]},{\"message\":\"This anonymous operation must be the only "
     "defined operation.\",\"locations\":[{\"line\":2,\"column\":1}]}]"},
    {"LoneAnonymousOperationRule", "{ dog { name } }\nquery Foo { cat { name } }",
     "[{\"message\":\"This anonymous operation must be the only defined "
     "operation.\",\"locations\":[{\"line\":1,\"column\":1}]}]"},
    {"SingleFieldSubscriptionsRule", "subscription ImportantEmails { importantEmails }", "[]"},
    {"SingleFieldSubscriptionsRule", "subscription ImportantEmails { importantEmails notImportantEmails }",
     "[{\"message\":\"Subscription \\\"ImportantEmails\\\" must select only one top level "
     "field.\",\"locations\":[{\"line\":1,\"column\":48}]}]"},
    {"SingleFieldSubscriptionsRule", "subscription { importantEmails notImportantEmails spamEmails }",
     "[{\"message\":\"Anonymous Subscription must select only one top level "
     "field.\",\"locations\":[{\"line\":1,\"column\":32},{\"line\":1,\"column\":51}]}]"},
    {"SingleFieldSubscriptionsRule",
     "subscription S { ...F }\nfragment F on SubscriptionRoot { importantEmails notImportantEmails }",
     "[{\"message\":\"Subscription \\\"S\\\" must select only one top level "
     "field.\",\"locations\":[{\"line\":2,\"column\":50}]}]"},
    {"SingleFieldSubscriptionsRule", "subscription S { __typename }",
     "[{\"message\":\"Subscription \\\"S\\\" must not select an introspection top level "
     "field.\",\"locations\":[{\"line\":1,\"column\":18}]}]"},
    {"SingleFieldSubscriptionsRule", "subscription S { importantEmails @skip(if: true) spamEmails }", "[]"},
    {"KnownTypeNamesRule",
     "query Foo($var: String, $required: [Int!]!) { dog @include(if: true) { name ...PetFields } }\nfragment PetFields "
     "on Pet { name }",
     "[{\"message\":\"Variable \\\"$var\\\" is never used in operation "
     "\\\"Foo\\\".\",\"locations\":[{\"line\":1,\"column\":11}]},{\"message\":\"Variable \\\"$required\\\" is never "
     "used in operation \\\"Foo\\\".\",\"locations\":[{\"line\":1,\"column\":25}]}]"},
    {"KnownTypeNamesRule",
     "query Foo($var: JumbledUpLetters) { dog { name ...PetFields } }\nfragment PetFields on Peat { name }",
     "[{\"message\":\"Unknown type "
     "\\\"JumbledUpLetters\\\".\",\"locations\":[{\"line\":1,\"column\":17}]},{\"message\":\"Variable \\\"$var\\\" is "
     "never used in operation \\\"Foo\\\".\",\"locations\":[{\"line\":1,\"column\":11}]},{\"message\":\"Unknown type "
     "\\\"Peat\\\". Did you mean \\\"Pet\\\" or \\\"Cat\\\"?\",\"locations\":[{\"line\":2,\"column\":23}]}]"},
    {"KnownTypeNamesRule", "{ dog { ... on Badger { name } } }",
     "[{\"message\":\"Unknown type \\\"Badger\\\".\",\"locations\":[{\"line\":1,\"column\":16}]}]"},
    {"FragmentsOnCompositeTypesRule", "fragment F on Dog { barks }\n{ dog { ...F ... on Pet { name } ... { name } } }",
     "[]"},
    {"FragmentsOnCompositeTypesRule", "fragment scalarFragment on Boolean { bad }\n{ dog { ...scalarFragment } }",
     "[{\"message\":\"Fragment \\\"scalarFragment\\\" cannot condition on non composite type "
     "\\\"Boolean\\\".\",\"locations\":[{\"line\":1,\"column\":28}]}]"},
    {"FragmentsOnCompositeTypesRule", "{ dog { ... on String { meowVolume } } }",
     "[{\"message\":\"Fragment cannot condition on non composite type "
     "\\\"String\\\".\",\"locations\":[{\"line\":1,\"column\":16}]}]"},
    {"FragmentsOnCompositeTypesRule", "fragment e on FurColor { bad }\n{ dog { ...e } }",
     "[{\"message\":\"Fragment \\\"e\\\" cannot condition on non composite type "
     "\\\"FurColor\\\".\",\"locations\":[{\"line\":1,\"column\":15}]}]"},
    {"VariablesAreInputTypesRule",
     "query Foo($a: String, $b: [Boolean!]!, $c: ComplexInput) { complicatedArgs { stringArgField(stringArg: $a) "
     "booleanArgField(booleanArg: $b) complexArgField(complexArg: $c) } }",
     "[{\"message\":\"Variable \\\"$b\\\" of type \\\"[Boolean!]!\\\" used in position expecting type "
     "\\\"Boolean\\\".\",\"locations\":[{\"line\":1,\"column\":23},{\"line\":1,\"column\":136}]}]"},
    {"VariablesAreInputTypesRule", "query Foo($a: Dog, $b: [[CatOrDog!]]!, $c: Pet) { dog { name } }",
     "[{\"message\":\"Variable \\\"$a\\\" cannot be non-input type "
     "\\\"Dog\\\".\",\"locations\":[{\"line\":1,\"column\":15}]},{\"message\":\"Variable \\\"$b\\\" cannot be "
     "non-input type \\\"[[CatOrDog!]]!\\\".\",\"locations\":[{\"line\":1,\"column\":24}]},{\"message\":\"Variable "
     "\\\"$c\\\" cannot be non-input type "
     "\\\"Pet\\\".\",\"locations\":[{\"line\":1,\"column\":44}]},{\"message\":\"Variable \\\"$a\\\" is never used in "
     "operation \\\"Foo\\\".\",\"locations\":[{\"line\":1,\"column\":11}]},{\"message\":\"Variable \\\"$b\\\" is never "
     "used in operation \\\"Foo\\\".\",\"locations\":[{\"line\":1,\"column\":20}]},{\"message\":\"Variable \\\"$c\\\" "
     "is never used in operation \\\"Foo\\\".\",\"locations\":[{\"line\":1,\"column\":40}]}]"},
    {"ScalarLeafsRule", "{ dog { barks } }", "[]"},
    {"ScalarLeafsRule", "{ human }",
     "[{\"message\":\"Field \\\"human\\\" of type \\\"Human\\\" must have a selection of subfields. Did you mean "
     "\\\"human { ... }\\\"?\",\"locations\":[{\"line\":1,\"column\":3}]}]"},
    {"ScalarLeafsRule", "{ human { relatives } }",
     "[{\"message\":\"Field \\\"relatives\\\" of type \\\"[Human]!\\\" must have a selection of subfields. Did you "
     "mean \\\"relatives { ... }\\\"?\",\"locations\":[{\"line\":1,\"column\":11}]}]"},
    {"ScalarLeafsRule", "{ dog { barks { sinceWhen } } }",
     "[{\"message\":\"Field \\\"barks\\\" must not have a selection since type \\\"Boolean\\\" has no "
     "subfields.\",\"locations\":[{\"line\":1,\"column\":15}]}]"},
    {"ScalarLeafsRule", "{ dog { doesKnowCommand(dogCommand: SIT) { sinceWhen } } }",
     "[{\"message\":\"Field \\\"doesKnowCommand\\\" must not have a selection since type \\\"Boolean\\\" has no "
     "subfields.\",\"locations\":[{\"line\":1,\"column\":42}]}]"},
    {"FieldsOnCorrectTypeRule",
     "{ dog { name __typename ... on Dog { barks } } pet { name } catOrDog { __typename } __typename __schema { types "
     "{ name } } __type(name: \"Dog\") { name } }",
     "[]"},
    {"FieldsOnCorrectTypeRule", "{ dog { meowVolume } }",
     "[{\"message\":\"Cannot query field \\\"meowVolume\\\" on type \\\"Dog\\\". Did you mean "
     "\\\"barkVolume\\\"?\",\"locations\":[{\"line\":1,\"column\":9}]}]"},
    {"FieldsOnCorrectTypeRule", "{ dog { nam } }",
     "[{\"message\":\"Cannot query field \\\"nam\\\" on type \\\"Dog\\\". Did you mean "
     "\\\"name\\\"?\",\"locations\":[{\"line\":1,\"column\":9}]}]"},
    {"FieldsOnCorrectTypeRule", "{ catOrDog { name } }",
     "[{\"message\":\"Cannot query field \\\"name\\\" on type \\\"CatOrDog\\\". Did you mean to use an inline fragment "
     "on \\\"Pet\\\", \\\"Canine\\\", \\\"Cat\\\", or \\\"Dog\\\"?\",\"locations\":[{\"line\":1,\"column\":14}]}]"},
    {"FieldsOnCorrectTypeRule", "{ pet { meows } }",
     "[{\"message\":\"Cannot query field \\\"meows\\\" on type \\\"Pet\\\". Did you mean to use an inline fragment on "
     "\\\"Cat\\\"?\",\"locations\":[{\"line\":1,\"column\":9}]}]"},
    {"FieldsOnCorrectTypeRule", "{ dog { unknown_field { deeper_unknown_field } } }",
     "[{\"message\":\"Cannot query field \\\"unknown_field\\\" on type "
     "\\\"Dog\\\".\",\"locations\":[{\"line\":1,\"column\":9}]}]"},
    {"FieldsOnCorrectTypeRule", "{ dog { ... on Dog { __schema { types { name } } } } }",
     "[{\"message\":\"Cannot query field \\\"__schema\\\" on type "
     "\\\"Dog\\\".\",\"locations\":[{\"line\":1,\"column\":22}]}]"},
    {"FieldsOnCorrectTypeRule", "{ being { numEyes } }",
     "[{\"message\":\"Cannot query field \\\"numEyes\\\" on type \\\"Being\\\". Did you mean to use an inline fragment "
     "on \\\"Alien\\\"?\",\"locations\":[{\"line\":1,\"column\":11}]}]"},
    {"UniqueFragmentNamesRule", "{ dog { ...A ...B } }\nfragment A on Dog { name }\nfragment B on Dog { name }", "[]"},
    {"UniqueFragmentNamesRule", "{ dog { ...A } }\nfragment A on Dog { name }\nfragment A on Dog { barks }",
     "[{\"message\":\"There can be only one fragment named "
     "\\\"A\\\".\",\"locations\":[{\"line\":2,\"column\":10},{\"line\":3,\"column\":10}]}]"},
    {"KnownFragmentNamesRule",
     "{ human(id: 4) { ...HumanFields1 ... on Human { ...HumanFields2 } } }\nfragment HumanFields1 on Human { name "
     "...HumanFields3 }\nfragment HumanFields2 on Human { name }\nfragment HumanFields3 on Human { name }",
     "[]"},
    {"KnownFragmentNamesRule",
     "{ human(id: 4) { ...UnknownFragment1 ... on Human { ...UnknownFragment2 } } }\nfragment HumanFields on Human { "
     "name ...UnknownFragment3 }",
     "[{\"message\":\"Unknown fragment "
     "\\\"UnknownFragment1\\\".\",\"locations\":[{\"line\":1,\"column\":21}]},{\"message\":\"Unknown fragment "
     "\\\"UnknownFragment2\\\".\",\"locations\":[{\"line\":1,\"column\":56}]},{\"message\":\"Unknown fragment "
     "\\\"UnknownFragment3\\\".\",\"locations\":[{\"line\":2,\"column\":41}]},{\"message\":\"Fragment "
     "\\\"HumanFields\\\" is never used.\",\"locations\":[{\"line\":2,\"column\":1}]}]"},
    {"NoUnusedFragmentsRule",
     "query Foo { human(id: 4) { ...HumanFields1 } }\nquery Bar { human(id: 4) { ...HumanFields2 } }\nfragment "
     "HumanFields1 on Human { name ...HumanFields3 }\nfragment HumanFields2 on Human { name }\nfragment HumanFields3 "
     "on Human { name }\nfragment Unused1 on Human { name }\nfragment Unused2 on Human { name ...Unused1 }",
     "[{\"message\":\"Fragment \\\"Unused1\\\" is never "
     "used.\",\"locations\":[{\"line\":6,\"column\":1}]},{\"message\":\"Fragment \\\"Unused2\\\" is never "
     "used.\",\"locations\":[{\"line\":7,\"column\":1}]}]"},
    {"PossibleFragmentSpreadsRule",
     "fragment dogFragment on Dog { barkVolume }\n{ dog { ...dogFragment ... on Pet { name } } pet { ... on Dog { "
     "barks } } catOrDog { ... on Cat { meows } } }",
     "[]"},
    {"PossibleFragmentSpreadsRule",
     "fragment invalidObjectWithinObject on Cat { ...dogFragment }\nfragment dogFragment on Dog { barkVolume }\n{ cat "
     "{ ...invalidObjectWithinObject } }",
     "[{\"message\":\"Fragment \\\"dogFragment\\\" cannot be spread here as objects of type \\\"Cat\\\" can never be "
     "of type \\\"Dog\\\".\",\"locations\":[{\"line\":1,\"column\":45}]}]"},
    {"PossibleFragmentSpreadsRule", "{ dog { ... on Cat { meowVolume } } }",
     "[{\"message\":\"Fragment cannot be spread here as objects of type \\\"Dog\\\" can never be of type "
     "\\\"Cat\\\".\",\"locations\":[{\"line\":1,\"column\":9}]},{\"message\":\"Cannot query field \\\"meowVolume\\\" "
     "on type \\\"Cat\\\". Did you mean \\\"meowsVolume\\\"?\",\"locations\":[{\"line\":1,\"column\":22}]}]"},
    {"PossibleFragmentSpreadsRule",
     "{ dogOrHuman { ... on CatOrDog { ... on Cat { meows } } } humanOrAlien { ... on Pet { name } } }",
     "[{\"message\":\"Fragment cannot be spread here as objects of type \\\"HumanOrAlien\\\" can never be of type "
     "\\\"Pet\\\".\",\"locations\":[{\"line\":1,\"column\":74}]}]"},
    {"PossibleFragmentSpreadsRule", "{ being { ... on Pet { name } } }",
     "[{\"message\":\"Fragment cannot be spread here as objects of type \\\"Being\\\" can never be of type "
     "\\\"Pet\\\".\",\"locations\":[{\"line\":1,\"column\":11}]}]"},
    {"NoFragmentCyclesRule", "{ dog { ...fragA } }\nfragment fragA on Dog { ...fragB }\nfragment fragB on Dog { name }",
     "[]"},
    {"NoFragmentCyclesRule", "{ dog { ...fragA } }\nfragment fragA on Dog { ...fragA }",
     "[{\"message\":\"Cannot spread fragment \\\"fragA\\\" within "
     "itself.\",\"locations\":[{\"line\":2,\"column\":25}]}]"},
    {"NoFragmentCyclesRule",
     "{ dog { ...fragA } }\nfragment fragA on Dog { ...fragB }\nfragment fragB on Dog { ...fragC }\nfragment fragC on "
     "Dog { ...fragA ...fragB }",
     "[{\"message\":\"Cannot spread fragment \\\"fragA\\\" within itself via \\\"fragB\\\", "
     "\\\"fragC\\\".\",\"locations\":[{\"line\":2,\"column\":25},{\"line\":3,\"column\":25},{\"line\":4,\"column\":25}]"
     "},{\"message\":\"Cannot spread fragment \\\"fragB\\\" within itself via "
     "\\\"fragC\\\".\",\"locations\":[{\"line\":3,\"column\":25},{\"line\":4,\"column\":34}]}]"},
    {"NoFragmentCyclesRule",
     "{ dog { ...fragA } }\nfragment fragA on Dog { mother { ...fragB } }\nfragment fragB on Dog { father { ...fragA } "
     "}",
     "[{\"message\":\"Cannot spread fragment \\\"fragA\\\" within itself via "
     "\\\"fragB\\\".\",\"locations\":[{\"line\":2,\"column\":34},{\"line\":3,\"column\":34}]}]"},
    {"UniqueVariableNamesRule",
     "query A($x: Int, $y: String) { __typename }\nquery B($x: String, $y: Int) { __typename }",
     "[{\"message\":\"Variable \\\"$x\\\" is never used in operation "
     "\\\"A\\\".\",\"locations\":[{\"line\":1,\"column\":9}]},{\"message\":\"Variable \\\"$y\\\" is never used in "
     "operation \\\"A\\\".\",\"locations\":[{\"line\":1,\"column\":18}]},{\"message\":\"Variable \\\"$x\\\" is never "
     "used in operation \\\"B\\\".\",\"locations\":[{\"line\":2,\"column\":9}]},{\"message\":\"Variable \\\"$y\\\" is "
     "never used in operation \\\"B\\\".\",\"locations\":[{\"line\":2,\"column\":21}]}]"},
    {"UniqueVariableNamesRule",
     "query A($x: Int, $x: Int, $x: String) { __typename }\nquery B($y: String, $y: Int) { __typename }",
     "[{\"message\":\"There can be only one variable named "
     "\\\"$x\\\".\",\"locations\":[{\"line\":1,\"column\":10},{\"line\":1,\"column\":19},{\"line\":1,\"column\":28}]},{"
     "\"message\":\"Variable \\\"$x\\\" is never used in operation "
     "\\\"A\\\".\",\"locations\":[{\"line\":1,\"column\":9}]},{\"message\":\"Variable \\\"$x\\\" is never used in "
     "operation \\\"A\\\".\",\"locations\":[{\"line\":1,\"column\":18}]},{\"message\":\"Variable \\\"$x\\\" is never "
     "used in operation \\\"A\\\".\",\"locations\":[{\"line\":1,\"column\":27}]},{\"message\":\"There can be only one "
     "variable named "
     "\\\"$y\\\".\",\"locations\":[{\"line\":2,\"column\":10},{\"line\":2,\"column\":22}]},{\"message\":\"Variable "
     "\\\"$y\\\" is never used in operation "
     "\\\"B\\\".\",\"locations\":[{\"line\":2,\"column\":9}]},{\"message\":\"Variable \\\"$y\\\" is never used in "
     "operation \\\"B\\\".\",\"locations\":[{\"line\":2,\"column\":21}]}]"},
    {"NoUndefinedVariablesRule",
     "query Foo($a: String, $b: String) { complicatedArgs { stringArgField(stringArg: $a) s2: "
     "stringArgField(stringArg: $b) } }",
     "[]"},
    {"NoUndefinedVariablesRule",
     "query Foo($a: String) { complicatedArgs { stringArgField(stringArg: $a) s2: stringArgField(stringArg: $b) } }",
     "[{\"message\":\"Variable \\\"$b\\\" is not defined by operation "
     "\\\"Foo\\\".\",\"locations\":[{\"line\":1,\"column\":103},{\"line\":1,\"column\":1}]}]"},
    {"NoUndefinedVariablesRule", "{ dog { ...F } }\nfragment F on Dog { isAtLocation(x: $x, y: $y) }",
     "[{\"message\":\"Variable \\\"$x\\\" is not "
     "defined.\",\"locations\":[{\"line\":2,\"column\":37},{\"line\":1,\"column\":1}]},{\"message\":\"Variable "
     "\\\"$y\\\" is not defined.\",\"locations\":[{\"line\":2,\"column\":44},{\"line\":1,\"column\":1}]}]"},
    {"NoUndefinedVariablesRule",
     "query Foo($x: Int) { dog { ...F } }\nquery Bar { dog { ...F } }\nfragment F on Dog { isAtLocation(x: $x) }",
     "[{\"message\":\"Variable \\\"$x\\\" is not defined by operation "
     "\\\"Bar\\\".\",\"locations\":[{\"line\":3,\"column\":37},{\"line\":2,\"column\":1}]}]"},
    {"NoUnusedVariablesRule",
     "query Foo($a: String) { ...F }\nfragment F on QueryRoot { complicatedArgs { stringArgField(stringArg: $a) } }",
     "[]"},
    {"NoUnusedVariablesRule",
     "query Foo($a: String, $b: String, $c: String) { complicatedArgs { stringArgField(stringArg: $b) } }",
     "[{\"message\":\"Variable \\\"$a\\\" is never used in operation "
     "\\\"Foo\\\".\",\"locations\":[{\"line\":1,\"column\":11}]},{\"message\":\"Variable \\\"$c\\\" is never used in "
     "operation \\\"Foo\\\".\",\"locations\":[{\"line\":1,\"column\":35}]}]"},
    {"NoUnusedVariablesRule", "query ($a: String) { __typename }",
     "[{\"message\":\"Variable \\\"$a\\\" is never used.\",\"locations\":[{\"line\":1,\"column\":8}]}]"},
    {"KnownDirectivesRule", "{ dog @include(if: true) { name } human @skip(if: false) { name } }", "[]"},
    {"KnownDirectivesRule", "{ dog @unknown(directive: \"value\") { name } }",
     "[{\"message\":\"Unknown directive \\\"@unknown\\\".\",\"locations\":[{\"line\":1,\"column\":7}]}]"},
    {"KnownDirectivesRule",
     "query Foo @onField { dog @onQuery { name ...F @onQuery } }\nfragment F on Dog @onField { name }",
     "[{\"message\":\"Directive \\\"@onField\\\" may not be used on "
     "QUERY.\",\"locations\":[{\"line\":1,\"column\":11}]},{\"message\":\"Directive \\\"@onQuery\\\" may not be used "
     "on FIELD.\",\"locations\":[{\"line\":1,\"column\":26}]},{\"message\":\"Directive \\\"@onQuery\\\" may not be "
     "used on FRAGMENT_SPREAD.\",\"locations\":[{\"line\":1,\"column\":47}]},{\"message\":\"Directive \\\"@onField\\\" "
     "may not be used on FRAGMENT_DEFINITION.\",\"locations\":[{\"line\":2,\"column\":19}]}]"},
    {"KnownDirectivesRule", "query Foo($a: Int @onField) @onQuery { dog { ... @include(if: true) { name } } }",
     "[{\"message\":\"Directive \\\"@onField\\\" may not be used on "
     "VARIABLE_DEFINITION.\",\"locations\":[{\"line\":1,\"column\":19}]},{\"message\":\"Variable \\\"$a\\\" is never "
     "used in operation \\\"Foo\\\".\",\"locations\":[{\"line\":1,\"column\":11}]}]"},
    {"UniqueDirectivesPerLocationRule",
     "{ dog @skip(if: true) @include(if: true) { name @repeatableDir @repeatableDir } }", "[]"},
    {"UniqueDirectivesPerLocationRule", "{ dog { name @onField @onField @onField } }",
     "[{\"message\":\"The directive \\\"@onField\\\" can only be used once at this "
     "location.\",\"locations\":[{\"line\":1,\"column\":14},{\"line\":1,\"column\":23}]},{\"message\":\"The directive "
     "\\\"@onField\\\" can only be used once at this "
     "location.\",\"locations\":[{\"line\":1,\"column\":14},{\"line\":1,\"column\":32}]}]"},
    {"UniqueDirectivesPerLocationRule",
     "fragment F on Dog @onField @onField { name }\n{ dog { ...F @skip(if: true) @skip(if: false) } }",
     "[{\"message\":\"The directive \\\"@onField\\\" can only be used once at this "
     "location.\",\"locations\":[{\"line\":1,\"column\":19},{\"line\":1,\"column\":28}]},{\"message\":\"Directive "
     "\\\"@onField\\\" may not be used on "
     "FRAGMENT_DEFINITION.\",\"locations\":[{\"line\":1,\"column\":19}]},{\"message\":\"Directive \\\"@onField\\\" may "
     "not be used on FRAGMENT_DEFINITION.\",\"locations\":[{\"line\":1,\"column\":28}]},{\"message\":\"The directive "
     "\\\"@skip\\\" can only be used once at this "
     "location.\",\"locations\":[{\"line\":2,\"column\":14},{\"line\":2,\"column\":30}]}]"},
    {"KnownArgumentNamesRule",
     "{ dog { doesKnowCommand(dogCommand: SIT) isHouseTrained(atOtherHomes: true) } human @include(if: true) { name } "
     "}",
     "[]"},
    {"KnownArgumentNamesRule", "{ dog @skip(iff: true) { name } }",
     "[{\"message\":\"Unknown argument \\\"iff\\\" on directive \\\"@skip\\\". Did you mean "
     "\\\"if\\\"?\",\"locations\":[{\"line\":1,\"column\":13}]},{\"message\":\"Directive \\\"@skip\\\" argument "
     "\\\"if\\\" of type \\\"Boolean!\\\" is required, but it was not "
     "provided.\",\"locations\":[{\"line\":1,\"column\":7}]}]"},
    {"KnownArgumentNamesRule", "{ dog { doesKnowCommand(dogcommand: SIT) isHouseTrained(unknown: true) } }",
     "[{\"message\":\"Unknown argument \\\"dogcommand\\\" on field \\\"Dog.doesKnowCommand\\\". Did you mean "
     "\\\"dogCommand\\\"?\",\"locations\":[{\"line\":1,\"column\":25}]},{\"message\":\"Unknown argument "
     "\\\"unknown\\\" on field \\\"Dog.isHouseTrained\\\".\",\"locations\":[{\"line\":1,\"column\":57}]}]"},
    {"KnownArgumentNamesRule", "{ dog @onField(arg: 1) { name } }",
     "[{\"message\":\"Unknown argument \\\"arg\\\" on directive "
     "\\\"@onField\\\".\",\"locations\":[{\"line\":1,\"column\":16}]}]"},
    {"UniqueArgumentNamesRule", "{ dog { isAtLocation(x: 1, y: 2) } }", "[]"},
    {"UniqueArgumentNamesRule", "{ dog { isAtLocation(x: 1, x: 2, x: 3) } human @skip(if: true, if: false) { name } }",
     "[{\"message\":\"There can be only one argument named "
     "\\\"x\\\".\",\"locations\":[{\"line\":1,\"column\":22},{\"line\":1,\"column\":28},{\"line\":1,\"column\":34}]},{"
     "\"message\":\"There can be only one argument named "
     "\\\"if\\\".\",\"locations\":[{\"line\":1,\"column\":54},{\"line\":1,\"column\":64}]}]"},
    {"ValuesOfCorrectTypeRule",
     "{ complicatedArgs { intArgField(intArg: 2) stringArgField(stringArg: \"s\") booleanArgField(booleanArg: true) "
     "enumArgField(enumArg: BROWN) floatArgField(floatArg: 1) idArgField(idArg: 1) stringListArgField(stringListArg: "
     "\"one\") complexArgField(complexArg: {requiredField: true, intField: 4}) } }",
     "[]"},
    {"ValuesOfCorrectTypeRule", "{ complicatedArgs { intArgField(intArg: \"3\") } }",
     "[{\"message\":\"Int cannot represent non-integer value: "
     "\\\"3\\\"\",\"locations\":[{\"line\":1,\"column\":41}]}]"},
    {"ValuesOfCorrectTypeRule", "{ complicatedArgs { intArgField(intArg: 829384293849283498239482938) } }",
     "[{\"message\":\"Int cannot represent non 32-bit signed integer value: "
     "829384293849283498239482938\",\"locations\":[{\"line\":1,\"column\":41}]}]"},
    {"ValuesOfCorrectTypeRule",
     "{ complicatedArgs { stringArgField(stringArg: 1) floatArgField(floatArg: \"1.0\") booleanArgField(booleanArg: 1) "
     "idArgField(idArg: 1.5) } }",
     "[{\"message\":\"String cannot represent a non string value: "
     "1\",\"locations\":[{\"line\":1,\"column\":47}]},{\"message\":\"Float cannot represent non numeric value: "
     "\\\"1.0\\\"\",\"locations\":[{\"line\":1,\"column\":74}]},{\"message\":\"Boolean cannot represent a non boolean "
     "value: 1\",\"locations\":[{\"line\":1,\"column\":109}]},{\"message\":\"ID cannot represent a non-string and "
     "non-integer value: 1.5\",\"locations\":[{\"line\":1,\"column\":130}]}]"},
    {"ValuesOfCorrectTypeRule",
     "{ complicatedArgs { enumArgField(enumArg: \"BROWN\") } dog { doesKnowCommand(dogCommand: sit) } }",
     "[{\"message\":\"Enum \\\"FurColor\\\" cannot represent non-enum value: \\\"BROWN\\\". Did you mean the enum "
     "value \\\"BROWN\\\"?\",\"locations\":[{\"line\":1,\"column\":43}]},{\"message\":\"Value \\\"sit\\\" does not "
     "exist in \\\"DogCommand\\\" enum. Did you mean the enum value "
     "\\\"SIT\\\"?\",\"locations\":[{\"line\":1,\"column\":88}]}]"},
    {"ValuesOfCorrectTypeRule",
     "{ complicatedArgs { enumArgField(enumArg: brown) e2: enumArgField(enumArg: BLUE) e3: enumArgField(enumArg: true) "
     "} }",
     "[{\"message\":\"Value \\\"brown\\\" does not exist in \\\"FurColor\\\" enum. Did you mean the enum value "
     "\\\"BROWN\\\"?\",\"locations\":[{\"line\":1,\"column\":43}]},{\"message\":\"Value \\\"BLUE\\\" does not exist in "
     "\\\"FurColor\\\" enum.\",\"locations\":[{\"line\":1,\"column\":76}]},{\"message\":\"Enum \\\"FurColor\\\" cannot "
     "represent non-enum value: true.\",\"locations\":[{\"line\":1,\"column\":108}]}]"},
    {"ValuesOfCorrectTypeRule",
     "{ complicatedArgs { nonNullIntArgField(nonNullIntArg: null) stringListArgField(stringListArg: [\"one\", 2]) "
     "stringListNonNullArgField(stringListNonNullArg: [\"one\", null]) } }",
     "[{\"message\":\"Expected value of type \\\"Int!\\\", found "
     "null.\",\"locations\":[{\"line\":1,\"column\":55}]},{\"message\":\"String cannot represent a non string value: "
     "2\",\"locations\":[{\"line\":1,\"column\":103}]},{\"message\":\"Expected value of type \\\"String!\\\", found "
     "null.\",\"locations\":[{\"line\":1,\"column\":163}]}]"},
    {"ValuesOfCorrectTypeRule",
     "{ complicatedArgs { complexArgField(complexArg: {intField: 4}) c2: complexArgField(complexArg: {requiredField: "
     "true, unknownField: \"value\"}) c3: complexArgField(complexArg: {requiredField: true, stringListField: [\"one\", "
     "2]}) } }",
     "[{\"message\":\"Field \\\"ComplexInput.requiredField\\\" of required type \\\"Boolean!\\\" was not "
     "provided.\",\"locations\":[{\"line\":1,\"column\":49}]},{\"message\":\"Field \\\"unknownField\\\" is not defined "
     "by type \\\"ComplexInput\\\".\",\"locations\":[{\"line\":1,\"column\":118}]},{\"message\":\"String cannot "
     "represent a non string value: 2\",\"locations\":[{\"line\":1,\"column\":221}]}]"},
    {"ValuesOfCorrectTypeRule",
     "{ complicatedArgs { complexArgField(complexArg: {requiredField: true, nonNullField: null}) c2: "
     "complexArgField(complexArg: {requiredField: true, intfield: 2}) intArgField(intArg: {a: 1}) c3: "
     "complexArgField(complexArg: [1, 2]) } }",
     "[{\"message\":\"Expected value of type \\\"Boolean!\\\", found "
     "null.\",\"locations\":[{\"line\":1,\"column\":85}]},{\"message\":\"Field \\\"intfield\\\" is not defined by type "
     "\\\"ComplexInput\\\". Did you mean \\\"intField\\\" or "
     "\\\"stringField\\\"?\",\"locations\":[{\"line\":1,\"column\":146}]},{\"message\":\"Int cannot represent "
     "non-integer value: {a: 1}\",\"locations\":[{\"line\":1,\"column\":180}]},{\"message\":\"Expected value of type "
     "\\\"ComplexInput\\\", found [1, 2].\",\"locations\":[{\"line\":1,\"column\":220}]}]"},
    {"ValuesOfCorrectTypeRule",
     "query Q($a: Int = \"one\", $b: ComplexInput = {requiredField: 1}, $c: [String] = [1, \"two\"], $d: Int! = null) "
     "{ complicatedArgs { intArgField(intArg: $a) complexArgField(complexArg: $b) stringListArgField(stringListArg: "
     "$c) i2: intArgField(intArg: $d) } }",
     "[{\"message\":\"Int cannot represent non-integer value: "
     "\\\"one\\\"\",\"locations\":[{\"line\":1,\"column\":19}]},{\"message\":\"Boolean cannot represent a non boolean "
     "value: 1\",\"locations\":[{\"line\":1,\"column\":61}]},{\"message\":\"String cannot represent a non string "
     "value: 1\",\"locations\":[{\"line\":1,\"column\":81}]},{\"message\":\"Expected value of type \\\"Int!\\\", found "
     "null.\",\"locations\":[{\"line\":1,\"column\":103}]}]"},
    {"ValuesOfCorrectTypeRule",
     "query Q($s: String, $t: String!) { complicatedArgs { oneOfArgField(oneOfArg: {stringField: \"a\"}) o2: "
     "oneOfArgField(oneOfArg: {stringField: \"a\", intField: 1}) o3: oneOfArgField(oneOfArg: {stringField: null}) o4: "
     "oneOfArgField(oneOfArg: {stringField: $s}) o5: oneOfArgField(oneOfArg: {stringField: $t}) o6: "
     "oneOfArgField(oneOfArg: {}) } }",
     "[{\"message\":\"OneOf Input Object \\\"OneOfInput\\\" must specify exactly one "
     "key.\",\"locations\":[{\"line\":1,\"column\":126}]},{\"message\":\"Field \\\"OneOfInput.stringField\\\" must be "
     "non-null.\",\"locations\":[{\"line\":1,\"column\":187}]},{\"message\":\"Variable \\\"s\\\" must be non-nullable "
     "to be used for OneOf Input Object "
     "\\\"OneOfInput\\\".\",\"locations\":[{\"line\":1,\"column\":236}]},{\"message\":\"OneOf Input Object "
     "\\\"OneOfInput\\\" must specify exactly one key.\",\"locations\":[{\"line\":1,\"column\":330}]}]"},
    {"ValuesOfCorrectTypeRule",
     "{ dog { isHouseTrained(atOtherHomes: \"x\\n\\\"y\\\"\") } complicatedArgs { floatArgField(floatArg: true) } }",
     "[{\"message\":\"Boolean cannot represent a non boolean value: "
     "\\\"x\\\\n\\\\\\\"y\\\\\\\"\\\"\",\"locations\":[{\"line\":1,\"column\":38}]},{\"message\":\"Float cannot "
     "represent non numeric value: true\",\"locations\":[{\"line\":1,\"column\":94}]}]"},
    {"ProvidedRequiredArgumentsRule",
     "{ complicatedArgs { multipleReqs(req1: 1, req2: 2) nonNullFieldWithDefault multipleOpts multipleOptAndReq(req1: "
     "1, req2: 2) } dog { isHouseTrained } }",
     "[]"},
    {"ProvidedRequiredArgumentsRule",
     "{ complicatedArgs { multipleReqs(req2: 2) m2: multipleReqs nonNullIntArgField } }",
     "[{\"message\":\"Field \\\"multipleReqs\\\" argument \\\"req1\\\" of type \\\"Int!\\\" is required, but it was "
     "not provided.\",\"locations\":[{\"line\":1,\"column\":21}]},{\"message\":\"Field \\\"multipleReqs\\\" argument "
     "\\\"req1\\\" of type \\\"Int!\\\" is required, but it was not "
     "provided.\",\"locations\":[{\"line\":1,\"column\":43}]},{\"message\":\"Field \\\"multipleReqs\\\" argument "
     "\\\"req2\\\" of type \\\"Int!\\\" is required, but it was not "
     "provided.\",\"locations\":[{\"line\":1,\"column\":43}]},{\"message\":\"Field \\\"nonNullIntArgField\\\" argument "
     "\\\"nonNullIntArg\\\" of type \\\"Int!\\\" is required, but it was not "
     "provided.\",\"locations\":[{\"line\":1,\"column\":60}]}]"},
    {"ProvidedRequiredArgumentsRule", "{ dog @include { name @skip } human @withReq { name } }",
     "[{\"message\":\"Directive \\\"@include\\\" argument \\\"if\\\" of type \\\"Boolean!\\\" is required, but it was "
     "not provided.\",\"locations\":[{\"line\":1,\"column\":7}]},{\"message\":\"Directive \\\"@skip\\\" argument "
     "\\\"if\\\" of type \\\"Boolean!\\\" is required, but it was not "
     "provided.\",\"locations\":[{\"line\":1,\"column\":23}]},{\"message\":\"Directive \\\"@withReq\\\" argument "
     "\\\"arg\\\" of type \\\"Int!\\\" is required, but it was not "
     "provided.\",\"locations\":[{\"line\":1,\"column\":37}]}]"},
    {"VariablesInAllowedPositionRule",
     "query Q($intArg: Int!, $s: [String], $b: Boolean) { complicatedArgs { nonNullIntArgField(nonNullIntArg: $intArg) "
     "intArgField(intArg: $intArg) stringListArgField(stringListArg: $s) } dog @include(if: true) { "
     "isHouseTrained(atOtherHomes: $b) } }",
     "[]"},
    {"VariablesInAllowedPositionRule",
     "query Q($intArg: Int) { complicatedArgs { nonNullIntArgField(nonNullIntArg: $intArg) } }",
     "[{\"message\":\"Variable \\\"$intArg\\\" of type \\\"Int\\\" used in position expecting type "
     "\\\"Int!\\\".\",\"locations\":[{\"line\":1,\"column\":9},{\"line\":1,\"column\":77}]}]"},
    {"VariablesInAllowedPositionRule",
     "query Q($intArg: Int = 1, $nullDefault: Int = null) { complicatedArgs { nonNullIntArgField(nonNullIntArg: "
     "$intArg) n2: nonNullIntArgField(nonNullIntArg: $nullDefault) nonNullFieldWithDefault(arg: $nullDefault) } }",
     "[{\"message\":\"Variable \\\"$nullDefault\\\" of type \\\"Int\\\" used in position expecting type "
     "\\\"Int!\\\".\",\"locations\":[{\"line\":1,\"column\":27},{\"line\":1,\"column\":154}]}]"},
    {"VariablesInAllowedPositionRule",
     "query Q($stringVar: String, $boolVar: Boolean) { complicatedArgs { intArgField(intArg: $stringVar) } dog "
     "@include(if: $boolVar) { name } }",
     "[{\"message\":\"Variable \\\"$stringVar\\\" of type \\\"String\\\" used in position expecting type "
     "\\\"Int\\\".\",\"locations\":[{\"line\":1,\"column\":9},{\"line\":1,\"column\":88}]},{\"message\":\"Variable "
     "\\\"$boolVar\\\" of type \\\"Boolean\\\" used in position expecting type "
     "\\\"Boolean!\\\".\",\"locations\":[{\"line\":1,\"column\":29},{\"line\":1,\"column\":119}]}]"},
    {"VariablesInAllowedPositionRule",
     "query Q($s: String) { ...F }\nfragment F on QueryRoot { complicatedArgs { "
     "stringListNonNullArgField(stringListNonNullArg: [$s]) } }",
     "[{\"message\":\"Variable \\\"$s\\\" of type \\\"String\\\" used in position expecting type "
     "\\\"String!\\\".\",\"locations\":[{\"line\":1,\"column\":9},{\"line\":2,\"column\":94}]}]"},
    {"VariablesInAllowedPositionRule",
     "query Q($b: Boolean) { dog @include(if: $b) { name } complicatedArgs { complexArgField(complexArg: "
     "{requiredField: $b}) c2: complexArgField(complexArg: {requiredField: true, nonNullField: $b}) } }",
     "[{\"message\":\"Variable \\\"$b\\\" of type \\\"Boolean\\\" used in position expecting type "
     "\\\"Boolean!\\\".\",\"locations\":[{\"line\":1,\"column\":9},{\"line\":1,\"column\":41}]},{\"message\":"
     "\"Variable \\\"$b\\\" of type \\\"Boolean\\\" used in position expecting type "
     "\\\"Boolean!\\\".\",\"locations\":[{\"line\":1,\"column\":9},{\"line\":1,\"column\":116}]}]"},
    /* block strings in messages are printed as graphql-js print() prints them (printBlockString) */
    {"ValuesOfCorrectTypeRule",
     "{ complicatedArgs { enumArgField(enumArg: \"\"\"a\nb\"\"\") e2: enumArgField(enumArg: \"\"\"x\"\"\") } }",
     "[{\"message\":\"Enum \\\"FurColor\\\" cannot represent non-enum value: "
     "\\\"\\\"\\\"\\na\\nb\\n\\\"\\\"\\\".\",\"locations\":[{\"line\":1,\"column\":43}]},{\"message\":\"Enum "
     "\\\"FurColor\\\" cannot represent non-enum value: "
     "\\\"\\\"\\\"x\\\"\\\"\\\".\",\"locations\":[{\"line\":2,\"column\":33}]}]"},
    {"ValuesOfCorrectTypeRule", "{ complicatedArgs { complexArgField(complexArg: \"\"\"a\n  b\"\"\") } }",
     "[{\"message\":\"Expected value of type \\\"ComplexInput\\\", found "
     "\\\"\\\"\\\"\\na\\nb\\n\\\"\\\"\\\".\",\"locations\":[{\"line\":1,\"column\":49}]}]"},
    /* arguments compare as sortValueNode sorts them: stably, so repeated names keep their order */
    {"OverlappingFieldsCanBeMergedRule",
     "{ complicatedArgs { complexArgField(complexArg: {requiredField: true, intField: 1, intField: 2}) "
     "complexArgField(complexArg: {intField: 2, requiredField: true, intField: 1}) } }",
     "[{\"message\":\"Fields \\\"complexArgField\\\" conflict because they have differing arguments. Use different "
     "aliases on the fields to fetch both if this was "
     "intentional.\",\"locations\":[{\"line\":1,\"column\":21},{\"line\":1,\"column\":98}]},{\"message\":\"There can "
     "be only one input field named "
     "\\\"intField\\\".\",\"locations\":[{\"line\":1,\"column\":71},{\"line\":1,\"column\":84}]},{\"message\":\"There "
     "can be only one input field named "
     "\\\"intField\\\".\",\"locations\":[{\"line\":1,\"column\":127},{\"line\":1,\"column\":161}]}]"},
    {"OverlappingFieldsCanBeMergedRule", "{ dog { name name otherName: nickname ...F } }\nfragment F on Dog { name }",
     "[]"},
    {"OverlappingFieldsCanBeMergedRule", "{ dog { fido: name fido: nickname } }",
     "[{\"message\":\"Fields \\\"fido\\\" conflict because \\\"name\\\" and \\\"nickname\\\" are different fields. Use "
     "different aliases on the fields to fetch both if this was "
     "intentional.\",\"locations\":[{\"line\":1,\"column\":9},{\"line\":1,\"column\":20}]}]"},
    {"OverlappingFieldsCanBeMergedRule",
     "{ dog { doesKnowCommand(dogCommand: SIT) doesKnowCommand(dogCommand: HEEL) doesKnowCommand } }",
     "[{\"message\":\"Fields \\\"doesKnowCommand\\\" conflict because they have differing arguments. Use different "
     "aliases on the fields to fetch both if this was "
     "intentional.\",\"locations\":[{\"line\":1,\"column\":9},{\"line\":1,\"column\":42}]},{\"message\":\"Fields "
     "\\\"doesKnowCommand\\\" conflict because they have differing arguments. Use different aliases on the fields to "
     "fetch both if this was "
     "intentional.\",\"locations\":[{\"line\":1,\"column\":9},{\"line\":1,\"column\":76}]},{\"message\":\"Fields "
     "\\\"doesKnowCommand\\\" conflict because they have differing arguments. Use different aliases on the fields to "
     "fetch both if this was intentional.\",\"locations\":[{\"line\":1,\"column\":42},{\"line\":1,\"column\":76}]}]"},
    {"OverlappingFieldsCanBeMergedRule", "{ dog { x: name } ...F }\nfragment F on QueryRoot { dog { x: barks } }",
     "[{\"message\":\"Fields \\\"dog\\\" conflict because subfields \\\"x\\\" conflict because \\\"name\\\" and "
     "\\\"barks\\\" are different fields. Use different aliases on the fields to fetch both if this was "
     "intentional.\",\"locations\":[{\"line\":1,\"column\":3},{\"line\":1,\"column\":9},{\"line\":2,\"column\":27},{"
     "\"line\":2,\"column\":33}]}]"},
    {"OverlappingFieldsCanBeMergedRule", "{ catOrDog { ... on Dog { name: barkVolume } ... on Cat { name } } }",
     "[{\"message\":\"Fields \\\"name\\\" conflict because they return conflicting types \\\"Int\\\" and "
     "\\\"String\\\". Use different aliases on the fields to fetch both if this was "
     "intentional.\",\"locations\":[{\"line\":1,\"column\":27},{\"line\":1,\"column\":59}]}]"},
    {"OverlappingFieldsCanBeMergedRule", "{ dog { mother { x: name } } dog { mother { x: nickname } } }",
     "[{\"message\":\"Fields \\\"dog\\\" conflict because subfields \\\"mother\\\" conflict because subfields "
     "\\\"x\\\" conflict because \\\"name\\\" and \\\"nickname\\\" are different fields. Use different aliases on the "
     "fields to fetch both if this was "
     "intentional.\",\"locations\":[{\"line\":1,\"column\":3},{\"line\":1,\"column\":9},{\"line\":1,\"column\":18},{"
     "\"line\":1,\"column\":30},{\"line\":1,\"column\":36},{\"line\":1,\"column\":45}]}]"},
    {"OverlappingFieldsCanBeMergedRule", "{ field: dog { x: name y: barks } field: dog { x: nickname y: barkVolume } }",
     "[{\"message\":\"Fields \\\"field\\\" conflict because subfields \\\"x\\\" conflict because \\\"name\\\" and "
     "\\\"nickname\\\" are different fields and subfields \\\"y\\\" conflict because \\\"barks\\\" and "
     "\\\"barkVolume\\\" are different fields. Use different aliases on the fields to fetch both if this was "
     "intentional.\",\"locations\":[{\"line\":1,\"column\":3},{\"line\":1,\"column\":16},{\"line\":1,\"column\":24},{"
     "\"line\":1,\"column\":35},{\"line\":1,\"column\":48},{\"line\":1,\"column\":60}]}]"},
    {"OverlappingFieldsCanBeMergedRule", "{ pet { ... on Dog { name } ... on Cat { name: nickname } } }", "[]"},
    {"OverlappingFieldsCanBeMergedRule",
     "{ dog { ...A ...B } }\nfragment A on Dog { x: name }\nfragment B on Dog { x: barks }",
     "[{\"message\":\"Fields \\\"x\\\" conflict because \\\"name\\\" and \\\"barks\\\" are different fields. Use "
     "different aliases on the fields to fetch both if this was "
     "intentional.\",\"locations\":[{\"line\":2,\"column\":21},{\"line\":3,\"column\":21}]}]"},
    {"OverlappingFieldsCanBeMergedRule",
     "{ dog { isAtLocation(x: 1, y: 2) isAtLocation(y: 2, x: 1) } complicatedArgs { complexArgField(complexArg: "
     "{requiredField: true, intField: 1}) complexArgField(complexArg: {intField: 1, requiredField: true}) } }",
     "[]"},
    {"OverlappingFieldsCanBeMergedRule",
     "fragment fragA on Human { name, relatives { name, ...fragA } }\n{ human { ...fragA } }",
     "[{\"message\":\"Cannot spread fragment \\\"fragA\\\" within "
     "itself.\",\"locations\":[{\"line\":1,\"column\":51}]}]"},
    {"UniqueInputFieldNamesRule",
     "{ complicatedArgs { complexArgField(complexArg: {requiredField: true, intField: 1, requiredField: false}) } }",
     "[{\"message\":\"There can be only one input field named "
     "\\\"requiredField\\\".\",\"locations\":[{\"line\":1,\"column\":50},{\"line\":1,\"column\":84}]}]"},
    {"UniqueInputFieldNamesRule",
     "{ complicatedArgs { complexArgField(complexArg: {requiredField: true, stringListField: [\"a\"]}) } }", "[]"},
    {"UniqueInputFieldNamesRule",
     "{ complicatedArgs { oneOfArgField(oneOfArg: {intField: 1, intField: 2, intField: 3}) } }",
     "[{\"message\":\"There can be only one input field named "
     "\\\"intField\\\".\",\"locations\":[{\"line\":1,\"column\":46},{\"line\":1,\"column\":59}]},{\"message\":\"There "
     "can be only one input field named "
     "\\\"intField\\\".\",\"locations\":[{\"line\":1,\"column\":46},{\"line\":1,\"column\":72}]}]"},
    {"Mixed",
     "query Q($unused: Int, $x: Dog) { dog(name: 1) { name @skip(if: $undef) ...Missing meows } ...Frag }\nfragment "
     "Frag on Cat { meows }\nfragment Unused on Dog { barks }",
     "[{\"message\":\"Variable \\\"$x\\\" cannot be non-input type "
     "\\\"Dog\\\".\",\"locations\":[{\"line\":1,\"column\":27}]},{\"message\":\"Unknown argument \\\"name\\\" on field "
     "\\\"QueryRoot.dog\\\".\",\"locations\":[{\"line\":1,\"column\":38}]},{\"message\":\"Unknown fragment "
     "\\\"Missing\\\".\",\"locations\":[{\"line\":1,\"column\":75}]},{\"message\":\"Cannot query field \\\"meows\\\" "
     "on type \\\"Dog\\\".\",\"locations\":[{\"line\":1,\"column\":83}]},{\"message\":\"Fragment \\\"Frag\\\" cannot "
     "be spread here as objects of type \\\"QueryRoot\\\" can never be of type "
     "\\\"Cat\\\".\",\"locations\":[{\"line\":1,\"column\":91}]},{\"message\":\"Variable \\\"$undef\\\" is not defined "
     "by operation "
     "\\\"Q\\\".\",\"locations\":[{\"line\":1,\"column\":64},{\"line\":1,\"column\":1}]},{\"message\":\"Variable "
     "\\\"$unused\\\" is never used in operation "
     "\\\"Q\\\".\",\"locations\":[{\"line\":1,\"column\":9}]},{\"message\":\"Variable \\\"$x\\\" is never used in "
     "operation \\\"Q\\\".\",\"locations\":[{\"line\":1,\"column\":23}]},{\"message\":\"Fragment \\\"Unused\\\" is "
     "never used.\",\"locations\":[{\"line\":3,\"column\":1}]}]"},
    {"Mixed",
     "query Q { __schema { queryType { name } } __type(name: \"Dog\") { fields { name type { name ofType { kind } } } "
     "} }",
     "[]"},
    {"FieldsOnCorrectTypeRule", "{ catOrDog { mother { name } } dogOrHuman { name } humanOrAlien { numEyes } }",
     "[{\"message\":\"Cannot query field \\\"mother\\\" on type \\\"CatOrDog\\\". Did you mean to use an inline "
     "fragment on \\\"Mammal\\\", \\\"Canine\\\", or "
     "\\\"Dog\\\"?\",\"locations\":[{\"line\":1,\"column\":14}]},{\"message\":\"Cannot query field \\\"name\\\" on "
     "type \\\"DogOrHuman\\\". Did you mean to use an inline fragment on \\\"Canine\\\", \\\"Human\\\", \\\"Pet\\\", "
     "or \\\"Dog\\\"?\",\"locations\":[{\"line\":1,\"column\":45}]},{\"message\":\"Cannot query field \\\"numEyes\\\" "
     "on type \\\"HumanOrAlien\\\". Did you mean to use an inline fragment on "
     "\\\"Alien\\\"?\",\"locations\":[{\"line\":1,\"column\":67}]}]"},
    {"KnownTypeNamesRule", "query ($a: Strin, $b: [Boolen!], $c: complexinput, $d: __Typ) { __typename }",
     "[{\"message\":\"Unknown type \\\"Strin\\\". Did you mean "
     "\\\"String\\\"?\",\"locations\":[{\"line\":1,\"column\":12}]},{\"message\":\"Unknown type \\\"Boolen\\\". Did "
     "you mean \\\"Boolean\\\"?\",\"locations\":[{\"line\":1,\"column\":24}]},{\"message\":\"Unknown type "
     "\\\"complexinput\\\". Did you mean "
     "\\\"ComplexInput\\\"?\",\"locations\":[{\"line\":1,\"column\":38}]},{\"message\":\"Unknown type \\\"__Typ\\\". "
     "Did you mean \\\"__Type\\\"?\",\"locations\":[{\"line\":1,\"column\":56}]},{\"message\":\"Variable \\\"$a\\\" is "
     "never used.\",\"locations\":[{\"line\":1,\"column\":8}]},{\"message\":\"Variable \\\"$b\\\" is never "
     "used.\",\"locations\":[{\"line\":1,\"column\":19}]},{\"message\":\"Variable \\\"$c\\\" is never "
     "used.\",\"locations\":[{\"line\":1,\"column\":34}]},{\"message\":\"Variable \\\"$d\\\" is never "
     "used.\",\"locations\":[{\"line\":1,\"column\":52}]}]"},
    {"NoUndefinedVariablesRule",
     "query Q($v: Boolean) { ...A }\nquery R { ...A }\nfragment A on QueryRoot { dog { ...B } }\nfragment B on Dog { "
     "name @include(if: $v) }",
     "[{\"message\":\"Variable \\\"$v\\\" of type \\\"Boolean\\\" used in position expecting type "
     "\\\"Boolean!\\\".\",\"locations\":[{\"line\":1,\"column\":9},{\"line\":4,\"column\":39}]},{\"message\":"
     "\"Variable \\\"$v\\\" is not defined by operation "
     "\\\"R\\\".\",\"locations\":[{\"line\":4,\"column\":39},{\"line\":2,\"column\":1}]}]"},
    {"VariablesInAllowedPositionRule",
     "query ($a: String = null, $b: String! = \"x\", $i: Int, $c: FurColor, $d: DogCommand) { complicatedArgs { "
     "stringArgField(stringArg: $a) s2: stringArgField(stringArg: $b) stringListArgField(stringListArg: [$i]) "
     "enumArgField(enumArg: $d) e: enumArgField(enumArg: $c) } }",
     "[{\"message\":\"Variable \\\"$i\\\" of type \\\"Int\\\" used in position expecting type "
     "\\\"String\\\".\",\"locations\":[{\"line\":1,\"column\":46},{\"line\":1,\"column\":204}]},{\"message\":"
     "\"Variable \\\"$d\\\" of type \\\"DogCommand\\\" used in position expecting type "
     "\\\"FurColor\\\".\",\"locations\":[{\"line\":1,\"column\":69},{\"line\":1,\"column\":231}]}]"},
    {"OverlappingFieldsCanBeMergedRule",
     "{ f1: dog { ...A } f1: dog { ...B } }\nfragment A on Dog { x: name }\nfragment B on Dog { x: barks }",
     "[{\"message\":\"Fields \\\"f1\\\" conflict because subfields \\\"x\\\" conflict because \\\"name\\\" and "
     "\\\"barks\\\" are different fields. Use different aliases on the fields to fetch both if this was "
     "intentional.\",\"locations\":[{\"line\":1,\"column\":3},{\"line\":2,\"column\":21},{\"line\":1,\"column\":20},{"
     "\"line\":3,\"column\":21}]}]"},
    {"OverlappingFieldsCanBeMergedRule",
     "{ dog { x: nickname ...A } }\nfragment A on Dog { ...B }\nfragment B on Dog { x: name }",
     "[{\"message\":\"Fields \\\"x\\\" conflict because \\\"nickname\\\" and \\\"name\\\" are different fields. Use "
     "different aliases on the fields to fetch both if this was "
     "intentional.\",\"locations\":[{\"line\":1,\"column\":9},{\"line\":3,\"column\":21}]}]"},
    {"OverlappingFieldsCanBeMergedRule",
     "{ pet { ... on Dog { x: mother { name } } ... on Cat { x: nickname } } human { pets { name } } human { pets: "
     "relatives { name } } }",
     "[{\"message\":\"Fields \\\"human\\\" conflict because subfields \\\"pets\\\" conflict because \\\"pets\\\" and "
     "\\\"relatives\\\" are different fields. Use different aliases on the fields to fetch both if this was "
     "intentional.\",\"locations\":[{\"line\":1,\"column\":72},{\"line\":1,\"column\":80},{\"line\":1,\"column\":96},{"
     "\"line\":1,\"column\":104}]},{\"message\":\"Fields \\\"x\\\" conflict because they return conflicting types "
     "\\\"Dog\\\" and \\\"String\\\". Use different aliases on the fields to fetch both if this was "
     "intentional.\",\"locations\":[{\"line\":1,\"column\":22},{\"line\":1,\"column\":56}]}]"},
    {"ValuesOfCorrectTypeRule",
     "{ complicatedArgs { stringArgField(stringArg: \"\\u00e9\\t\\u0001\") s2: intArgField(intArg: "
     "\"a\\\"b\\\\c\\u0007\") e: enumArgField(enumArg: BRWN) } }",
     "[{\"message\":\"Int cannot represent non-integer value: "
     "\\\"a\\\\\\\"b\\\\\\\\c\\\\u0007\\\"\",\"locations\":[{\"line\":1,\"column\":89}]},{\"message\":\"Value "
     "\\\"BRWN\\\" does not exist in \\\"FurColor\\\" enum. Did you mean the enum value "
     "\\\"BROWN\\\"?\",\"locations\":[{\"line\":1,\"column\":131}]}]"},
    {"UniqueInputFieldNamesRule",
     "{ complicatedArgs { complexArgField(complexArg: {requiredField: true, stringListField: [{a: 1, a: 2}]}) } }",
     "[{\"message\":\"String cannot represent a non string value: {a: 1, a: "
     "2}\",\"locations\":[{\"line\":1,\"column\":89}]},{\"message\":\"There can be only one input field named "
     "\\\"a\\\".\",\"locations\":[{\"line\":1,\"column\":90},{\"line\":1,\"column\":96}]}]"},
    {"TypeSystemInDocument",
     "type Foo implements Bar & Pet @onField @onField { a(x: Strng = 1 @onQuery): Baz @deprecated @deprecated(reason: "
     "\"x\") b: [Int!]! @include }",
     "[{\"message\":\"The \\\"Foo\\\" definition is not "
     "executable.\",\"locations\":[{\"line\":1,\"column\":1}]},{\"message\":\"The directive \\\"@onField\\\" can only "
     "be used once at this "
     "location.\",\"locations\":[{\"line\":1,\"column\":31},{\"line\":1,\"column\":40}]},{\"message\":\"Unknown type "
     "\\\"Bar\\\". Did you mean \\\"Cat\\\"?\",\"locations\":[{\"line\":1,\"column\":21}]},{\"message\":\"Directive "
     "\\\"@onField\\\" may not be used on "
     "OBJECT.\",\"locations\":[{\"line\":1,\"column\":31}]},{\"message\":\"Directive \\\"@onField\\\" may not be used "
     "on OBJECT.\",\"locations\":[{\"line\":1,\"column\":40}]},{\"message\":\"The directive \\\"@deprecated\\\" can "
     "only be used once at this "
     "location.\",\"locations\":[{\"line\":1,\"column\":81},{\"line\":1,\"column\":93}]},{\"message\":\"Unknown type "
     "\\\"Strng\\\". Did you mean \\\"String\\\" or "
     "\\\"Being\\\"?\",\"locations\":[{\"line\":1,\"column\":56}]},{\"message\":\"Directive \\\"@onQuery\\\" may not "
     "be used on ARGUMENT_DEFINITION.\",\"locations\":[{\"line\":1,\"column\":66}]},{\"message\":\"Unknown type "
     "\\\"Baz\\\". Did you mean \\\"Cat\\\"?\",\"locations\":[{\"line\":1,\"column\":77}]},{\"message\":\"Directive "
     "\\\"@include\\\" may not be used on "
     "FIELD_DEFINITION.\",\"locations\":[{\"line\":1,\"column\":129}]},{\"message\":\"Directive \\\"@include\\\" "
     "argument \\\"if\\\" of type \\\"Boolean!\\\" is required, but it was not "
     "provided.\",\"locations\":[{\"line\":1,\"column\":129}]}]"},
    {"TypeSystemInDocument",
     "directive @mine(a: Int!, b: String = \"x\") repeatable on FIELD | OBJECT\ntype T @mine(a: 1) @mine { f: String "
     "@mine(c: 2) }\n{ dog @mine(a: 1, bb: 2) { name @mine } }",
     "[{\"message\":\"The \\\"mine\\\" definition is not "
     "executable.\",\"locations\":[{\"line\":1,\"column\":1}]},{\"message\":\"The \\\"T\\\" definition is not "
     "executable.\",\"locations\":[{\"line\":2,\"column\":1}]},{\"message\":\"Directive \\\"@mine\\\" argument "
     "\\\"a\\\" of type \\\"Int!\\\" is required, but it was not "
     "provided.\",\"locations\":[{\"line\":2,\"column\":20}]},{\"message\":\"Directive \\\"@mine\\\" may not be used "
     "on FIELD_DEFINITION.\",\"locations\":[{\"line\":2,\"column\":38}]},{\"message\":\"Unknown argument \\\"c\\\" on "
     "directive \\\"@mine\\\". Did you mean \\\"a\\\" or "
     "\\\"b\\\"?\",\"locations\":[{\"line\":2,\"column\":44}]},{\"message\":\"Directive \\\"@mine\\\" argument "
     "\\\"a\\\" of type \\\"Int!\\\" is required, but it was not "
     "provided.\",\"locations\":[{\"line\":2,\"column\":38}]},{\"message\":\"Unknown argument \\\"bb\\\" on directive "
     "\\\"@mine\\\". Did you mean \\\"b\\\"?\",\"locations\":[{\"line\":3,\"column\":19}]},{\"message\":\"Directive "
     "\\\"@mine\\\" argument \\\"a\\\" of type \\\"Int!\\\" is required, but it was not "
     "provided.\",\"locations\":[{\"line\":3,\"column\":33}]}]"},
    {"TypeSystemInDocument", "schema @onQuery { query: Quer }\nextend schema @onField",
     "[{\"message\":\"The schema definition is not "
     "executable.\",\"locations\":[{\"line\":1,\"column\":1}]},{\"message\":\"The schema definition is not "
     "executable.\",\"locations\":[{\"line\":2,\"column\":1}]},{\"message\":\"Directive \\\"@onQuery\\\" may not be "
     "used on SCHEMA.\",\"locations\":[{\"line\":1,\"column\":8}]},{\"message\":\"Unknown type "
     "\\\"Quer\\\".\",\"locations\":[{\"line\":1,\"column\":26}]},{\"message\":\"Directive \\\"@onField\\\" may not be "
     "used on SCHEMA.\",\"locations\":[{\"line\":2,\"column\":15}]}]"},
    {"TypeSystemInDocument",
     "union U @onQuery = Dog | Kat\nenum E @onField { A @onField B @deprecated @deprecated }\ninput I @onQuery { a: "
     "Int = {x: 1, x: 2} @onQuery b: [Strin] }\nscalar S @onField @specifiedBy(url: 1)",
     "[{\"message\":\"The \\\"U\\\" definition is not "
     "executable.\",\"locations\":[{\"line\":1,\"column\":1}]},{\"message\":\"The \\\"E\\\" definition is not "
     "executable.\",\"locations\":[{\"line\":2,\"column\":1}]},{\"message\":\"The \\\"I\\\" definition is not "
     "executable.\",\"locations\":[{\"line\":3,\"column\":1}]},{\"message\":\"The \\\"S\\\" definition is not "
     "executable.\",\"locations\":[{\"line\":4,\"column\":1}]},{\"message\":\"Directive \\\"@onQuery\\\" may not be "
     "used on UNION.\",\"locations\":[{\"line\":1,\"column\":9}]},{\"message\":\"Unknown type \\\"Kat\\\". Did you "
     "mean \\\"Cat\\\", \\\"Int\\\", or "
     "\\\"Pet\\\"?\",\"locations\":[{\"line\":1,\"column\":26}]},{\"message\":\"Directive \\\"@onField\\\" may not be "
     "used on ENUM.\",\"locations\":[{\"line\":2,\"column\":8}]},{\"message\":\"Directive \\\"@onField\\\" may not be "
     "used on ENUM_VALUE.\",\"locations\":[{\"line\":2,\"column\":21}]},{\"message\":\"The directive "
     "\\\"@deprecated\\\" can only be used once at this "
     "location.\",\"locations\":[{\"line\":2,\"column\":32},{\"line\":2,\"column\":44}]},{\"message\":\"Directive "
     "\\\"@onQuery\\\" may not be used on "
     "INPUT_OBJECT.\",\"locations\":[{\"line\":3,\"column\":9}]},{\"message\":\"There can be only one input field "
     "named "
     "\\\"x\\\".\",\"locations\":[{\"line\":3,\"column\":30},{\"line\":3,\"column\":36}]},{\"message\":\"Directive "
     "\\\"@onQuery\\\" may not be used on "
     "INPUT_FIELD_DEFINITION.\",\"locations\":[{\"line\":3,\"column\":42}]},{\"message\":\"Unknown type \\\"Strin\\\". "
     "Did you mean \\\"String\\\"?\",\"locations\":[{\"line\":3,\"column\":55}]},{\"message\":\"Directive "
     "\\\"@onField\\\" may not be used on SCALAR.\",\"locations\":[{\"line\":4,\"column\":10}]},{\"message\":\"String "
     "cannot represent a non string value: 1\",\"locations\":[{\"line\":4,\"column\":37}]}]"},
    {"TypeSystemInDocument",
     "extend type Dog @onField\ntype Dog2 @skip(if: true) @skip(if: true)\nextend type Dog2 @skip(if: false)",
     "[{\"message\":\"The \\\"Dog\\\" definition is not "
     "executable.\",\"locations\":[{\"line\":1,\"column\":1}]},{\"message\":\"The \\\"Dog2\\\" definition is not "
     "executable.\",\"locations\":[{\"line\":2,\"column\":1}]},{\"message\":\"The \\\"Dog2\\\" definition is not "
     "executable.\",\"locations\":[{\"line\":3,\"column\":1}]},{\"message\":\"Directive \\\"@onField\\\" may not be "
     "used on OBJECT.\",\"locations\":[{\"line\":1,\"column\":17}]},{\"message\":\"The directive \\\"@skip\\\" can "
     "only be used once at this "
     "location.\",\"locations\":[{\"line\":2,\"column\":11},{\"line\":2,\"column\":27}]},{\"message\":\"Directive "
     "\\\"@skip\\\" may not be used on OBJECT.\",\"locations\":[{\"line\":2,\"column\":11}]},{\"message\":\"Directive "
     "\\\"@skip\\\" may not be used on OBJECT.\",\"locations\":[{\"line\":2,\"column\":27}]},{\"message\":\"The "
     "directive \\\"@skip\\\" can only be used once at this "
     "location.\",\"locations\":[{\"line\":2,\"column\":11},{\"line\":3,\"column\":18}]},{\"message\":\"Directive "
     "\\\"@skip\\\" may not be used on OBJECT.\",\"locations\":[{\"line\":3,\"column\":18}]}]"},
    {"NoUndefinedVariablesRule",
     "query { ...A ...B }\nfragment A on QueryRoot { dog { ...C } }\nfragment B on QueryRoot { dog { ...D } "
     "}\nfragment C on Dog { isAtLocation(x: $c) }\nfragment D on Dog { isAtLocation(x: $d) }",
     "[{\"message\":\"Fields \\\"dog\\\" conflict because subfields \\\"isAtLocation\\\" conflict because they have "
     "differing arguments. Use different aliases on the fields to fetch both if this was "
     "intentional.\",\"locations\":[{\"line\":2,\"column\":27},{\"line\":4,\"column\":21},{\"line\":3,\"column\":27},{"
     "\"line\":5,\"column\":21}]},{\"message\":\"Variable \\\"$d\\\" is not "
     "defined.\",\"locations\":[{\"line\":5,\"column\":37},{\"line\":1,\"column\":1}]},{\"message\":\"Variable "
     "\\\"$c\\\" is not defined.\",\"locations\":[{\"line\":4,\"column\":37},{\"line\":1,\"column\":1}]}]"},
    {"NoFragmentCyclesRule",
     "{ human { ...F } }\nfragment F on Human { relatives { x: name ...F } relatives { ...F x: name } }",
     "[{\"message\":\"Cannot spread fragment \\\"F\\\" within "
     "itself.\",\"locations\":[{\"line\":2,\"column\":62}]},{\"message\":\"Cannot spread fragment \\\"F\\\" within "
     "itself.\",\"locations\":[{\"line\":2,\"column\":43}]}]"},
};

static gql_schema *schema;

static int setup(void **state) {
    (void)state;
    arena_t *a = arena_new();
    gql_errors errs;
    gql_errors_init(&errs, a);
    const char *names[1] = {"test.graphql"};
    size_t lens[1] = {strlen(test_schema_sdl)};
    schema = gql_schema_build(&test_schema_sdl, lens, names, 1, &errs);
    for (const gql_error *e = errs.head; e; e = e->next)
        fprintf(stderr, "schema error: %s\n", e->message);
    arena_free(a);
    return schema ? 0 : -1;
}

static int teardown(void **state) {
    (void)state;
    gql_schema_free(schema);
    return 0;
}

/* Serializes errors as [{"message":..,"locations":[..]}] to compare with the expected JSON. */
static void errors_json(const gql_errors *errs, buf_t *out) {
    buf_putc(out, '[');
    for (const gql_error *e = errs->head; e; e = e->next) {
        if (e != errs->head) buf_putc(out, ',');
        buf_puts(out, "{\"message\":");
        buf_json_string(out, e->message, strlen(e->message));
        if (e->nlocations) {
            buf_puts(out, ",\"locations\":[");
            for (size_t i = 0; i < e->nlocations; i++)
                buf_printf(out, "%s{\"line\":%u,\"column\":%u}", i ? "," : "", (unsigned)e->locations[i].line,
                           (unsigned)e->locations[i].column);
            buf_putc(out, ']');
        }
        buf_putc(out, '}');
    }
    buf_putc(out, ']');
}

/* Validates src with the given limits (NULL: none) and returns the errors as JSON (static buffer owner: caller). */
static void validate_doc(const char *src, const gql_validate_limits *limits, buf_t *out, const char **first_code) {
    arena_t *a = arena_new();
    gql_errors errs;
    gql_errors_init(&errs, a);
    gql_document *doc = gql_parse(a, src, strlen(src), NULL, &errs);
    assert_non_null(doc);
    gql_validate(schema, doc, limits, &errs);
    errors_json(&errs, out);
    if (first_code) *first_code = errs.head ? errs.head->code : NULL;
    for (const gql_error *e = errs.head; e; e = e->next) {
        if (!limits) assert_string_equal(e->code, "GRAPHQL_VALIDATION_FAILED");
    }
    arena_free(a);
}

/* Runs every case of one rule; reports each mismatch, fails when there is any. */
static void run_rule_cases(void **state) {
    const char *rule = *state;
    size_t failures = 0, ran = 0;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        if (strcmp(cases[i].rule, rule) != 0) continue;
        ran++;
        buf_t got = BUF_INIT;
        validate_doc(cases[i].document, NULL, &got, NULL);
        if (strcmp(buf_cstr(&got), cases[i].expected) != 0) {
            failures++;
            printf("# %s case %zu\n# document: %s\n# expected: %s\n# got:      %s\n", rule, i, cases[i].document,
                   cases[i].expected, buf_cstr(&got));
        }
        buf_free(&got);
    }
    assert_true(ran > 0);
    assert_int_equal(failures, 0);
}

static void expect_limit(const char *src, const gql_validate_limits *lim, const char *expected) {
    buf_t got = BUF_INIT;
    const char *code = NULL;
    validate_doc(src, lim, &got, &code);
    if (strcmp(buf_cstr(&got), expected) != 0)
        print_message("# expected: %s\n# got:      %s\n", expected, buf_cstr(&got));
    assert_string_equal(buf_cstr(&got), expected);
    if (strcmp(expected, "[]") != 0) assert_string_equal(code, "LIMIT_EXCEEDED");
    buf_free(&got);
}

/* Depth counts nested field selection sets with fragments expanded. */
static void test_limit_depth(void **state) {
    (void)state;
    gql_validate_limits lim = {.max_depth = 3};
    expect_limit("{ dog { mother { name } } }", &lim, "[]");
    expect_limit("query D { dog { mother { ...M } } }\nfragment M on Dog { father { name } }", &lim,
                 "[{\"message\":\"Operation \\\"D\\\" has a selection depth of 4, more than the maximum of 3.\","
                 "\"locations\":[{\"line\":1,\"column\":1}]}]");
    expect_limit("{ dog { ... on Dog { mother { father { name } } } } }", &lim,
                 "[{\"message\":\"The anonymous operation has a selection depth of 4, more than the maximum of 3.\","
                 "\"locations\":[{\"line\":1,\"column\":1}]}]");
}

/* Field count is taken with fragments expanded: 2^k fields from k doubling fragments, in linear time. */
static void test_limit_fields(void **state) {
    (void)state;
    gql_validate_limits lim = {.max_fields = 100};
    buf_t doc = BUF_INIT;
    buf_puts(&doc, "query Big { dog { ...F0 } }\n");
    for (int i = 0; i < 40; i++)
        buf_printf(&doc, "fragment F%d on Dog { ...F%d ...F%d }\n", i, i + 1, i + 1);
    buf_puts(&doc, "fragment F40 on Dog { name }\n");
    /* 1 (dog) + 2^40 names */
    expect_limit(buf_cstr(&doc), &lim,
                 "[{\"message\":\"Operation \\\"Big\\\" selects 1099511627777 fields (fragments expanded), more than "
                 "the maximum of 100.\",\"locations\":[{\"line\":1,\"column\":1}]}]");
    buf_free(&doc);
    expect_limit("{ dog { name barks } }", &lim, "[]");
}

static void test_limit_aliases(void **state) {
    (void)state;
    gql_validate_limits lim = {.max_aliases = 2};
    expect_limit("{ a: dog { name } b: dog { n: name } }", &lim,
                 "[{\"message\":\"The document uses 3 aliases, more than the maximum of 2.\","
                 "\"locations\":[{\"line\":1,\"column\":28}]}]");
    expect_limit("{ a: dog { name } b: dog { name } }", &lim, "[]");
}

/* Limits still terminate, and count nothing more, when fragments form a cycle. */
static void test_limit_fragment_cycle(void **state) {
    (void)state;
    gql_validate_limits lim = {.max_depth = 10, .max_fields = 10, .max_aliases = 10};
    arena_t *a = arena_new();
    gql_errors errs;
    gql_errors_init(&errs, a);
    const char *src = "{ dog { ...A } }\nfragment A on Dog { mother { ...B } }\nfragment B on Dog { father { ...A } }";
    gql_document *doc = gql_parse(a, src, strlen(src), NULL, &errs);
    assert_non_null(doc);
    size_t n = gql_validate(schema, doc, &lim, &errs);
    assert_int_equal(n, 1);
    assert_string_equal(errs.head->message, "Cannot spread fragment \"A\" within itself via \"B\".");
    arena_free(a);
}

/* Many repeated fragment spreads must not make overlap checking blow up. */
static void test_overlap_many_fragments(void **state) {
    (void)state;
    buf_t doc = BUF_INIT;
    buf_puts(&doc, "{ dog { ");
    for (int i = 0; i < 200; i++)
        buf_printf(&doc, "...F%d ", i % 50);
    buf_puts(&doc, "} }\n");
    for (int i = 0; i < 50; i++)
        buf_printf(&doc, "fragment F%d on Dog { name mother { name ...F%d } }\n", i, (i + 1) % 50);
    arena_t *a = arena_new();
    gql_errors errs;
    gql_errors_init(&errs, a);
    gql_document *d = gql_parse(a, buf_cstr(&doc), doc.len, NULL, &errs);
    assert_non_null(d);
    gql_validate(schema, d, NULL, &errs);
    /* the spreads form one cycle F0 -> F1 -> ... -> F49 -> F0 */
    assert_int_equal(errs.count, 1);
    arena_free(a);
    buf_free(&doc);
}

/* Fragments spreading themselves inside nested fields: graphql-js's overlap check recurses forever on this
 * document (found by a differential fuzz run); ours must end, and still report the cycles. */
static void test_overlap_recursive_fragments_terminate(void **state) {
    (void)state;
    static const char *src =
        "query($a: Boolean) { name: numEyes bogus }\nquery R($a: Boolean! = true, $b: FurColor, $c: FurColor) { "
        "isAtLocation }\nfragment F0 on Alien { pet { ... on Cat { ...F3 a: stringListArgField(complexArg: true) { "
        "name: nickname(bogus: {}) } ...F0 } } }\nfragment F1 on FurColor { name: multipleReqs a: relatives { a: "
        "relatives { numEyes(enumArg: 1) @onQuery ...F2 ...F1 @onQuery } ... on Canine { ...F1 } } oneOfArgField "
        "}\nfragment F2 on QueryRoot { ... on FurColor { intArgField(oneOfArg: $b) { ... on Dog { b: human a: "
        "isAtLocation intArgField } isAtLocation(oneOfArg: {requiredField: $b, nonNullField: null}, id: $b) { name "
        "@onField multipleReqs(stringListArg: -2, stringListArg: {}) @onField stringListArgField(intArg: [\"a\", $s], "
        "atOtherHomes: \"s\") } } ... on HumanOrAlien { ...F0 } ...F1 } a: father }\n";
    arena_t *a = arena_new();
    gql_errors errs;
    gql_errors_init(&errs, a);
    gql_document *d = gql_parse(a, src, strlen(src), NULL, &errs);
    assert_non_null(d);
    assert_true(gql_validate(schema, d, NULL, &errs) > 0);
    bool cycle = false;
    for (const gql_error *e = errs.head; e; e = e->next)
        if (strcmp(e->message, "Cannot spread fragment \"F1\" within itself.") == 0) cycle = true;
    assert_true(cycle);
    arena_free(a);
}

/* Regression: OverlappingFieldsCanBeMerged reports one error per pair of same-named different fields, so a
 * 36 KB document of 2000 "x: a" / "x: b" fields made 2 million errors (a 290 MB response, 5 GB of memory).
 * As in graphql-js (maxErrors 100), the 101st error aborts the validation, and no more conflicts are even
 * collected than can be reported. */
static void test_error_limit(void **state) {
    (void)state;
    buf_t doc = BUF_INIT;
    buf_puts(&doc, "{ dog {");
    for (int i = 0; i < 2000; i++)
        buf_puts(&doc, i % 2 ? " x: barks" : " x: name");
    buf_puts(&doc, " } }");
    arena_t *a = arena_new();
    gql_errors errs;
    gql_errors_init(&errs, a);
    gql_document *d = gql_parse(a, buf_cstr(&doc), doc.len, NULL, &errs);
    assert_non_null(d);
    size_t before = arena_used(a);
    assert_int_equal(gql_validate(schema, d, NULL, &errs), GQL_VALIDATION_MAX_ERRORS + 1);
    assert_true(arena_used(a) - before < 4 * 1024 * 1024);
    assert_string_equal(errs.head->message, "Fields \"x\" conflict because \"name\" and \"barks\" are different "
                                            "fields. Use different aliases on the fields to fetch both if this was "
                                            "intentional.");
    const gql_error *last = errs.head;
    while (last->next)
        last = last->next;
    assert_string_equal(last->message, "Too many validation errors, error limit reached. Validation aborted.");
    assert_int_equal(last->nlocations, 0);
    arena_free(a);

    /* Errors of any rule count: 150 unknown fields give 100 errors and the abort. */
    buf_free(&doc);
    buf_puts(&doc, "{ dog {");
    for (int i = 0; i < 150; i++)
        buf_printf(&doc, " unknown%d", i);
    buf_puts(&doc, " } }");
    a = arena_new();
    gql_errors_init(&errs, a);
    d = gql_parse(a, buf_cstr(&doc), doc.len, NULL, &errs);
    assert_non_null(d);
    assert_int_equal(gql_validate(schema, d, NULL, &errs), GQL_VALIDATION_MAX_ERRORS + 1);
    arena_free(a);
    buf_free(&doc);
}

/* Regression: comparing the arguments of two same-named fields printed both values into the request arena for
 * every pair, n(n-1) prints for n fields (hundreds of MB for a 240 KB document); each value is printed once. */
static void test_overlap_same_arguments_memory(void **state) {
    (void)state;
    buf_t doc = BUF_INIT;
    buf_puts(&doc, "{ dog {");
    for (int i = 0; i < 1500; i++)
        buf_puts(&doc, " x: doesKnowCommand(dogCommand: SIT)");
    buf_puts(&doc, " } }");
    arena_t *a = arena_new();
    gql_errors errs;
    gql_errors_init(&errs, a);
    gql_document *d = gql_parse(a, buf_cstr(&doc), doc.len, NULL, &errs);
    assert_non_null(d);
    size_t before = arena_used(a);
    assert_int_equal(gql_validate(schema, d, NULL, &errs), 0);
    assert_true(arena_used(a) - before < 4 * 1024 * 1024);
    arena_free(a);
    buf_free(&doc);
}

#define RULE(name)                                                                                                     \
    { name, run_rule_cases, NULL, NULL, (void *)name }

int main(void) {
    static const struct CMUnitTest tests[] = {
        RULE("ExecutableDefinitionsRule"),
        RULE("UniqueOperationNamesRule"),
        RULE("LoneAnonymousOperationRule"),
        RULE("SingleFieldSubscriptionsRule"),
        RULE("KnownTypeNamesRule"),
        RULE("FragmentsOnCompositeTypesRule"),
        RULE("VariablesAreInputTypesRule"),
        RULE("ScalarLeafsRule"),
        RULE("FieldsOnCorrectTypeRule"),
        RULE("UniqueFragmentNamesRule"),
        RULE("KnownFragmentNamesRule"),
        RULE("NoUnusedFragmentsRule"),
        RULE("PossibleFragmentSpreadsRule"),
        RULE("NoFragmentCyclesRule"),
        RULE("UniqueVariableNamesRule"),
        RULE("NoUndefinedVariablesRule"),
        RULE("NoUnusedVariablesRule"),
        RULE("KnownDirectivesRule"),
        RULE("UniqueDirectivesPerLocationRule"),
        RULE("KnownArgumentNamesRule"),
        RULE("UniqueArgumentNamesRule"),
        RULE("ValuesOfCorrectTypeRule"),
        RULE("ProvidedRequiredArgumentsRule"),
        RULE("VariablesInAllowedPositionRule"),
        RULE("OverlappingFieldsCanBeMergedRule"),
        RULE("UniqueInputFieldNamesRule"),
        RULE("MaxIntrospectionDepthRule"),
        RULE("Mixed"),
        RULE("TypeSystemInDocument"),
        cmocka_unit_test(test_limit_depth),
        cmocka_unit_test(test_limit_fields),
        cmocka_unit_test(test_limit_aliases),
        cmocka_unit_test(test_limit_fragment_cycle),
        cmocka_unit_test(test_overlap_many_fragments),
        cmocka_unit_test(test_overlap_recursive_fragments_terminate),
        cmocka_unit_test(test_error_limit),
        cmocka_unit_test(test_overlap_same_arguments_memory),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
