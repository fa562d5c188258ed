// test_graphql_http_audit.mjs -- runs graphql-http's serverAudits (the GraphQL-over-HTTP
// conformance audits) against the real entityd on 127.0.0.1 with a temporary data directory,
// adding the admin API-Key to every request. One TAP line per audit; every MUST and SHOULD
// audit must pass (a failing MAY audit is reported as an expected failure: "# TODO").
import path from 'node:path';
import { createRequire } from 'node:module';

import { makeTap, srcdir, startServer } from './entityd_server.mjs';

const require = createRequire(path.join(srcdir, 'web', 'package.json'));
const { serverAudits } = require('graphql-http');
const t = makeTap();
const tap = (ok, name, detail, todo) => t.ok(ok, name, detail, todo);

const server = await startServer();
try {
  const fetchFn = (input, init = {}) => {
    const headers = new Headers(init.headers || {});
    headers.set('API-Key', server.key);
    return fetch(input, { ...init, headers });
  };
  const audits = serverAudits({ url: server.base + '/graphql', fetchFn });
  for (const audit of audits) {
    let result;
    try {
      result = await audit.fn();
    } catch (e) {
      result = { status: 'error', reason: String(e && e.stack || e) };
    }
    const name = `${audit.id} ${audit.name}`;
    if (result.status === 'ok') {
      tap(true, name);
    } else {
      const optional = /^MAY/.test(audit.name);
      let detail = result.reason;
      if (result.response) {
        try { detail += `\nstatus ${result.response.status}: ${(await result.response.text()).slice(0, 500)}`; } catch { /* consumed */ }
      }
      tap(false, name, detail, optional ? 'optional (MAY) audit' : undefined);
    }
  }
  // Without the key every request is refused (401), which the audits cannot check themselves.
  const r = await fetch(server.base + '/graphql', { method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: '{ __typename }' }) });
  const body = await r.json().catch(() => null);
  tap(r.status === 401 && body?.errors?.[0]?.extensions?.code === 'UNAUTHENTICATED',
    'BC58 SHOULD use 401 or 403 status codes when the request is not permitted', JSON.stringify(body));
} finally {
  const log = server.log();
  const rc = await server.stop();
  tap(rc === 0, 'entityd exits 0 on SIGTERM', log);
}
t.done();
