// oracle.mjs -- the graphql-js side of the differential test.
//
//   node oracle.mjs GRAPHQL_MODULE_PATH < input.json > output.json
//
// input: {"sdl": "...", "docs": [{"file", "query", "variables", "entityd": {"valid": bool,
//          "messages": [...], "data": {...}|null, "executed": bool}}],
//         "introspection": {...entityd's introspection data...}, "printed": "entityd gql print-schema"}
// output: {"docs": [{"file", "valid", "messages", "requestError"?: [messages] (a valid document that
//          graphql-js still answers without "data": a subscription with no subscription root),
//          "shape": null|{"ok": bool, "expected": ..}}],
//          "introspection": {"breaking": [...], "dangerous": [...], "printedEqual": bool, ...}}
//
// Shape check: graphql-js executes the same document against the same schema, with every field
// resolved from entityd's own response by response key and abstract types from __typename. If
// entityd returned a key graphql-js would not (or missed one, or ordered them differently, or
// broke null propagation), the two results differ.
import fs from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const G = require(process.argv[2]);
const { buildSchema, parse, validate, execute, subscribe, getOperationAST, buildClientSchema, findBreakingChanges,
  findDangerousChanges, printSchema, getIntrospectionQuery } = G;

const input = JSON.parse(fs.readFileSync(0, 'utf8'));
const schema = buildSchema(input.sdl);

const fieldResolver = (source, _args, _ctx, info) => {
  if (source == null || typeof source !== 'object') return null;
  const v = source[info.path.key];
  return v === undefined ? null : v;
};
const typeResolver = (value) => (value && typeof value === 'object' ? value.__typename : undefined);

const out = { docs: [] };
for (const d of input.docs) {
  const r = { file: d.file, valid: false, messages: [], shape: null };
  let ast;
  try {
    ast = parse(d.query);
  } catch (e) {
    r.messages = [e.message];
    out.docs.push(r);
    continue;
  }
  const errors = validate(schema, ast);
  r.valid = errors.length === 0;
  r.messages = errors.map((e) => e.message);
  // A valid subscription runs through subscribe(): when it cannot create the source event stream
  // (no subscription root), graphql-js answers a request error, an object without "data".
  const op = r.valid ? getOperationAST(ast, null) : null;
  if (op && op.operation === 'subscription') {
    const sr = await subscribe({ schema, document: ast, rootValue: {}, variableValues: d.variables || {} });
    if (sr && typeof sr[Symbol.asyncIterator] !== 'function' && !('data' in sr)) {
      r.requestError = (sr.errors || []).map((e) => e.message);
    } else if (sr && typeof sr.return === 'function') {
      await sr.return();
    }
  }
  if (r.valid && !r.requestError && d.entityd && d.entityd.executed && d.entityd.data != null) {
    const res = execute({
      schema, document: ast, rootValue: d.entityd.data, variableValues: d.variables || {},
      fieldResolver, typeResolver,
    });
    const expected = JSON.stringify(res.data);
    const got = JSON.stringify(d.entityd.data);
    r.shape = { ok: expected === got && !(res.errors && res.errors.length), expected: res.data,
      errors: (res.errors || []).map((e) => e.message) };
  }
  out.docs.push(r);
}

// graphql-js 16.15 lets @deprecated stand on directive definitions too (DIRECTIVE_DEFINITION, with
// __Directive.isDeprecated); the spec's latest edition and graphql-core 3.2 do not, and entityd
// follows the spec. That one difference between the oracles is expected; any other is a failure.
const SPEC_DIFFERENCES = new Set(['DIRECTIVE_DEFINITION was removed from deprecated.']);

if (input.introspection) {
  const client = buildClientSchema(input.introspection);
  out.introspection = {
    breaking: findBreakingChanges(schema, client).concat(findBreakingChanges(client, schema)).map((c) => c.description)
      .filter((d) => !SPEC_DIFFERENCES.has(d)),
    dangerous: findDangerousChanges(schema, client).concat(findDangerousChanges(client, schema)).map((c) => c.description),
    printedEqual: printSchema(client) === printSchema(schema),
    printedDiff: printSchema(client) === printSchema(schema) ? null : [printSchema(schema), printSchema(client)],
  };
}
if (input.printed !== undefined) {
  out.printSchema = { equal: input.printed.trim() === printSchema(schema).trim(), expected: printSchema(schema) };
}
if (input.wantIntrospectionQuery) {
  out.introspectionQuery = getIntrospectionQuery({
    descriptions: true, specifiedByUrl: true, directiveIsRepeatable: true, schemaDescription: true,
    inputValueDeprecation: true,
  });
}
process.stdout.write(JSON.stringify(out));
