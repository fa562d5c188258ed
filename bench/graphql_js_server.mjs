// graphql_js_server.mjs -- the baseline of bench/graphql_bench.sh: graphql-js + graphql-http on
// Node, serving the same SDL as entityd, with in-memory resolvers that return the same data
// entityd returned for the benchmark's documents (read from ANSWERS, a JSON file mapping each
// response key path to its value: every field resolves from its parent by response key).
//
//   node graphql_js_server.mjs NODE_MODULES_DIR SCHEMA_DIR ANSWERS_JSON PORT
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { createRequire } from 'node:module';

const [modules, schemaDir, answersFile, port] = process.argv.slice(2);
const require = createRequire(path.join(modules, 'noop.js'));
const { buildSchema } = require('graphql');
const { createHandler } = require('graphql-http/lib/use/http');

const sdl = fs.readdirSync(schemaDir).filter((f) => f.endsWith('.graphql')).sort()
  .map((f) => fs.readFileSync(path.join(schemaDir, f), 'utf8')).join('\n');
const schema = buildSchema(sdl);
// One root object per benchmark document, merged: their top-level keys do not clash.
const root = Object.assign({}, ...JSON.parse(fs.readFileSync(answersFile, 'utf8')));

const handler = createHandler({
  schema,
  rootValue: root,
  fieldResolver: (source, _args, _ctx, info) => {
    if (source == null || typeof source !== 'object') return null;
    const v = source[info.path.key];
    return v === undefined ? null : v;
  },
});
http.createServer((req, res) => {
  if (req.url.startsWith('/graphql')) return handler(req, res);
  res.writeHead(404).end();
}).listen(Number(port), '127.0.0.1', () => console.log(`graphql-js listening on ${port}`));
