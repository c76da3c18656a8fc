import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { beforeEach } from 'vitest';
import { ROOT } from './serve-process';

/**
 * When a browser test fails, print what a person would need to see why: the page's address, its
 * visible text, the browser console's errors and failed requests, and the tail of the console
 * host's own output; and save a screenshot under test-results/. A CI log then says whether the
 * page was stuck loading, showed an error, or was somewhere else, instead of only "timed out".
 */
export function diagnoseFailures(name: string, get: () => { page?: Page; hostOutput?: () => string }): void {
  const seen: string[] = [];
  const watched = new WeakSet<Page>();
  beforeEach((ctx) => {
    const { page } = get();
    if (page && !watched.has(page)) {
      watched.add(page);
      page.on('console', (m) => m.type() === 'error' && seen.push(`console error: ${m.text()}`));
      page.on('pageerror', (e) => seen.push(`page error: ${e.message}`));
      page.on('requestfailed', (r) => seen.push(`request failed: ${r.method()} ${r.url()} (${r.failure()?.errorText ?? '?'})`));
      page.on('response', (r) => r.status() >= 400 && seen.push(`HTTP ${r.status()}: ${r.request().method()} ${r.url()}`));
    }
    ctx.onTestFailed(async () => {
      const { page: p, hostOutput } = get();
      const lines = [`--- diagnostics for the failed test "${ctx.task.name}" (${name}) ---`];
      if (p) {
        lines.push(`page: ${p.url()}`);
        const text = await p.evaluate(() => document.body?.innerText ?? '(no body)').catch((e: unknown) => `(cannot read the page: ${String(e)})`);
        lines.push(`visible text:\n${text.slice(0, 2000)}`);
        const shot = path.join(ROOT, 'test-results', `failed-${name}-${ctx.task.name.replace(/[^\w-]+/g, '-').slice(0, 60)}.png`);
        fs.mkdirSync(path.dirname(shot), { recursive: true });
        await p.screenshot({ path: shot }).then(() => lines.push(`screenshot: ${shot}`), () => undefined);
      }
      lines.push(`browser events (last 20):\n${seen.slice(-20).join('\n') || '(none)'}`);
      if (hostOutput) lines.push(`console host output (tail):\n${hostOutput().slice(-3000)}`);
      console.error(lines.join('\n'));
    });
  });
}
