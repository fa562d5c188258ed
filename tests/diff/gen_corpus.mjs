// gen_corpus.mjs -- writes the differential-test corpus: GraphQL documents for entityd's schema,
// valid ones (random walks over the schema with aliases, fragments, directives, variables) and
// invalid ones (each valid document with one defect that a §5 validation rule or the parser
// must catch). Deterministic (seeded), so the committed corpus can be regenerated and reviewed:
//
//   node tests/diff/gen_corpus.mjs SCHEMA_DIR OUT_DIR [--graphql PATH_TO_graphql_MODULE]
//
// Each file holds the document; a first line `# variables: {...}` gives its variables. Whether a
// document is valid is not decided here: the test asks graphql-js (the oracle) at run time.
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';

const args = process.argv.slice(2);
const schemaDir = args[0];
const outDir = args[1];
const gi = args.indexOf('--graphql');
const require = createRequire(import.meta.url);
const G = require(gi >= 0 ? args[gi + 1] : 'graphql');
const { buildSchema, print, parse, visit, Kind, getNamedType, isNonNullType, isListType, isEnumType,
  isInputObjectType, isScalarType, isLeafType, isObjectType, isInterfaceType, isUnionType } = G;

const sdl = fs.readdirSync(schemaDir).filter((f) => f.endsWith('.graphql')).sort()
  .map((f) => fs.readFileSync(path.join(schemaDir, f), 'utf8')).join('\n');
const schema = buildSchema(sdl);

