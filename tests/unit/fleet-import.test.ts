import { afterEach, describe, expect, it } from 'vitest';
import { parseApplianceCsv } from '../../main/contract/fleet-csv';
import { CTX, makeConsole } from '../helpers/console-fixture';

describe('appliance CSV', () => {
  it('reads a spreadsheet export: BOM, CRLF, quoted commas and quotes, empty cells, tags', () => {
    const csv = '\uFEFFname,address,port,user,role,tags,notes\r\n' + 'edge-1,10.0.0.1,,root,server,rack-a;prod,"Hall 2, row ""B"""\r\n' + '边缘-2,box2.site,2222,,smartbox,,\r\n\r\n';
    const { rows, problems } = parseApplianceCsv(csv);
    expect(problems).toEqual([]);
    expect(rows).toEqual([
      { line: 2, values: { name: 'edge-1', address: '10.0.0.1', user: 'root', role: 'server', tags: ['rack-a', 'prod'], notes: 'Hall 2, row "B"' } },
      { line: 3, values: { name: '边缘-2', address: 'box2.site', port: 2222, role: 'smartbox' } },
    ]);
  });

  it('names problems with the file itself, with their line', () => {
    expect(parseApplianceCsv('name,host\nx,y\n').problems).toEqual([
      { line: 1, code: 'unknown-column', detail: 'host' },
      { line: 1, code: 'missing-column', detail: 'address' },
    ]);
    expect(parseApplianceCsv('name,address\na,b,c\n"open,quote\n').problems.map((p) => `${p.line}:${p.code}`)).toEqual(['2:too-many-fields', '3:unterminated-quote']);
  });
});

const consoles: Array<ReturnType<typeof makeConsole>> = [];
afterEach(() => consoles.splice(0).forEach((c) => c.cleanup()));

describe('fleet.import', () => {
  it('adds every row with one shared login, in one transaction', async () => {
    const c = makeConsole('import');
    consoles.push(c);
    const { rows } = parseApplianceCsv('name,address,tags\na1,10.1.0.1,x\na2,10.1.0.2,\na3,10.1.0.3,y z\n');
    const r = await c.dispatcher.call('fleet.import', { appliances: rows.map((row) => row.values), auth: { kind: 'password', password: 'site-pass' } }, CTX);
    expect(r).toMatchObject({ ok: true, result: { added: [{ name: 'a1', credential: { kind: 'password' } }, { name: 'a2' }, { name: 'a3', tags: ['y', 'z'] }] } });
    expect(c.db.prepare('SELECT count(*) FROM credentials').pluck().get()).toBe(3);
    const audit = await c.dispatcher.call('audit.list', { limit: 5 }, CTX);
    expect(JSON.stringify(audit)).not.toContain('site-pass');
  });

  it('imports nothing when any row is invalid or clashes, and names each row at fault', async () => {
    const c = makeConsole('import-bad');
    consoles.push(c);
    await c.dispatcher.call('fleet.add', { name: 'existing', address: '10.2.0.9' }, CTX);

    const invalid = await c.dispatcher.call('fleet.import', { appliances: [{ name: 'ok', address: '10.2.0.1' }, { name: 'bad', address: 'not valid' }] }, CTX);
    expect(invalid).toMatchObject({ ok: false, error: { code: 'invalid-input', issues: [{ path: 'appliances.1.address', code: 'invalid-address' }] } });

    const clash = await c.dispatcher.call(
      'fleet.import',
      { appliances: [{ name: 'n1', address: '10.2.0.1' }, { name: 'N1', address: '10.2.0.2' }, { name: 'n3', address: '10.2.0.9' }, { name: 'n4', address: '10.2.0.1' }] },
      CTX,
    );
    expect(clash).toMatchObject({ ok: false, error: { code: 'conflict' } });
    const paths = (clash as { ok: false; error: { issues: { path: string; code: string }[] } }).error.issues.map((i) => `${i.path}:${i.code}`).sort();
    expect(paths).toEqual(['appliances.1.name:duplicate-name', 'appliances.2.address:duplicate-endpoint', 'appliances.3.address:duplicate-endpoint']);
    expect(c.db.prepare('SELECT count(*) FROM appliances').pluck().get()).toBe(1);
  });
});
