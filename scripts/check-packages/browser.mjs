// Bundles the user project's browser entries with esbuild (minified, as a production build
// would be) and runs them in headless Chromium: the scenario on a plain page, a matrix product
// on a page whose Content-Security-Policy forbids compiling WebAssembly, and a WebGPU user's
// bundle (autodag/webgpu and the plugin's WGSL kernels) on Chromium's WebGPU. The CPU bundle
// must hold no WGSL, the WebGPU one no Dawn.
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

/** WebGPU in headless Chromium: SwiftShader's adapter, behind a flag on Linux. */
const WEBGPU_ARGS = [
  ...CHROMIUM_ARGS.filter((a) => a !== '--disable-gpu'),
  '--enable-unsafe-webgpu',
];

/** Throws if the bundle `name` contains one of `markers` (what `what` would leave in it). */
function refuse(bundleBytes, name, what, markers) {
  const text = Buffer.from(bundleBytes).toString('utf8');
  const found = markers.filter((m) => text.includes(m));
  if (found.length > 0) throw new Error(`${name} bundle contains ${what}: ${found.join(', ')}`);
}

function page(script) {
  return `<!doctype html><meta charset="utf-8"><script type="module" src="/${script}"></script>`;
}

export async function bundleAndRunInChromium(project) {
  const app = await bundle(project, 'browser.mjs');
  const csp = await bundle(project, 'csp.mjs');
  const webgpu = await bundle(project, 'webgpu.mjs');
  const kb = (n) => `${(n / 1024).toFixed(0)} KB`;
  console.log(`bundle: ${kb(app.length)} minified, ${kb(gzipSync(app).length)} gzipped`);
  console.log(
    `bundle with autodag/webgpu: ${kb(webgpu.length)} minified, ${kb(gzipSync(webgpu).length)} gzipped`,
  );
  refuse(app, 'CPU', 'WGSL', ['@compute', 'workgroup_size', 'var<storage']);
  refuse(webgpu, 'WebGPU', 'Dawn', ["'webgpu' package (Dawn)", 'node:v8', 'dawn.node']);

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
  await runWebGPUPage(executablePath, webgpu);
}

/** The WebGPU user's bundle on a page of a browser with WebGPU. */
async function runWebGPUPage(executablePath, code) {
  const browser = await chromium.launch({ executablePath, args: WEBGPU_ARGS });
  try {
    const tab = await browser.newPage();
    const errors = [];
    tab.on('pageerror', (e) => errors.push(String(e)));
    // WebGPU needs a real origin (not about:blank).
    await tab.route('http://localhost/**', (route) => {
      const path = new URL(route.request().url()).pathname;
      if (path === '/webgpu.js') {
        return route.fulfill({ contentType: 'text/javascript', body: Buffer.from(code) });
      }
      return route.fulfill({ contentType: 'text/html', body: page('webgpu.js') });
    });
    await tab.goto('http://localhost/webgpu.html');
    const result = await tab.waitForFunction(() => globalThis.__result, null, { timeout: 120_000 });
    const value = await result.jsonValue();
    if (!value.ok || errors.length > 0)
      throw new Error(`browser, WebGPU: ${value.error ?? errors.join('\n')}`);
    for (const line of value.lines) console.log(`browser, WebGPU: ${line}`);
  } finally {
    await browser.close();
  }
}
