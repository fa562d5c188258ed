"""test_layers.py -- no #include in src/ runs up a layer (issue 7), TAP.

Every folder under src/ is a unit of the table LAYERS below (a few files directly in src/ and in
src/graphql/ are units of their own). An #include is resolved as the compiler resolves it (the
including file's folder, the top of the tree, then src/), and the include from unit A to unit B is
allowed when B's rank is at most A's and, if A names the only units it may include, B is one of them:

    util < store < the GraphQL engine (jsutils < language = error < type < validation < execution
    < src/graphql/*.c) < config < kusto < workers < domain modules and the app seam < http < main

So the engine includes no domain, http or app header; util includes only util; store and kusto only
util; jsutils only util; execution/ no validation/ header (as in graphql-js); a domain module no
http/ header. A folder or a top-level file that is not in the table fails
the test, with a message saying to add it: a new module is placed in the layers when it arrives.
The checker is also run on a small planted tree to show that it catches an upward edge.

    python3 tests/unit/test_layers.py          (ENTITYD_SRCDIR: the tree; default: this checkout)
"""
import fnmatch
import os
import re
import sys
import tempfile

# (unit, rank, the only units it may include or None for any of rank <= its own, the paths under src/
# that belong to it: a folder (its files, not its subfolders) or a file name, which may be a pattern).
LAYERS = [
    ("util", 0, {"util"}, ["util"]),
    # Data tables that src/util/embed.sh writes for util/embedded.h (in src/ when built in the tree).
    ("embedded", 0, {"util"}, ["embedded_*.c"]),
    ("store", 10, {"util", "store"}, ["store"]),
    # The engine, graphql-js's module map. jsutils, its lowest layer, imports nothing of the engine.
    ("graphql/jsutils", 20, {"util", "graphql/jsutils"}, ["graphql/jsutils"]),
    ("graphql/language", 21, None, ["graphql/language"]),
    # graphql-js error/ and language/ import each other (syntaxError; locations): one rank.
    ("graphql/error", 21, None, ["graphql/error.c", "graphql/error.h"]),
    ("graphql/type", 22, None, ["graphql/type"]),
    ("graphql/validation", 23, None, ["graphql/validation", "graphql/validation/rules"]),
    # graphql-js: execution/ imports nothing of validation/ (the engine's top runs one, then the other).
    ("graphql/execution", 24, {"util", "graphql/jsutils", "graphql/language", "graphql/error", "graphql/type",
                               "graphql/execution"}, ["graphql/execution"]),
    ("graphql", 25, None, ["graphql"]),  # the engine's face: graphql.c, cache.c, cli.c
    # Services: the configuration, the Kusto client (knows no GraphQL, no SQLite), worker threads.
    ("config", 30, None, ["config.c", "config.h"]),
    ("kusto", 32, {"util", "kusto"}, ["kusto"]),
    ("workers", 34, None, ["workers"]),
    # Domain modules, and the seam they plug into (the app and the per-request context, which
    # carries auth's principal): one rank, below http.
    ("auth", 50, None, ["auth"]),
    ("kafka", 50, None, ["kafka"]),
    ("federation", 50, None, ["federation"]),
    ("summaryrules", 50, None, ["summaryrules"]),
    ("app", 50, None, ["app.c", "app.h", "context.h", "payload.c", "payload.h"]),
    ("http", 60, None, ["http"]),
    ("main", 70, None, ["main.c", "modules.c"]),
]

INCLUDE = re.compile(r'^\s*#\s*include\s*([<"])([^">]+)[">]')
SOURCE_EXT = (".c", ".h")


def unit_of(rel, folders, files):
    """The unit of a file (path relative to src/), or None."""
    for pattern, u in files.items():
        if fnmatch.fnmatchcase(rel, pattern):
            return u
    return folders.get(os.path.dirname(rel))


