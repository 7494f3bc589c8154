// Bundles the user project's browser entries with esbuild (minified, as a production build
// would be) and runs them in headless Chromium: the scenario on a plain page, and a matrix
// product on a page whose Content-Security-Policy forbids compiling WebAssembly.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { chromium } from 'playwright-core';

const CHROMIUM_PATHS = ['/usr/lib/chromium/chromium', '/usr/bin/chromium'];
// Without these, Chromium keeps trying to reach Google's hosts from a closed network.
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

async function bundle(project, entry) {
  const result = await build({
    entryPoints: [join(project, entry)],
    absWorkingDir: project,
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    write: false,
    logLevel: 'error',
  });
  return result.outputFiles[0].contents;
}

function page(script) {
  return `<!doctype html><meta charset="utf-8"><script type="module" src="/${script}"></script>`;
}

export async function bundleAndRunInChromium(project) {
  const app = await bundle(project, 'browser.mjs');
  const csp = await bundle(project, 'csp.mjs');
  const kb = (n) => `${(n / 1024).toFixed(0)} KB`;
  console.log(`bundle: ${kb(app.length)} minified, ${kb(gzipSync(app).length)} gzipped`);

  const executablePath = CHROMIUM_PATHS.find((p) => existsSync(p));
  if (!executablePath) throw new Error('Chromium not found: apt-get install chromium');
  const browser = await chromium.launch({ executablePath, args: CHROMIUM_ARGS });
  try {
    const context = await browser.newContext();
    await context.route('http://localhost/**', (route) => {
      const path = new URL(route.request().url()).pathname;
      const html = { contentType: 'text/html' };
      const js = { contentType: 'text/javascript' };
      if (path === '/index.html') return route.fulfill({ ...html, body: page('app.js') });
      if (path === '/app.js') return route.fulfill({ ...js, body: Buffer.from(app) });
      if (path === '/csp.html') {
        const headers = { 'content-security-policy': "script-src 'self'" };
        return route.fulfill({ ...html, headers, body: page('csp.js') });
      }
      if (path === '/csp.js') return route.fulfill({ ...js, body: Buffer.from(csp) });
      return route.fulfill({ status: 404, body: '' });
    });

    const tab = await context.newPage();
    const errors = [];
    tab.on('pageerror', (e) => errors.push(String(e)));
    await tab.goto('http://localhost/index.html');
    const result = await tab.waitForFunction(() => globalThis.__result, null, { timeout: 120_000 });
    const value = await result.jsonValue();
    if (!value.ok || errors.length > 0)
      throw new Error(`browser: ${value.error ?? errors.join('\n')}`);
    for (const line of value.lines) console.log(`browser: ${line}`);

    const cspTab = await context.newPage();
    const warnings = [];
    cspTab.on('console', (m) => {
      if (m.type() === 'warning' && m.text().startsWith('autodag:')) warnings.push(m.text());
    });
    await cspTab.goto('http://localhost/csp.html');
    const cspResult = await (await cspTab.waitForFunction(() => globalThis.__result)).jsonValue();
    if (cspResult.product !== 512)
      throw new Error(`browser, strict CSP: product ${cspResult.product}`);
    if (cspResult.status.available)
      throw new Error('browser, strict CSP: WebAssembly compiled anyway');
    if (warnings.length !== 1 || !/'wasm-unsafe-eval'.*script-src/.test(warnings[0])) {
      throw new Error(
        `browser, strict CSP: expected one warning naming the directive, got ${JSON.stringify(warnings)}`,
      );
    }
    console.log(`browser, strict CSP: JS kernels, one warning: ${warnings[0]}`);
  } finally {
    await browser.close();
  }
}
