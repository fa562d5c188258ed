// entityd_server.mjs -- starts the real entityd for node-based tests (the graphql-http audit and
// the browser test): 127.0.0.1, a free port, a temporary data directory; reads the admin key.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export const srcdir = process.env.ENTITYD_SRCDIR ||
  path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');
export const bin = process.env.ENTITYD_BIN || path.join(srcdir, 'build', 'src', 'entityd');

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/* Returns { base, key, stop(): Promise<exit code>, log(): string }. */
export async function startServer(extraArgs = []) {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'entityd-node-'));
  const port = await freePort();
  const logPath = path.join(dataDir, 'server.log');
  const logFd = fs.openSync(logPath, 'a');
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('ENTITYD_')));
  const proc = spawn(bin, ['--listen', '127.0.0.1', '--port', String(port), '--data-dir', dataDir,
    '--web-root', path.join(srcdir, 'web'), ...extraArgs], { stdio: ['ignore', logFd, logFd], env });
  let exited = null;
  proc.on('exit', (code) => { exited = code; });
  const base = `http://127.0.0.1:${port}`;
  const log = () => { try { return fs.readFileSync(logPath, 'utf8').slice(-4000); } catch { return ''; } };
  const deadline = Date.now() + 15000;
  let healthy = false;
  while (Date.now() < deadline && exited === null) {
    try {
      const r = await fetch(base + '/healthz');
      if (r.status === 200) { healthy = true; break; }
    } catch { /* not listening yet */ }
    await sleep(50);
  }
  const keyPath = path.join(dataDir, 'admin.key');
  if (!healthy || !fs.existsSync(keyPath)) {
    proc.kill('SIGKILL');
    throw new Error('entityd did not start:\n' + log());
  }
  const key = fs.readFileSync(keyPath, 'utf8').trim();
  const stop = () => new Promise((resolve) => {
    const done = (code) => { fs.closeSync(logFd); fs.rmSync(dataDir, { recursive: true, force: true }); resolve(code); };
    if (exited !== null) return done(exited);
    const t = setTimeout(() => proc.kill('SIGKILL'), 15000);
    proc.once('exit', (code) => { clearTimeout(t); done(code); });
    proc.kill('SIGTERM');
  });
  return { base, key, stop, log };
}

/* Minimal TAP producer. */
export function makeTap() {
  let n = 0;
  let failed = 0;
  return {
    ok(cond, name, detail, todo) {
      n++;
      console.log(`${cond ? 'ok' : 'not ok'} ${n} - ${name.replace(/#/g, '\\#')}${todo ? ` # TODO ${todo}` : ''}`);
      if (!cond && !todo) failed++;
      if (!cond && detail) for (const l of String(detail).slice(0, 3000).split('\n')) console.log(`#   ${l}`);
      return cond;
    },
    done() {
      console.log(`1..${n}`);
      process.exit(failed ? 1 : 0);
    },
  };
}
