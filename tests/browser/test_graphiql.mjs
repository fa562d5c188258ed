// test_graphiql.mjs -- loads /graphiql from the real entityd in Debian's headless Chromium
// (playwright-core, no downloaded browser), checks that every request stays on entityd (no
// internet), puts the admin key into the Headers editor, runs `{ __typename }` and expects
// "Query" in the result pane. TAP output.
import path from 'node:path';
import { createRequire } from 'node:module';

import { makeTap, srcdir, startServer } from '../e2e/entityd_server.mjs';

const require = createRequire(path.join(srcdir, 'web', 'package.json'));
const { chromium } = require('playwright-core');
const t = makeTap();

const server = await startServer();
let browser;
try {
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM && process.env.CHROMIUM !== 'no' ? process.env.CHROMIUM : '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
    timeout: 30000,
  });
  const page = await browser.newPage();
  const foreign = [];
  const pageErrors = [];
  page.on('request', (req) => {
    const u = req.url();
    if (!u.startsWith(server.base) && !u.startsWith('data:') && !u.startsWith('blob:')) foreign.push(u);
  });
  page.on('pageerror', (e) => pageErrors.push(String(e)));

  const resp = await page.goto(server.base + '/graphiql', { waitUntil: 'load', timeout: 30000 });
  t.ok(resp && resp.status() === 200, 'GET /graphiql answers 200', resp && resp.status());

  const loaded = await page.waitForSelector('.graphiql-container', { timeout: 30000 }).then(() => true, () => false);
  t.ok(loaded, 'GraphiQL renders', pageErrors.join('\n'));

  // The Headers tab shows where the key goes; replace its content with the real key.
  await page.getByText('Headers', { exact: true }).first().click();
  const hinted = await page.waitForFunction(() => [...document.querySelectorAll('.CodeMirror')]
    .some((el) => el.CodeMirror && el.CodeMirror.getValue().includes('API-Key')), null, { timeout: 10000 })
    .then(() => true, () => false);
  t.ok(hinted, 'the Headers editor shows the API-Key placeholder');
  const setHeaders = await page.evaluate((key) => {
    const ed = [...document.querySelectorAll('.CodeMirror')].map((el) => el.CodeMirror)
      .find((cm) => cm && cm.getValue().includes('API-Key'));
    if (!ed) return false;
    ed.setValue(JSON.stringify({ 'API-Key': key }));
    return true;
  }, server.key);
  t.ok(setHeaders, 'admin key put into the Headers editor');

  const setQuery = await page.evaluate(() => {
    const ed = document.querySelector('.graphiql-query-editor .CodeMirror');
    if (!ed || !ed.CodeMirror) return false;
    ed.CodeMirror.setValue('{ __typename }');
    return true;
  });
  t.ok(setQuery, 'query editor holds { __typename }');

  await page.click('.graphiql-execute-button');
  const result = await page.waitForFunction(() => {
    const el = document.querySelector('.graphiql-response');
    return el && el.innerText.includes('"Query"') ? el.innerText : false;
  }, null, { timeout: 20000 }).then((h) => h.jsonValue(), () => null);
  const text = result || await page.evaluate(() => document.querySelector('.graphiql-response')?.innerText || '');
  t.ok(result && result.includes('__typename'), '"Query" appears in the result pane', text);
  // The schema loads once the key is in place: the documentation explorer lists the root types.
  const docsText = async () => {
    if (!(await page.$('.graphiql-doc-explorer'))) await page.click('[aria-label="Show Documentation Explorer"]');
    return page.waitForFunction(() => {
      const el = document.querySelector('.graphiql-doc-explorer');
      return el && /query:\s*Query/.test(el.innerText) ? el.innerText : false;
    }, null, { timeout: 15000 }).then((h) => h.jsonValue(), async () =>
      page.evaluate(() => document.querySelector('.graphiql-doc-explorer')?.innerText || '(no explorer)'));
  };
  let docs = await docsText();
  t.ok(/query:\s*Query/.test(docs) && /Mutation/.test(docs), 'documentation explorer shows the schema after the key is pasted',
    docs.slice(0, 500));
  await page.reload({ waitUntil: 'load' });
  await page.waitForSelector('.graphiql-container', { timeout: 30000 });
  docs = await docsText();
  t.ok(/query:\s*Query/.test(docs), 'after a reload the saved key loads the schema at once', docs.slice(0, 500));

  t.ok(foreign.length === 0, 'every request went to entityd (works offline)', foreign.join('\n'));
  t.ok(pageErrors.length === 0, 'no JavaScript errors on the page', pageErrors.join('\n'));
} catch (e) {
  t.ok(false, 'browser test ran', String(e && e.stack || e) + '\n' + server.log());
} finally {
  if (browser) await browser.close();
  const rc = await server.stop();
  t.ok(rc === 0, 'entityd exits 0 on SIGTERM');
}
t.done();
