#!/bin/sh
# test_cli.sh -- end-to-end test of `entityd gql validate` and `entityd gql print-schema` (TAP).
# Runs the real binary on a schema modelled on graphql-js's validation harness and ~20 documents, and
# compares the printed errors (messages, locations, order) and exit codes with graphql-js v16's, as given
# by graphql-core >= 3.2 when an interpreter has it, else with the same oracle's output recorded here.
# Also checks usage and schema errors (exit 2) and that print-schema's SDL builds again.
set -u
BIN=${ENTITYD_BIN:?ENTITYD_BIN must name the entityd binary}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT INT TERM

cat > "$T/schema.graphql" <<'SDL_EOF'
interface Mammal {
  mother: Mammal
  father: Mammal
}

interface Pet {
  name(surname: Boolean): String
}

interface Canine implements Mammal {
  name(surname: Boolean): String
  mother: Canine
  father: Canine
}

enum DogCommand {
  SIT
  HEEL
  DOWN
}

type Dog implements Pet & Mammal & Canine {
  name(surname: Boolean): String
  nickname: String
  barkVolume: Int
  barks: Boolean
  doesKnowCommand(dogCommand: DogCommand): Boolean
  isHouseTrained(atOtherHomes: Boolean = true): Boolean
  isAtLocation(x: Int, y: Int): Boolean
  mother: Dog
  father: Dog
}

type Cat implements Pet {
  name(surname: Boolean): String
  nickname: String
  meows: Boolean
  meowsVolume: Int
  furColor: FurColor
}

union CatOrDog = Cat | Dog

type Human {
  name(surname: Boolean): String
  pets: [Pet]
  relatives: [Human]!
}

interface Being {
  name(surname: Boolean): String
}

type Alien implements Being {
  name(surname: Boolean): String
  numEyes: Int
}

union DogOrHuman = Dog | Human

union HumanOrAlien = Human | Alien

enum FurColor {
  BROWN
  BLACK
  TAN
  SPOTTED
  NO_FUR
  UNKNOWN
}

input ComplexInput {
  requiredField: Boolean!
  nonNullField: Boolean! = false
  intField: Int
  stringField: String
  booleanField: Boolean
  stringListField: [String]
}

input OneOfInput @oneOf {
  stringField: String
  intField: Int
}

type ComplicatedArgs {
  intArgField(intArg: Int): String
  nonNullIntArgField(nonNullIntArg: Int!): String
  stringArgField(stringArg: String): String
  booleanArgField(booleanArg: Boolean): String
  enumArgField(enumArg: FurColor): String
  floatArgField(floatArg: Float): String
  idArgField(idArg: ID): String
  stringListArgField(stringListArg: [String]): String
  stringListNonNullArgField(stringListNonNullArg: [String!]): String
  complexArgField(complexArg: ComplexInput): String
  oneOfArgField(oneOfArg: OneOfInput): String
  multipleReqs(req1: Int!, req2: Int!): String
  nonNullFieldWithDefault(arg: Int! = 0): String
  multipleOpts(opt1: Int = 0, opt2: Int = 0): String
  multipleOptAndReq(req1: Int!, req2: Int!, opt1: Int = 0, opt2: Int = 0): String
}

type QueryRoot {
  human(id: ID): Human
  alien: Alien
  dog: Dog
  cat: Cat
  pet: Pet
  catOrDog: CatOrDog
  dogOrHuman: DogOrHuman
  humanOrAlien: HumanOrAlien
  being: Being
  complicatedArgs: ComplicatedArgs
}

type SubscriptionRoot {
  importantEmails: [String]
  notImportantEmails: [String]
  moreImportantEmails: [String]
  spamEmails: [String]
}

schema {
  query: QueryRoot
  subscription: SubscriptionRoot
}

directive @onField on FIELD
directive @onQuery on QUERY
directive @repeatableDir repeatable on FIELD
directive @withReq(arg: Int!) on FIELD
SDL_EOF

