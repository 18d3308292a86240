// The panel as the Chromium tests see it: the esbuild bundle of webview/main.ts served under panelHtml's strict CSP,
// with what VS Code provides inside a webview (acquireVsCodeApi, the theme's body class and CSS variables), CSP
// violations and page errors collected. `/unserved` is a page whose bundle is missing (VS Code web's webview
// service-worker race).
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as esbuild from 'esbuild';
import { chromium, type Browser, type Page } from 'playwright-core';
import { panelHtml } from '../../src/host/panelHtml';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const NONCE = 'TestNonce0123456789abcdefXYZ';

export interface PanelPage {
  browser: Browser;
  page: Page;
  /** The page's address, ending in '/'. */
  base: string;
  /** Uncaught errors and console errors of the page. */
  pageErrors: string[];
  close(): Promise<void>;
}

export async function openPanelPage(title: string): Promise<PanelPage> {
  const bundle = await esbuild.build({ entryPoints: ['webview/main.ts'], bundle: true, platform: 'browser', format: 'iife', target: 'es2022', external: ['canvas'], write: false, logLevel: 'silent' });
  const script = bundle.outputFiles[0].text;
  const css = readFileSync('media/panel.css', 'utf8');
  const server: Server = createServer((req, res) => {
    const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const page = (scriptName: string) => panelHtml({ scriptUri: `${origin}/dist/${scriptName}`, styleUri: `${origin}/media/panel.css`, cspSource: origin, nonce: NONCE, title });
    if (req.url === '/' || req.url === '/unserved') {
      res.setHeader('content-type', 'text/html; charset=utf-8');
      res.end(page(req.url === '/' ? 'webview.js' : 'missing.js'));
    } else if (req.url === '/dist/webview.js') {
      res.setHeader('content-type', 'text/javascript');
      res.end(script);
    } else if (req.url === '/media/panel.css') {
      res.setHeader('content-type', 'text/css');
      res.end(css);
    } else {
      res.statusCode = req.url === '/favicon.ico' ? 204 : 404;
      res.end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'] });
  const page = await browser.newPage({ viewport: { width: 1200, height: 1600 } });
  const pageErrors: string[] = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error') pageErrors.push(m.text());
  });
  // tsx compiles the tests' page functions with esbuild's keepNames, which calls a `__name` helper inside the page.
  await page.addInitScript({ content: 'window.__name = (f) => f;' });
  await page.addInitScript(() => {
    const w = window as unknown as { __posted: unknown[]; __state: unknown; __violations: string[]; acquireVsCodeApi: () => unknown };
    w.__posted = [];
    w.__violations = [];
    w.__state = undefined;
    document.addEventListener('securitypolicyviolation', (e) => w.__violations.push(`${e.violatedDirective} ${e.blockedURI} ${e.sample}`));
    w.acquireVsCodeApi = () => ({
      postMessage: (m: unknown) => w.__posted.push(JSON.parse(JSON.stringify(m))),
      getState: () => w.__state,
      setState: (s: unknown) => (w.__state = JSON.parse(JSON.stringify(s))),
    });
    const vars: Record<string, string> = {
      '--vscode-editor-foreground': '#3b3b3b',
      '--vscode-editor-background': '#ffffff',
      '--vscode-font-family': 'sans-serif',
      '--vscode-charts-blue': '#1a85ff',
      '--vscode-charts-red': '#e51400',
    };
    let themed = false;
    new MutationObserver(() => {
      if (!themed && document.documentElement) {
        themed = true;
        for (const [name, value] of Object.entries(vars)) document.documentElement.style.setProperty(name, value);
      }
      if (document.body && !document.body.className) document.body.className = 'vscode-light';
    }).observe(document, { childList: true, subtree: true });
  });
  await page.goto(base);
  await page.waitForFunction(() => (window as unknown as { __posted: { type: string }[] }).__posted.some((m) => m.type === 'ready'));
  return {
    browser,
    page,
    base,
    pageErrors,
    close: async () => {
      await browser.close();
      server.close();
    },
  };
}