def check(top, layers=LAYERS):
    """Returns (problems with the table, unresolved includes, {unit: [upward edges]}, units seen)."""
    src = os.path.join(top, "src")
    rank = {u: r for u, r, _, _ in layers}
    only = {u: o for u, _, o, _ in layers}
    folders, files = {}, {}
    for u, _, _, paths in layers:
        for p in paths:
            (files if p.endswith(SOURCE_EXT) else folders)[p] = u
    table, unresolved, edges = [], [], {u: [] for u, _, _, _ in layers}
    for d, subdirs, names in os.walk(src):
        subdirs.sort()
        rel_dir = os.path.relpath(d, src)
        rel_dir = "" if rel_dir == "." else rel_dir
        if rel_dir and rel_dir not in folders:
            table.append(f"src/{rel_dir}/ is in no layer: add it to LAYERS in tests/unit/test_layers.py")
        for name in sorted(names):
            if not name.endswith(SOURCE_EXT):
                continue
            rel = os.path.join(rel_dir, name) if rel_dir else name
            u = unit_of(rel, folders, files)
            if u is None:
                if not rel_dir or rel_dir in folders:  # an unknown folder is reported once, above
                    table.append(f"src/{rel} is in no layer: add it to LAYERS in tests/unit/test_layers.py")
                continue
            with open(os.path.join(d, name), encoding="utf-8", errors="replace") as f:
                for lineno, line in enumerate(f, 1):
                    m = INCLUDE.match(line)
                    if not m:
                        continue
                    quote, target = m.groups()
                    # quoted: this folder, then -I. -I$(srcdir) -I src; <>: only in-tree paths under src/
                    bases = [d, top, src] if quote == '"' else [src]
                    found = next((os.path.normpath(os.path.join(b, target)) for b in bases
                                  if os.path.isfile(os.path.join(b, target))), None)
                    if found is None:
                        if quote == '"':
                            unresolved.append(f"src/{rel}:{lineno}: #include \"{target}\" resolves to no file")
                        continue
                    if not found.startswith(src + os.sep):
                        unresolved.append(f"src/{rel}:{lineno}: #include \"{target}\" is outside src/ ({found})")
                        continue
                    to_rel = os.path.relpath(found, src)
                    v = unit_of(to_rel, folders, files)
                    if v is None:
                        continue  # reported as a file in no layer
                    allowed = rank[v] <= rank[u] and (only[u] is None or v in only[u])
                    if not allowed:
                        why = f"{u} may include only {', '.join(sorted(only[u]))}" if only[u] is not None and \
                            rank[v] <= rank[u] else f"{v} (rank {rank[v]}) is above {u} (rank {rank[u]})"
                        edges[u].append(f"src/{rel}:{lineno}: includes src/{to_rel}: {why}")
    return table, unresolved, edges


def self_test():
    """The checker on a planted tree: upward and forbidden edges and an unknown folder are caught."""
    with tempfile.TemporaryDirectory() as top:
        def put(rel, text):
            path = os.path.join(top, "src", rel)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "w") as f:
                f.write(text)
        put("util/buf.h", "#include <stddef.h>\n")
        put("graphql/execution/value.h", '#include "util/buf.h"\n')
        put("graphql/type/schema.h", '#include "graphql/execution/value.h"\n')  # type -> execution
        put("graphql/validation/context.h", '#include "graphql/type/schema.h"\n')
        put("graphql/execution/coerce.c", '#include "graphql/validation/context.h"\n')  # execution -> validation
        put("kusto/client.c", '#include "graphql/type/schema.h"\n')  # kusto knows no GraphQL
        put("adx/new.c", '#include "util/buf.h"\n')  # a folder nobody placed
        table, unresolved, edges = check(top)
        return (any("src/adx/ is in no layer" in t for t in table) and not unresolved
                and any("src/graphql/execution/value.h" in e for e in edges["graphql/type"])
                and any("src/graphql/validation/context.h" in e for e in edges["graphql/execution"])
                and any("kusto may include only" in e for e in edges["kusto"]))


def main():
    top = os.environ.get("ENTITYD_SRCDIR") or os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
    top = os.path.abspath(top)
    table, unresolved, edges = check(top)
    results = [("every folder and file of src/ is in a layer of the table", table),
               ("every quoted #include resolves to a file of src/", unresolved)]
    for u, r, o, _ in LAYERS:
        may = f"includes only {', '.join(sorted(o))}" if o is not None else "includes no higher layer"
        results.append((f"{u} (rank {r}) {may}", edges[u]))
    planted = self_test()
    results.append(("the check catches planted upward and forbidden edges and an unknown folder",
                    [] if planted else ["the planted tree passed"]))
    print(f"1..{len(results)}")
    failed = 0
    for i, (name, problems) in enumerate(results, 1):
        print(f"{'not ok' if problems else 'ok'} {i} - {name}")
        for p in problems:
            print(f"# {p}")
        failed += bool(problems)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