# Documents, separated by lines holding "----".
cat > "$T/docs.txt" <<'DOCS_EOF'
{ dog { name nickname barkVolume } }
----
{ dog { nam } }
----
{ catOrDog { name } pet { meows } }
----
query Q($unused: Int, $x: Dog) { dog(name: 1) { name @skip(if: $undef) ...Missing meows } ...Frag }
fragment Frag on Cat { meows }
fragment Unused on Dog { barks }
----
{ dog { ...A } }
fragment A on Dog { mother { ...B } }
fragment B on Dog { father { ...A } }
----
query A($x: Int, $x: Int) { __typename }
query A { __typename }
----
{ dog { name } }
query Foo { cat { name } }
----
subscription S { importantEmails notImportantEmails }
----
{ human { relatives } dog { barks { since } } }
----
{ complicatedArgs { intArgField(intArg: "3") e: enumArgField(enumArg: BLUE) n: nonNullIntArgField(nonNullIntArg: null) } }
----
{ complicatedArgs { complexArgField(complexArg: {intField: 4, intfield: 5}) } }
----
query Q($s: String, $t: String!) { complicatedArgs { o1: oneOfArgField(oneOfArg: {stringField: "a", intField: 1}) o2: oneOfArgField(oneOfArg: {stringField: $s}) o3: oneOfArgField(oneOfArg: {stringField: $t}) } }
----
query Q($intArg: Int, $d: Int = 1) { complicatedArgs { nonNullIntArgField(nonNullIntArg: $intArg) n2: nonNullIntArgField(nonNullIntArg: $d) } }
----
{ dog { fido: name fido: nickname doesKnowCommand(dogCommand: SIT) doesKnowCommand(dogCommand: HEEL) } }
----
{ field: dog { x: name y: barks } field: dog { x: nickname y: barkVolume } }
----
{ catOrDog { ... on Dog { name: barkVolume } ... on Cat { name } } }
----
query Foo @onField { dog @onQuery @include(if: true) @include(if: false) { name @unknown } }
----
{ dog @skip(iff: true) { isHouseTrained(unknown: true) doesKnowCommand(dogcommand: SIT) } }
----
{ complicatedArgs { multipleReqs(req2: 2) } dog @include { name } }
----
{ dog { ... on Cat { meows } ...F } }
fragment F on Human { name }
----
{ dog { isAtLocation(x: 1, x: 2) } complicatedArgs { complexArgField(complexArg: {requiredField: true, requiredField: false}) } }
----
type Cow { name: String }
{ dog { name } }
----
{ dog { name
----
query Q($a: ComplexInput = {requiredField: 1}, $b: [String] = [1]) { complicatedArgs { complexArgField(complexArg: $a) stringListArgField(stringListArg: $b) } }

DOCS_EOF

# graphql-core's answers for those documents, one JSON array per line (used when no oracle is installed).
cat > "$T/recorded.txt" <<'EXPECTED_EOF'
[]
[{"message":"Cannot query field \"nam\" on type \"Dog\". Did you mean \"name\"?","locations":[{"line":1,"column":9}]}]
[{"message":"Cannot query field \"name\" on type \"CatOrDog\". Did you mean to use an inline fragment on \"Pet\", \"Canine\", \"Cat\", or \"Dog\"?","locations":[{"line":1,"column":14}]},{"message":"Cannot query field \"meows\" on type \"Pet\". Did you mean to use an inline fragment on \"Cat\"?","locations":[{"line":1,"column":27}]}]
[{"message":"Variable \"$x\" cannot be non-input type \"Dog\".","locations":[{"line":1,"column":27}]},{"message":"Unknown argument \"name\" on field \"QueryRoot.dog\".","locations":[{"line":1,"column":38}]},{"message":"Unknown fragment \"Missing\".","locations":[{"line":1,"column":75}]},{"message":"Cannot query field \"meows\" on type \"Dog\".","locations":[{"line":1,"column":83}]},{"message":"Fragment \"Frag\" cannot be spread here as objects of type \"QueryRoot\" can never be of type \"Cat\".","locations":[{"line":1,"column":91}]},{"message":"Variable \"$undef\" is not defined by operation \"Q\".","locations":[{"line":1,"column":64},{"line":1,"column":1}]},{"message":"Variable \"$unused\" is never used in operation \"Q\".","locations":[{"line":1,"column":9}]},{"message":"Variable \"$x\" is never used in operation \"Q\".","locations":[{"line":1,"column":23}]},{"message":"Fragment \"Unused\" is never used.","locations":[{"line":3,"column":1}]}]
[{"message":"Cannot spread fragment \"A\" within itself via \"B\".","locations":[{"line":2,"column":30},{"line":3,"column":30}]}]
[{"message":"There can be only one variable named \"$x\".","locations":[{"line":1,"column":10},{"line":1,"column":19}]},{"message":"Variable \"$x\" is never used in operation \"A\".","locations":[{"line":1,"column":9}]},{"message":"Variable \"$x\" is never used in operation \"A\".","locations":[{"line":1,"column":18}]},{"message":"There can be only one operation named \"A\".","locations":[{"line":1,"column":7},{"line":2,"column":7}]}]
[{"message":"This anonymous operation must be the only defined operation.","locations":[{"line":1,"column":1}]}]
[{"message":"Subscription \"S\" must select only one top level field.","locations":[{"line":1,"column":34}]}]
[{"message":"Field \"relatives\" of type \"[Human]!\" must have a selection of subfields. Did you mean \"relatives { ... }\"?","locations":[{"line":1,"column":11}]},{"message":"Field \"barks\" must not have a selection since type \"Boolean\" has no subfields.","locations":[{"line":1,"column":35}]}]
[{"message":"Int cannot represent non-integer value: \"3\"","locations":[{"line":1,"column":41}]},{"message":"Value \"BLUE\" does not exist in \"FurColor\" enum.","locations":[{"line":1,"column":71}]},{"message":"Expected value of type \"Int!\", found null.","locations":[{"line":1,"column":114}]}]
[{"message":"Field \"ComplexInput.requiredField\" of required type \"Boolean!\" was not provided.","locations":[{"line":1,"column":49}]},{"message":"Field \"intfield\" is not defined by type \"ComplexInput\". Did you mean \"intField\" or \"stringField\"?","locations":[{"line":1,"column":63}]}]
[{"message":"OneOf Input Object \"OneOfInput\" must specify exactly one key.","locations":[{"line":1,"column":82}]},{"message":"Variable \"s\" must be non-nullable to be used for OneOf Input Object \"OneOfInput\".","locations":[{"line":1,"column":143}]}]
[{"message":"Variable \"$intArg\" of type \"Int\" used in position expecting type \"Int!\".","locations":[{"line":1,"column":9},{"line":1,"column":90}]}]
[{"message":"Fields \"fido\" conflict because \"name\" and \"nickname\" are different fields. Use different aliases on the fields to fetch both if this was intentional.","locations":[{"line":1,"column":9},{"line":1,"column":20}]},{"message":"Fields \"doesKnowCommand\" conflict because they have differing arguments. Use different aliases on the fields to fetch both if this was intentional.","locations":[{"line":1,"column":35},{"line":1,"column":68}]}]
[{"message":"Fields \"field\" conflict because subfields \"x\" conflict because \"name\" and \"nickname\" are different fields and subfields \"y\" conflict because \"barks\" and \"barkVolume\" are different fields. Use different aliases on the fields to fetch both if this was intentional.","locations":[{"line":1,"column":3},{"line":1,"column":16},{"line":1,"column":24},{"line":1,"column":35},{"line":1,"column":48},{"line":1,"column":60}]}]
[{"message":"Fields \"name\" conflict because they return conflicting types \"Int\" and \"String\". Use different aliases on the fields to fetch both if this was intentional.","locations":[{"line":1,"column":27},{"line":1,"column":59}]}]
[{"message":"Directive \"@onField\" may not be used on QUERY.","locations":[{"line":1,"column":11}]},{"message":"The directive \"@include\" can only be used once at this location.","locations":[{"line":1,"column":35},{"line":1,"column":54}]},{"message":"Directive \"@onQuery\" may not be used on FIELD.","locations":[{"line":1,"column":26}]},{"message":"Unknown directive \"@unknown\".","locations":[{"line":1,"column":81}]}]
[{"message":"Unknown argument \"iff\" on directive \"@skip\". Did you mean \"if\"?","locations":[{"line":1,"column":13}]},{"message":"Directive \"@skip\" argument \"if\" of type \"Boolean!\" is required, but it was not provided.","locations":[{"line":1,"column":7}]},{"message":"Unknown argument \"unknown\" on field \"Dog.isHouseTrained\".","locations":[{"line":1,"column":41}]},{"message":"Unknown argument \"dogcommand\" on field \"Dog.doesKnowCommand\". Did you mean \"dogCommand\"?","locations":[{"line":1,"column":72}]}]
[{"message":"Field \"multipleReqs\" argument \"req1\" of type \"Int!\" is required, but it was not provided.","locations":[{"line":1,"column":21}]},{"message":"Directive \"@include\" argument \"if\" of type \"Boolean!\" is required, but it was not provided.","locations":[{"line":1,"column":49}]}]
[{"message":"Fragment cannot be spread here as objects of type \"Dog\" can never be of type \"Cat\".","locations":[{"line":1,"column":9}]},{"message":"Fragment \"F\" cannot be spread here as objects of type \"Dog\" can never be of type \"Human\".","locations":[{"line":1,"column":30}]}]
[{"message":"There can be only one argument named \"x\".","locations":[{"line":1,"column":22},{"line":1,"column":28}]},{"message":"There can be only one input field named \"requiredField\".","locations":[{"line":1,"column":83},{"line":1,"column":104}]}]
[{"message":"The \"Cow\" definition is not executable.","locations":[{"line":1,"column":1}]}]
[{"message":"Syntax Error: Expected Name, found <EOF>.","locations":[{"line":2,"column":1}]}]
[{"message":"Boolean cannot represent a non boolean value: 1","locations":[{"line":1,"column":44}]},{"message":"String cannot represent a non string value: 1","locations":[{"line":1,"column":64}]}]
EXPECTED_EOF

cat > "$T/oracle.py" <<'ORACLE_EOF'
# graphql-core (>= 3.2, a port of graphql-js v16) as the oracle for `entityd gql validate`: prints one JSON
# array per document, with graphql-js's wording (double quotes, directive locations in capitals) and
# graphql-js's line/column counting.
import json, re, sys
from graphql import GraphQLError, build_schema, parse, validate
schema = build_schema(open(sys.argv[1]).read())
def loc(body, pos):
    line, col = 1, 1
    for ch in body[:pos]:
        if ch == "\n":
            line, col = line + 1, 1
        else:
            col += 1
    return {"line": line, "column": col}
for path in sys.argv[2:]:
    body = open(path).read()
    try:
        errs = validate(schema, parse(body))
    except GraphQLError as e:
        errs = [e]
    except RecursionError:
        print("RECURSION")
        continue
    out = []
    for e in errs:
        msg = e.message
        msg = msg.replace("'", '"')
        msg = re.sub(r"may not be used on ([a-z ]+)\.$", lambda m: "may not be used on " + m.group(1).upper().replace(" ", "_") + ".", msg)
        d = {"message": msg}
        if e.positions:
            d["locations"] = [loc(body, p) for p in e.positions]
        out.append(d)
    print(json.dumps(out, separators=(",", ":")))
ORACLE_EOF

awk -v dir="$T" 'BEGIN { n = 1; f = sprintf("%s/d%02d.graphql", dir, n) }
    /^----$/ { close(f); n++; f = sprintf("%s/d%02d.graphql", dir, n); next }
    { print > f }' "$T/docs.txt"
ndocs=$(ls "$T"/d*.graphql | wc -l)

# An interpreter with graphql-core >= 3.2 (the Debian package may be older), else the recorded answers.
ORACLE=""
for py in "${PYTHON3:-}" python3 /usr/bin/python3 python3.13 python3.12 python3.11; do
    [ -n "$py" ] || continue
    if "$py" -c 'import graphql, sys; v = tuple(int(x) for x in graphql.__version__.split(".")[:2]); sys.exit(0 if v >= (3, 2) else 1)' 2>/dev/null; then
        ORACLE=$py
        break
    fi
done
if [ -n "$ORACLE" ]; then
    "$ORACLE" "$T/oracle.py" "$T/schema.graphql" "$T"/d*.graphql > "$T/expected.txt" || { echo "Bail out! oracle failed"; exit 1; }
    src="graphql-core via $ORACLE"
else
    cp "$T/recorded.txt" "$T/expected.txt"
    src="recorded graphql-core output"
fi

echo "1..$((ndocs + 7))"
echo "# expected errors from $src"
n=0
fail=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
notok() { n=$((n + 1)); fail=$((fail + 1)); echo "not ok $n - $1"; }

i=0
for d in "$T"/d*.graphql; do
    i=$((i + 1))
    want=$(sed -n "${i}p" "$T/expected.txt")
    got=$("$BIN" gql validate --schema "$T/schema.graphql" --document "$d" 2>"$T/stderr")
    rc=$?
    if [ "$want" = "[]" ]; then want_rc=0; else want_rc=1; fi
    name="validate $(basename "$d"): $(head -c 60 "$d" | tr '\n' ' ')"
    if [ "$got" = "$want" ] && [ "$rc" -eq "$want_rc" ]; then
        ok "$name"
    else
        notok "$name"
        echo "#   exit: $rc (want $want_rc)"
        echo "#   want: $want"
        echo "#   got:  $got"
        sed 's/^/#   stderr: /' "$T/stderr"
    fi
done

# Usage errors and unreadable or invalid schemas exit 2.
"$BIN" gql validate --document "$T/d01.graphql" >/dev/null 2>&1
[ $? -eq 2 ] && ok "validate without --schema exits 2" || notok "validate without --schema exits 2"
"$BIN" gql validate --schema "$T/missing.graphql" --document "$T/d01.graphql" >/dev/null 2>&1
[ $? -eq 2 ] && ok "unreadable schema exits 2" || notok "unreadable schema exits 2"
printf 'type Query { a: Nope }\n' > "$T/bad.graphql"
"$BIN" gql validate --schema "$T/bad.graphql" --document "$T/d01.graphql" >/dev/null 2>"$T/stderr"
[ $? -eq 2 ] && grep -q Nope "$T/stderr" && ok "invalid schema exits 2 and names the problem" \
    || notok "invalid schema exits 2 and names the problem"

# The schema may come in several files (--schema twice, and the --schema=FILE form).
awk '/^type QueryRoot/ { part = 1 } { print > (part ? "'"$T"'/part2.graphql" : "'"$T"'/part1.graphql") }' "$T/schema.graphql"
got=$("$BIN" gql validate --schema "$T/part1.graphql" --schema="$T/part2.graphql" --document "$T/d03.graphql" 2>&1)
if [ "$got" = "$(sed -n 3p "$T/expected.txt")" ]; then
    ok "schema split over two files validates alike"
else
    notok "schema split over two files validates alike"
    echo "#   got: $got"
fi

# print-schema: the SDL of a given schema validates the same documents; the server's own schema prints.
"$BIN" gql print-schema --schema "$T/schema.graphql" > "$T/printed.graphql"
prc=$?
got=$("$BIN" gql validate --schema "$T/printed.graphql" --document "$T/d02.graphql" 2>/dev/null)
if [ "$prc" -eq 0 ] && [ "$got" = "$(sed -n 2p "$T/expected.txt")" ]; then
    ok "print-schema --schema output builds and validates alike"
else
    notok "print-schema --schema output builds and validates alike"
fi
if "$BIN" gql print-schema > "$T/own.graphql" && grep -q '^type ' "$T/own.graphql"; then
    ok "print-schema prints the server schema"
else
    notok "print-schema prints the server schema"
fi

# Differential run: random documents (selections, fragments, variables, values; fixed seeds) must get exactly
# the live oracle's errors. Documents on which graphql-core itself fails are left out: it overflows its stack on
# some self-spreading fragments, and @skip/@include with a bad "if" makes its subscription check throw.
if [ -n "$ORACLE" ]; then
    mkdir "$T/fuzz"
    cat > "$T/gen_selections.py" <<'GEN1_EOF'
import random, sys
R = random.Random(int(sys.argv[1]))
N = int(sys.argv[2])
OUT = sys.argv[3]
types = ["Dog", "Cat", "Pet", "Human", "Alien", "Being", "CatOrDog", "DogOrHuman", "HumanOrAlien", "Mammal", "Canine", "QueryRoot", "FurColor", "Int", "Badger"]
fields = ["name", "nickname", "barkVolume", "barks", "meows", "meowsVolume", "furColor", "mother", "father", "pets", "relatives", "numEyes", "doesKnowCommand", "isHouseTrained", "isAtLocation", "__typename", "dog", "cat", "pet", "human", "catOrDog", "bogus", "complicatedArgs", "intArgField", "enumArgField", "complexArgField", "oneOfArgField", "stringListArgField", "nonNullIntArgField", "multipleReqs"]
args = ["surname", "dogCommand", "atOtherHomes", "x", "y", "intArg", "enumArg", "complexArg", "oneOfArg", "stringListArg", "nonNullIntArg", "req1", "req2", "id", "bogus"]
dirs = ["@include(if: true)", "@skip(if: $b)", "@onField", "@onQuery", "@repeatableDir", "@include", "@unknown", "@skip(if: 1)", "@withReq(arg: 1)"]
vals = ["1", "-2", "1.5", '"s"', "true", "null", "SIT", "BROWN", "$a", "$b", "$c", "[1, 2]", '["a", $s]', "{requiredField: true}", "{intField: 1, stringField: $s}", "{stringField: \"x\"}", "{}", "{requiredField: $b, nonNullField: null}"]
aliases = ["a", "b", "name", "x"]
frags = ["F0", "F1", "F2", "F3"]
def value():
    return R.choice(vals)
def selection(depth):
    k = R.random()
    if k < 0.65 or depth > 3:
        f = R.choice(fields)
        s = ""
        if R.random() < 0.3: s += R.choice(aliases) + ": "
        s += f
        if R.random() < 0.35:
            s += "(" + ", ".join(f"{R.choice(args)}: {value()}" for _ in range(R.randint(1, 2))) + ")"
        if R.random() < 0.15: s += " " + R.choice(dirs)
        if R.random() < 0.5 and depth < 4:
            s += " { " + sel_set(depth + 1) + " }"
        return s
    if k < 0.85:
        s = "... on " + R.choice(types) if R.random() < 0.8 else "..."
        if R.random() < 0.15: s += " " + R.choice(dirs)
        return s + " { " + sel_set(depth + 1) + " }"
    s = "..." + R.choice(frags)
    if R.random() < 0.1: s += " " + R.choice(dirs)
    return s
def sel_set(depth):
    return " ".join(selection(depth) for _ in range(R.randint(1, 3)))
def doc():
    parts = []
    for i in range(R.randint(1, 2)):
        vs = []
        for v in ["a", "b", "c", "s"]:
            if R.random() < 0.4:
                t = R.choice(["Int", "Int!", "Boolean", "Boolean!", "String", "[String]", "ComplexInput", "FurColor", "Dog", "DogCommand"])
                d = " = " + R.choice([v for v in vals if "$" not in v]) if R.random() < 0.2 else ""
                vs.append(f"${v}: {t}{d}")
        name = R.choice(["Q", "R", ""]) if i == 0 else R.choice(["Q", "R", "S"])
        op = R.choice(["query", "query", "query", "subscription"])
        head = op + (" " + name if name else "") + ("(" + ", ".join(vs) + ")" if vs else "")
        if R.random() < 0.1: head += " " + R.choice(dirs)
        parts.append(head + " { " + sel_set(0) + " }")
    for f in frags:
        if R.random() < 0.5:
            parts.append(f"fragment {f} on {R.choice(types)} {{ {sel_set(1)} }}")
    return "\n".join(parts)
for i in range(N):
    open(f"{OUT}/a{i:04d}.graphql", "w").write(doc() + "\n")
GEN1_EOF
    cat > "$T/gen_values.py" <<'GEN2_EOF'
import random, sys
R = random.Random(int(sys.argv[1])); N = int(sys.argv[2]); OUT = sys.argv[3]
argf = [("intArgField","intArg"),("nonNullIntArgField","nonNullIntArg"),("stringArgField","stringArg"),("booleanArgField","booleanArg"),("enumArgField","enumArg"),("floatArgField","floatArg"),("idArgField","idArg"),("stringListArgField","stringListArg"),("stringListNonNullArgField","stringListNonNullArg"),("complexArgField","complexArg"),("oneOfArgField","oneOfArg"),("nonNullFieldWithDefault","arg")]
vtypes = ["Int","Int!","String","String!","[String]","[String!]","[String]!","[String!]!","Boolean","Boolean!","FurColor","FurColor!","ComplexInput","ComplexInput!","OneOfInput","OneOfInput!","Float","ID","[[String]]","[Int]"]
vars_ = ["a","b","c","d","e"]
def scalar():
    return R.choice(["1","-7","0","2147483648","1.5","-0.0","1e3",'"s"','"7"',"true","false","null","BROWN","TAN","sit","BLUE"])
def value(d=0):
    k = R.random()
    if k < 0.25: return "$" + R.choice(vars_)
    if k < 0.6 or d > 2: return scalar()
    if k < 0.8: return "[" + ", ".join(value(d+1) for _ in range(R.randint(0,3))) + "]"
    fs = R.sample(["requiredField","nonNullField","intField","stringField","booleanField","stringListField","bogus"], R.randint(0,3))
    return "{" + ", ".join(f"{f}: {value(d+1)}" for f in fs) + "}"
def doc():
    vs = []
    for v in vars_:
        if R.random() < 0.6:
            d = f" = {value(1).replace('$','')}" if R.random() < 0.25 else ""
            d = d if "$" not in d else ""
            vs.append(f"${v}: {R.choice(vtypes)}{d}")
    sels = []
    for i in range(R.randint(1,4)):
        f, a = R.choice(argf)
        sels.append(f"f{i}: {f}({a}: {value()})")
    if R.random() < 0.5:
        sels.append("...F")
    s = "query Q" + ("(" + ", ".join(vs) + ")" if vs else "") + " { complicatedArgs { " + " ".join(sels) + " } dog { isHouseTrained(atOtherHomes: " + value() + ") doesKnowCommand(dogCommand: " + value() + ") } }"
    if "...F" in s:
        f, a = R.choice(argf)
        s += f"\nfragment F on ComplicatedArgs {{ g: {f}({a}: {value()}) }}"
    return s
for i in range(N): open(f"{OUT}/b{i:04d}.graphql","w").write(doc()+"\n")
GEN2_EOF
    "$ORACLE" "$T/gen_selections.py" 7 150 "$T/fuzz" && "$ORACLE" "$T/gen_values.py" 7 150 "$T/fuzz" &&
        "$ORACLE" "$T/oracle.py" "$T/schema.graphql" "$T"/fuzz/*.graphql > "$T/fuzz_expected.txt" 2>/dev/null
    j=0
    compared=0
    mismatches=0
    for d in "$T"/fuzz/*.graphql; do
        j=$((j + 1))
        want=$(sed -n "${j}p" "$T/fuzz_expected.txt")
        case "$want" in RECURSION | '[{"message":"Argument \"if\" '*) continue ;; esac
        compared=$((compared + 1))
        got=$("$BIN" gql validate --schema "$T/schema.graphql" --document "$d" 2>&1)
        if [ "$got" != "$want" ]; then
            mismatches=$((mismatches + 1))
            if [ "$mismatches" -le 3 ]; then
                echo "#   document: $(tr '\n' ' ' < "$d")"
                echo "#   want: $want"
                echo "#   got:  $got"
            fi
        fi
    done
    if [ "$compared" -ge 250 ] && [ "$mismatches" -eq 0 ]; then
        ok "differential: $compared random documents get graphql-core's errors"
    else
        notok "differential: $mismatches of $compared random documents differ from graphql-core"
    fi
else
    n=$((n + 1))
    if [ -n "${ENTITYD_REQUIRE_ALL:-}" ]; then
        notok "differential run against graphql-core: no graphql-core >= 3.2 installed"
    else
        echo "ok $n - differential run against graphql-core # SKIP no graphql-core >= 3.2 installed"
    fi
fi

echo "# $((n - fail)) passed, $fail failed"
[ "$fail" -eq 0 ]
