import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { createConsole } from '../main/compose';
import { systemClock } from '../main/core/clock';
import { silentLogger } from '../main/core/log';
import { defaultResources } from '../main/provision/provisioner';
import { createKeyFileSecretBox } from '../main/secrets/key-file-secret-box';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../tests/helpers/browser';
import { cmdline, descendantsOf, privateBytes, pssBytes, rssBytes } from './proc-tree';
import { median, percentile, printFigures, saveResults, met, type Figure } from './report';

const ROOT = path.resolve(__dirname, '..');
const CLI = path.join(ROOT, 'out/main/cli.js');
const RUNS = 5;

/** A data directory holding `count` appliances, written through the real services. */
async function seedDataDir(count: number): Promise<string> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `ac-bench-${count}-`));
  const c = createConsole({ host: 'cli', dataDir: dir, secretBox: createKeyFileSecretBox, clock: systemClock, log: silentLogger, provisionResources: defaultResources(ROOT) });
  const roles = ['server', 'smartbox'] as const;
  for (let i = 0; i < count; i++) {
    const r = await c.dispatcher.call(
      'fleet.add',
      { name: `node-${String(i).padStart(4, '0')}`, address: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`, role: roles[i % 2], tags: [`rack-${i % 20}`, i % 3 ? 'prod' : 'lab'], notes: `bench appliance ${i}` },
      { host: 'cli', actor: 'bench' },
    );
    if (!r.ok) throw new Error(r.error.message);
  }
  c.close();
  return dir;
}

/** Runs the built CLI directly, as an installed app does (the dev launcher adds a source-freshness check). */
function startServe(dataDir: string): Promise<{ loginUrl: string; child: ChildProcess }> {
  const child = spawn(process.execPath, [CLI, 'serve', '--listen', '127.0.0.1:0', '--data-dir', dataDir], { stdio: ['ignore', 'pipe', 'ignore'] });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /(http:\/\/\S+\/login\?token=\S+)/.exec(out);
      if (m) resolve({ loginUrl: m[1]!, child });
    });
    child.once('exit', (code) => reject(new Error(`serve exited ${code}`)));
  });
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const done = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await done;
}

async function waitFleetRendered(page: Page): Promise<number> {
  await page.waitForFunction(() => performance.getEntriesByName('fleet-rendered').length > 0, null, { timeout: 30_000 });
  return page.evaluate(() => performance.getEntriesByName('fleet-rendered')[0]!.startTime);
}

/** Reference: the floor for any page from a fresh Node process — spawn a static server, load a blank page. */
async function blankPageColdStart(browser: Browser): Promise<number> {
  const script = `require('http').createServer((q,s)=>{s.writeHead(200,{'content-type':'text/html'});s.end('<!doctype html><p>ok</p>')}).listen(0,'127.0.0.1',function(){console.log('http://127.0.0.1:'+this.address().port+'/')})`;
  const t0 = performance.now();
  const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'ignore'] });
  const url = await new Promise<string>((resolve) => child.stdout!.once('data', (d: Buffer) => resolve(d.toString().trim())));
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  await page.goto(url);
  await page.waitForSelector('p');
  const ms = performance.now() - t0;
  await ctx.close();
  await stop(child);
  return ms;
}

async function coldStart(browser: Browser, dataDir: string): Promise<number> {
  const t0 = performance.now();
  const { loginUrl, child } = await startServe(dataDir);
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  await page.goto(loginUrl);
  await waitFleetRendered(page);
  const ms = performance.now() - t0;
  await ctx.close();
  await stop(child);
  return ms;
}

/** Time from navigation start to the Fleet table's first data render. */
async function firstRender(page: Page, url: string): Promise<number> {
  await page.goto(url);
  return waitFleetRendered(page);
}

/**
 * Scrolls the virtual table body a step per animation frame and reports frame intervals. Passed as
 * source text: tsx's transform adds helpers (`__name`) to functions, which do not exist in the page.
 */
const SCROLL_SCRIPT = `(async () => {
  const holder = document.querySelector('[data-testid="fleet-table-scroll"]');
  if (!holder) throw new Error('fleet table scroll container not found');
  const frames = (n, step) => new Promise((resolve) => {
    const deltas = [];
    let last = performance.now();
    const tick = (t) => {
      deltas.push(t - last);
      last = t;
      if (step) step();
      if (deltas.length < n) requestAnimationFrame(tick); else resolve(deltas.slice(1));
    };
    requestAnimationFrame(tick);
  });
  const idle = await frames(60);
  let dir = 1;
  const scrolling = await frames(240, () => {
    holder.scrollTop += dir * 120;
    if (holder.scrollTop + holder.clientHeight >= holder.scrollHeight - 1) dir = -1;
    if (holder.scrollTop <= 0) dir = 1;
  });
  return { idle, scrolling, rows: document.querySelectorAll('[data-testid="fleet-row"]').length };
})()`;

async function scrollFrames(page: Page): Promise<{ idle: number[]; scrolling: number[]; rows: number }> {
  return page.evaluate(SCROLL_SCRIPT) as Promise<{ idle: number[]; scrolling: number[]; rows: number }>;
}

interface RendererMemory {
  rss: number;
  pss: number;
  private: number;
}

function rendererMemory(browserPid: number): RendererMemory {
  const renderers = descendantsOf(browserPid).filter((p) => cmdline(p).includes('--type=renderer') && !cmdline(p).includes('--extension-process'));
  // The page's renderer is the largest; spare renderers are tiny.
  let best: RendererMemory = { rss: 0, pss: 0, private: 0 };
  for (const p of renderers) {
    const priv = privateBytes(p);
    if (priv > best.private) best = { rss: rssBytes(p), pss: pssBytes(p), private: priv };
  }
  return best;
}

/** Reference: the renderer of a blank page in the same browser — what any page costs before our code. */
async function blankPageMemory(browser: Browser, browserPid: number): Promise<RendererMemory> {
  const srv = http.createServer((_q, res) => {
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end('<!doctype html><p>blank</p>');
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  await page.goto(`http://127.0.0.1:${(srv.address() as AddressInfo).port}/`);
  await page.waitForTimeout(500);
  const mem = rendererMemory(browserPid);
  await ctx.close();
  srv.close();
  return mem;
}

export async function runUiBenchmarks(): Promise<boolean> {
  if (!fs.existsSync(CLI)) throw new Error('out/main/cli.js missing: run npm run build');
  const small = await seedDataDir(10);
  const large = await seedDataDir(1000);
  const server = await chromium.launchServer({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true });
  const browser = await chromium.connect(server.wsEndpoint());
  const figures: Figure[] = [];
  try {
    // Warm the OS file cache once so every run measures the same thing (a second launch on a desktop).
    await coldStart(browser, small);
    await blankPageColdStart(browser);

    const cold: number[] = [];
    const blank: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      blank.push(await blankPageColdStart(browser));
      cold.push(await coldStart(browser, small));
    }
    figures.push({ name: 'headless host cold start → first rendered Fleet page (median of 5)', value: median(cold), unit: 'ms', target: 1500, reference: { name: 'blank page from a fresh node process', value: median(blank) } });

    const browserPid = server.process().pid!;
    const blankMem = await blankPageMemory(browser, browserPid);
    const { loginUrl, child } = await startServe(large);
    const ctx = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    const page = await ctx.newPage();
    await page.goto(loginUrl);
    await waitFleetRendered(page);
    const origin = new URL(loginUrl).origin + '/';
    const renders1000: number[] = [];
    for (let i = 0; i < RUNS; i++) renders1000.push(await firstRender(page, origin + `?r=${i}#/fleet`));
    await ctx.close();
    // Scrolling and memory in a fresh context: one load and a scroll, as a person would, not the
    // garbage of the reloads above (a new context gets a new renderer process).
    const fresh = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    const freshPage = await fresh.newPage();
    await freshPage.goto(loginUrl);
    await waitFleetRendered(freshPage);
    const frames = await scrollFrames(freshPage);
    const mem = rendererMemory(browserPid);
    const heap = await freshPage.evaluate(() => (performance as unknown as { memory?: { usedJSHeapSize: number } }).memory?.usedJSHeapSize ?? 0);
    await fresh.close();
    await stop(child);

    const { loginUrl: smallUrl, child: smallChild } = await startServe(small);
    const ctx10 = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    const page10 = await ctx10.newPage();
    await page10.goto(smallUrl);
    await waitFleetRendered(page10);
    const renders10: number[] = [];
    for (let i = 0; i < RUNS; i++) renders10.push(await firstRender(page10, new URL(smallUrl).origin + `/?r=${i}#/fleet`));
    await ctx10.close();
    await stop(smallChild);

    // rAF intervals come in whole vsyncs: one over 1.5× the idle interval means a frame was missed.
    const frameBudget = median(frames.idle);
    const dropped = frames.scrolling.filter((d) => d > frameBudget * 1.5).length;
    if (frames.rows === 0) throw new Error('no fleet rows rendered while scrolling');
    figures.push({ name: 'Fleet page, 1,000 appliances: navigation → first render (median of 5)', value: median(renders1000), unit: 'ms', target: 300, reference: { name: 'the same page with 10 appliances', value: median(renders10) } });
    figures.push({ name: `scrolling 1,000 rows: dropped frames (interval over 1.5× idle) of ${frames.scrolling.length}`, value: dropped, unit: 'frames', target: 0 });
    figures.push({ name: 'scrolling 1,000 rows: p95 frame interval', value: percentile(frames.scrolling, 95), unit: 'ms', reference: { name: 'idle frame interval', value: frameBudget } });
    figures.push({ name: "renderer memory footprint after scrolling (private memory, as Chrome's task manager shows it)", value: mem.private / 1048576, unit: 'MiB', target: 150, reference: { name: 'a blank page in the same browser', value: blankMem.private / 1048576 } });
    figures.push({ name: 'renderer RSS (shared Chromium libraries counted in full)', value: mem.rss / 1048576, unit: 'MiB', reference: { name: 'a blank page', value: blankMem.rss / 1048576 } });
    figures.push({ name: 'renderer PSS (shared pages split)', value: mem.pss / 1048576, unit: 'MiB', reference: { name: 'a blank page', value: blankMem.pss / 1048576 } });
    figures.push({ name: 'renderer JS heap used', value: heap / 1048576, unit: 'MiB' });
  } finally {
    await browser.close();
    await server.close();
    fs.rmSync(small, { recursive: true, force: true });
    fs.rmSync(large, { recursive: true, force: true });
  }
  printFigures('UI (Chromium against the headless host)', figures);
  saveResults('ui', figures);
  return figures.every((f) => met(f) !== false);
}
