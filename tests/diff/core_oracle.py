"""core_oracle.py -- the graphql-core (Python, >= 3.2) side of the differential test.

    python3 core_oracle.py < input.json > output.json

input:  {"sdl": "...", "docs": [{"file", "query"}], "introspection": {...} | null}
output: {"version": "3.2.8", "docs": {"file": {"valid": bool, "messages": [...]}},
         "introspection": {"breaking": [...], "dangerous": [...]}}
Run by test_differential.py with whichever python3 has graphql-core 3.2 or newer.
"""
import json
import sys

import graphql
from graphql import GraphQLError, build_client_schema, build_schema, parse, validate
from graphql.utilities import find_breaking_changes, find_dangerous_changes

inp = json.load(sys.stdin)
schema = build_schema(inp["sdl"])
out = {"version": graphql.__version__, "docs": {}}
for d in inp["docs"]:
    try:
        errors = validate(schema, parse(d["query"]))
        out["docs"][d["file"]] = {"valid": not errors, "messages": [e.message for e in errors]}
    except GraphQLError as e:
        out["docs"][d["file"]] = {"valid": False, "messages": [e.message]}
if inp.get("introspection"):
    client = build_client_schema(inp["introspection"])
    changes = find_breaking_changes(schema, client) + find_breaking_changes(client, schema)
    dangers = find_dangerous_changes(schema, client) + find_dangerous_changes(client, schema)
    out["introspection"] = {"breaking": [c.description for c in changes], "dangerous": [c.description for c in dangers]}
json.dump(out, sys.stdout)