// mulberry32: small deterministic PRNG
let seed = 0x5eed;
function rnd() {
  seed |= 0; seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const chance = (p) => rnd() < p;
const pick = (a) => a[Math.floor(rnd() * a.length)];

// ---- value generation -------------------------------------------------------------------
const KNOWN = { accountId: 1, id: 1, guid: 'g', name: 'n', clusterName: 'payments', first: 3 };

function literal(type, argName, ctx, depth = 0) {
  if (isNonNullType(type)) return literal(type.ofType, argName, ctx, depth);
  if (isListType(type)) {
    const n = 1 + Math.floor(rnd() * 2);
    return `[${Array.from({ length: n }, () => literal(type.ofType, argName, ctx, depth + 1)).join(', ')}]`;
  }
  if (isEnumType(type)) return pick(type.getValues()).name;
  if (isInputObjectType(type)) {
    const parts = [];
    for (const f of Object.values(type.getFields())) {
      if (isNonNullType(f.type) || chance(0.4)) parts.push(`${f.name}: ${literal(f.type, f.name, ctx, depth + 1)}`);
    }
    return `{${parts.join(', ')}}`;
  }
  switch (type.name) {
    case 'Int':
      if ((argName === 'accountId' || argName === 'id') && ctx && chance(0.5)) return useVar(ctx, 'accountId', 'Int!', 1);
      if (argName === 'first') return String(1 + Math.floor(rnd() * 4));
      return String(KNOWN[argName] ?? Math.floor(rnd() * 100));
    case 'Float': return (rnd() * 10).toFixed(2);
    case 'Boolean': return chance(0.5) ? 'true' : 'false';
    case 'ID': return JSON.stringify(String(KNOWN[argName] ?? 'id-1'));
    case 'String': return JSON.stringify(KNOWN[argName] ? String(KNOWN[argName]) : 'text');
    case 'DateTime': return '"2026-01-01T00:00:00Z"';
    case 'Duration': return '"10m"';
    case 'JSON': return pick(['{a: 1}', '"s"', '[1, 2]', '{nested: {b: true}}']);
    default: return '"x"';
  }
}

function useVar(ctx, name, typeStr, value) {
  ctx.vars[name] = { type: typeStr, value };
  return `$${name}`;
}

// ---- selection generation ---------------------------------------------------------------
function selection(type, depth, ctx, indent) {
  const pad = '  '.repeat(indent);
  const fields = Object.values(type.getFields()).filter((f) => !f.name.startsWith('__'));
  const lines = [];
  const chosen = fields.filter(() => chance(0.55));
  if (chosen.length === 0) chosen.push(pick(fields));
  for (const f of chosen) {
    const named = getNamedType(f.type);
    const isLeaf = isLeafType(named);
    if (!isLeaf && depth >= ctx.maxDepth) continue;
    const argParts = [];
    for (const a of f.args) {
      if (isNonNullType(a.type) && a.defaultValue === undefined) argParts.push(`${a.name}: ${literal(a.type, a.name, ctx)}`);
      else if (chance(0.25) && a.name !== 'after') argParts.push(`${a.name}: ${literal(a.type, a.name, ctx)}`);
    }
    let head = f.name;
    if (chance(0.15)) head = `${f.name[0]}${ctx.alias++}: ${f.name}`;
    if (argParts.length) head += `(${argParts.join(', ')})`;
    if (chance(0.08)) head += chance(0.5) ? ' @include(if: true)' : ' @skip(if: false)';
    else if (chance(0.05)) head += ` @skip(if: ${useVar(ctx, 'hide', 'Boolean!', false)})`;
    if (isLeaf) {
      lines.push(pad + head);
    } else {
      const inner = selection(named, depth + 1, ctx, indent + 1);
      if (chance(0.12)) {
        // Reserve the name before generating the body, which may add fragments of its own.
        const slot = ctx.fragments.push(null) - 1;
        const fname = `F${slot + 1}`;
        ctx.fragments[slot] = `fragment ${fname} on ${named.name} {\n${selection(named, depth + 1, ctx, 1)}\n}`;
        lines.push(`${pad}${head} {\n${pad}  ...${fname}\n${inner}\n${pad}}`);
      } else if (chance(0.1)) {
        lines.push(`${pad}${head} {\n${pad}  ... on ${named.name} {\n${inner}\n${pad}  }\n${pad}}`);
      } else {
        lines.push(`${pad}${head} {\n${inner}\n${pad}}`);
      }
    }
  }
  if (lines.length === 0 || chance(0.15)) lines.push(pad + '__typename');
  return lines.join('\n');
}

function operation(rootType, opKind, idx) {
  const ctx = { vars: {}, fragments: [], alias: 0, maxDepth: 2 + Math.floor(rnd() * 4) };
  const body = selection(rootType, 0, ctx, 1);
  const varDefs = Object.entries(ctx.vars).map(([n, v]) => `$${n}: ${v.type}`);
  const name = chance(0.7) ? ` ${opKind === 'query' ? 'Q' : 'M'}${idx}` : '';
  const head = varDefs.length ? `${opKind}${name || ` Op${idx}`}(${varDefs.join(', ')})` : (name || chance(0.5) ? `${opKind}${name}` : '');
  const doc = `${head ? head + ' ' : ''}{\n${body}\n}` + ctx.fragments.map((f) => '\n\n' + f).join('');
  const variables = Object.fromEntries(Object.entries(ctx.vars).map(([n, v]) => [n, v.value]));
  return { doc, variables };
}

// ---- defects (one per invalid document) -------------------------------------------------
const fieldNodes = (ast) => {
  const out = [];
  visit(ast, { Field(node) { out.push(node); } });
  return out;
};

const defects = [
  ['unknown field', (ast) => { const f = pick(fieldNodes(ast)); f.name = { ...f.name, value: f.name.value + 'Typo' }; }],
  ['leaf with selection', (ast) => { const leafs = fieldNodes(ast).filter((f) => !f.selectionSet && f.name.value !== '__typename'); if (!leafs.length) return false; const f = pick(leafs); f.selectionSet = parse('{ x }').definitions[0].selectionSet; }],
  ['object without selection', (ast) => { const objs = fieldNodes(ast).filter((f) => f.selectionSet); if (!objs.length) return false; pick(objs).selectionSet = undefined; }],
  ['unknown argument', (ast) => { const f = pick(fieldNodes(ast)); f.arguments = [...(f.arguments || []), parse('{ f(bogusArg: 1) }').definitions[0].selectionSet.selections[0].arguments[0]]; }],
  ['duplicate argument', (ast) => { const fs_ = fieldNodes(ast).filter((f) => f.arguments && f.arguments.length); if (!fs_.length) return false; const f = pick(fs_); f.arguments = [...f.arguments, f.arguments[0]]; }],
  ['missing required argument', (ast) => { const fs_ = fieldNodes(ast).filter((f) => f.arguments && f.arguments.length); if (!fs_.length) return false; const f = pick(fs_); f.arguments = []; }],
  ['wrong literal type', (ast) => { const fs_ = fieldNodes(ast).filter((f) => f.arguments && f.arguments.length); if (!fs_.length) return false; const f = pick(fs_); f.arguments = [{ ...f.arguments[0], value: { kind: Kind.OBJECT, fields: [] } }]; }],
  ['unused variable', (ast) => { const op = ast.definitions[0]; op.variableDefinitions = [...(op.variableDefinitions || []), parse('query($unusedVar: Int) { a }').definitions[0].variableDefinitions[0]]; if (!op.name) op.name = { kind: Kind.NAME, value: 'Named' }; }],
  ['undefined variable', (ast) => { const f = pick(fieldNodes(ast)); f.directives = [...(f.directives || []), parse('{ a @include(if: $notDefined) }').definitions[0].selectionSet.selections[0].directives[0]]; }],
  ['unknown directive', (ast) => { const f = pick(fieldNodes(ast)); f.directives = [...(f.directives || []), parse('{ a @nonexistent }').definitions[0].selectionSet.selections[0].directives[0]]; }],
  ['duplicate directive', (ast) => { const f = pick(fieldNodes(ast)); const d = parse('{ a @skip(if: false) }').definitions[0].selectionSet.selections[0].directives[0]; f.directives = [...(f.directives || []), d, d]; }],
  ['unknown fragment', (ast) => { const objs = fieldNodes(ast).filter((f) => f.selectionSet); if (!objs.length) return false; const f = pick(objs); f.selectionSet = { ...f.selectionSet, selections: [...f.selectionSet.selections, parse('{ ...Missing }').definitions[0].selectionSet.selections[0]] }; }],
  ['unused fragment', (ast) => { ast.definitions = [...ast.definitions, parse('fragment Unused on Query { __typename }').definitions[0]]; }],
  ['conflicting alias', (ast) => { const objs = fieldNodes(ast).filter((f) => f.selectionSet); const sel = objs.length ? pick(objs).selectionSet : ast.definitions[0].selectionSet; const leafs = sel.selections.filter((s) => s.kind === Kind.FIELD); if (leafs.length < 1) return false; const a = leafs[0]; sel.selections = [...sel.selections, { ...a, alias: undefined, name: { kind: Kind.NAME, value: '__typename' }, arguments: [], selectionSet: undefined, directives: [] }]; sel.selections[0] = { ...a, alias: { kind: Kind.NAME, value: '__typename' } }; }],
  ['duplicate operation name', (ast) => { const op = ast.definitions[0]; if (!op.name) op.name = { kind: Kind.NAME, value: 'Same' }; ast.definitions = [...ast.definitions, { ...op }]; }],
  ['anonymous with another', (ast) => { ast.definitions = [...ast.definitions, parse('{ __typename }').definitions[0]]; }],
  ['variable of output type', (ast) => { const op = ast.definitions[0]; const t = pick(Object.values(schema.getTypeMap()).filter((x) => isObjectType(x) && !x.name.startsWith('__'))); op.variableDefinitions = [...(op.variableDefinitions || []), parse(`query($out: ${t.name}) { a(x: $out) }`).definitions[0].variableDefinitions[0]]; }],
  ['unknown variable type', (ast) => { const op = ast.definitions[0]; op.variableDefinitions = [...(op.variableDefinitions || []), parse('query($u: NoSuchType) { a }').definitions[0].variableDefinitions[0]]; }],
  ['fragment cycle', (ast) => { ast.definitions = [...ast.definitions, ...parse('fragment CycA on Query { ...CycB } fragment CycB on Query { ...CycA }').definitions]; const op = ast.definitions[0]; op.selectionSet = { ...op.selectionSet, selections: [...op.selectionSet.selections, parse('{ ...CycA }').definitions[0].selectionSet.selections[0]] }; }],
  ['fragment on scalar', (ast) => { ast.definitions = [...ast.definitions, parse('fragment OnScalar on String { length }').definitions[0]]; const op = ast.definitions[0]; op.selectionSet = { ...op.selectionSet, selections: [...op.selectionSet.selections, parse('{ ...OnScalar }').definitions[0].selectionSet.selections[0]] }; }],
  ['impossible inline fragment', (ast) => { const objs = fieldNodes(ast).filter((f) => f.selectionSet); if (!objs.length) return false; const f = pick(objs); const other = pick(Object.values(schema.getTypeMap()).filter((x) => isObjectType(x) && !x.name.startsWith('__'))); f.selectionSet = { ...f.selectionSet, selections: [...f.selectionSet.selections, parse(`{ ... on ${other.name} { __typename } }`).definitions[0].selectionSet.selections[0]] }; }],
  ['null for non-null argument', (ast) => { const fs_ = fieldNodes(ast).filter((f) => f.arguments && f.arguments.length); if (!fs_.length) return false; const f = pick(fs_); f.arguments = f.arguments.map((a, i) => (i === 0 ? { ...a, value: { kind: Kind.NULL } } : a)); }],
  ['variable in wrong position', (ast) => { const fs_ = fieldNodes(ast).filter((f) => f.arguments && f.arguments.length); if (!fs_.length) return false; const f = pick(fs_); const op = ast.definitions[0]; op.variableDefinitions = [...(op.variableDefinitions || []), parse('query($wrongPos: [Boolean]) { a }').definitions[0].variableDefinitions[0]]; f.arguments = f.arguments.map((a, i) => (i === 0 ? { ...a, value: { kind: Kind.VARIABLE, name: { kind: Kind.NAME, value: 'wrongPos' } } } : a)); }],
  ['subscription without type', (ast) => { ast.definitions[0] = { ...ast.definitions[0], operation: 'subscription' }; }],
];

const syntaxErrors = ['{', '{ actor { }', 'query Q($a: Int = $b) { actor }', '{ actor(, ) }', 'query { ... }',
  '{ actor { account(id: 1) { name } }', 'fragment on on on { a }', '{ a: : b }', '"unterminated', '{ actor @ }',
  'query Q(a: Int) { actor }', '{ actor { account(id: 01) { id } } }', '{ actor { account(id: 1.) { id } } }',
  '{ #only comment', 'mutation', '{ actor { account(id: "\\x") { id } } }', '{}', 'query Q { actor } extra',
  '{ a(b: [1 2 }', '{ actor { ...on } }'];

// ---- emit ---------------------------------------------------------------------------------
fs.mkdirSync(outDir, { recursive: true });
for (const f of fs.readdirSync(outDir)) if (f.endsWith('.graphql')) fs.unlinkSync(path.join(outDir, f));
let n = 0;
const write = (kind, doc, variables) => {
  n += 1;
  const name = `${String(n).padStart(3, '0')}_${kind}.graphql`;
  fs.writeFileSync(path.join(outDir, name), `# variables: ${JSON.stringify(variables || {})}\n${doc}\n`);
};

const valid = [];
for (let i = 0; i < 210; i++) {
  const { doc, variables } = operation(schema.getQueryType(), 'query', i);
  valid.push({ doc, variables });
  write('query', doc, variables);
}
if (schema.getMutationType()) {
  for (let i = 0; i < 40; i++) {
    const { doc, variables } = operation(schema.getMutationType(), 'mutation', i);
    write('mutation', doc, variables);
  }
}
for (let i = 0; i < 110; i++) {
  const base = valid[i % valid.length];
  let written = false;
  for (let tries = 0; tries < 8 && !written; tries++) {
    const ast = JSON.parse(JSON.stringify(parse(base.doc, { noLocation: true })));
    const [label, fn] = defects[(i + tries) % defects.length];
    if (fn(ast) === false) continue;
    write('invalid', `# defect: ${label}\n${print(ast)}`, base.variables);
    written = true;
  }
}
for (const s of syntaxErrors) write('syntax', s, {});
console.log(`wrote ${n} documents to ${outDir}`);
