/**
 * The files the agent writes for service modules and settings (services.json, settings.json) are
 * never torn: written to a temp file, fsynced, renamed. Proven with real processes killed by
 * SIGKILL — once exactly between the write and the rename, and at random instants of a writing
 * loop — after which the file always parses, holds a whole version, and the next start clears the
 * leftover temp file. Also: the store keeps entries of modules this agent does not know.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createServicesStore } from '../../agents/agent/services/services-store';
import { ServicesFileSchema } from '../../agents/protocol/services/services-file';
import { makeTempDir } from '../helpers/temp-dir';

const REPO_ROOT = path.resolve(__dirname, '../..');
const WRITER = path.join(REPO_ROOT, 'tests/fixtures/services/services-file-writer.ts');
const work = makeTempDir('svc-files');

afterAll(() => work.cleanup());

function runWriter(mode: string, file: string, killAfterStartMs?: number): Promise<NodeJS.Signals | number> {
  const child = spawn(process.execPath, ['--import', 'tsx', WRITER, mode, file], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  if (killAfterStartMs !== undefined) {
    child.stdout.once('data', () => setTimeout(() => child.kill('SIGKILL'), killAfterStartMs));
  }
  return new Promise((resolve, reject) =>
    child.once('exit', (code, signal) => (signal ? resolve(signal) : code === 0 ? resolve(code) : reject(new Error(`the writer failed (exit ${code}): ${err}`)))),
  );
}

const tempFilesOf = (file: string) => fs.readdirSync(path.dirname(file)).filter((n) => n.startsWith(`.${path.basename(file)}.tmp-`));

describe('services.json is written atomically', () => {
  it('a crash between writing the temp file and the rename leaves the old file byte for byte; the next start removes the temp file', async () => {
    const file = path.join(work.dir, 'crash', 'services.json');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const old = `${JSON.stringify({ configVersion: 1, services: { echo: { enabled: true, config: { message: 'old' } } } }, null, 2)}\n`;
    fs.writeFileSync(file, old);

    expect(await runWriter('crash-before-rename', file)).toBe('SIGKILL');
    expect(fs.readFileSync(file, 'utf8')).toBe(old);
    // The new content reached the disk in the temp file: the crash really came after the write.
    const temps = tempFilesOf(file);
    expect(temps).toHaveLength(1);
    expect(fs.readFileSync(path.join(path.dirname(file), temps[0]!), 'utf8')).toContain('"new"');

    const store = createServicesStore(file);
    expect(tempFilesOf(file)).toEqual([]);
    expect(store.read()).toEqual({ file: { configVersion: 1, services: { echo: { enabled: true, config: { message: 'old' } } } }, error: null });
  });

  it('killed at random instants while it rewrites the file, it always leaves a whole file that parses', async () => {
    const file = path.join(work.dir, 'loop', 'services.json');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    createServicesStore(file).write('echo', { enabled: true, config: { message: 'x' } });
    let sawTemp = 0;
    for (let round = 0; round < 8; round++) {
      expect(await runWriter('loop', file, 20 + ((round * 37) % 120))).toBe('SIGKILL');
      if (tempFilesOf(file).length > 0) sawTemp += 1;
      const parsed = ServicesFileSchema.safeParse(JSON.parse(fs.readFileSync(file, 'utf8')));
      expect(parsed.success).toBe(true);
      const message = parsed.data?.services.echo?.config.message as string;
      expect(message).toMatch(/^x+$/);
      expect((message.length - 1) % 4096).toBe(0);
    }
    // Not asserted per round (timing), but over 8 kills some must have landed mid-write, or the test proves nothing.
    expect(sawTemp).toBeGreaterThan(0);
  });

  it("keeps entries of modules this agent does not know, and a person's edits, when it writes one service", () => {
    const file = path.join(work.dir, 'keep', 'services.json');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, JSON.stringify({ configVersion: 1, services: { 'from-newer-agent': { enabled: true, config: { a: 1 } } } }));
    const store = createServicesStore(file);
    store.write('echo', { enabled: false, config: {} });
    expect(JSON.parse(fs.readFileSync(file, 'utf8'))).toEqual({ configVersion: 1, services: { 'from-newer-agent': { enabled: true, config: { a: 1 } }, echo: { enabled: false, config: {} } } });
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
  });

  it('says why a file it cannot use was not used, with what to do', () => {
    const file = path.join(work.dir, 'bad', 'services.json');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, '{ "configVersion": 1, "services": ');
    expect(createServicesStore(file).read().error).toMatch(/is not valid JSON .*service-configure\.v1/);
    fs.writeFileSync(file, JSON.stringify({ configVersion: 2 }));
    expect(createServicesStore(file).read().error).toMatch(/is invalid: .*configVersion/);
  });

  it('replaces a file it cannot use only after keeping it aside, so no other service’s config is lost', () => {
    const file = path.join(work.dir, 'aside', 'services.json');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const broken = '{ "configVersion": 1, "services": { "kodo": { "enabled": true, "config": { "secretKey": "s" } } }, }';
    fs.writeFileSync(file, broken);
    createServicesStore(file).write('echo', { enabled: true, config: {} });
    expect(JSON.parse(fs.readFileSync(file, 'utf8'))).toEqual({ configVersion: 1, services: { echo: { enabled: true, config: {} } } });
    const kept = fs.readdirSync(path.dirname(file)).filter((f) => f.startsWith('services.json.invalid-'));
    expect(kept).toHaveLength(1);
    expect(fs.readFileSync(path.join(path.dirname(file), kept[0]!), 'utf8')).toBe(broken);
  });
});
