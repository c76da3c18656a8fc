import { describe, expect, it } from 'vitest';
import { applianceInput } from '../../main/contract/fleet.contract';
import { formatEndpoint, formatLogin, parseAddress, parseEndpoint } from '../../main/contract/network-address';

describe('network addresses: one parser, one formatter', () => {
  it('reads IPv4, host names and IPv6 (canonical, zone kept), and refuses what is neither', () => {
    expect(parseAddress('10.0.0.5')).toEqual({ ok: true, address: '10.0.0.5', kind: 'ipv4' });
    expect(parseAddress(' edge-1.example.com. ')).toEqual({ ok: true, address: 'edge-1.example.com', kind: 'hostname' });
    expect(parseAddress('0:0:0:0::1')).toEqual({ ok: true, address: '::1', kind: 'ipv6' });
    expect(parseAddress('FD00:0:0::5')).toEqual({ ok: true, address: 'fd00::5', kind: 'ipv6' });
    expect(parseAddress('[fd00::5]')).toEqual({ ok: true, address: 'fd00::5', kind: 'ipv6' });
    expect(parseAddress('fe80::1%eth0')).toEqual({ ok: true, address: 'fe80::1%eth0', kind: 'ipv6' });
    for (const bad of ['', '999.1.1.1', '10.0.0', 'fd00::5::1', 'a b', 'fe80::1%eth0%x', 'x'.repeat(254), '-edge']) expect(parseAddress(bad).ok, bad).toBe(false);
  });

  it('writes an endpoint with IPv6 in brackets, and reads it back', () => {
    expect(formatEndpoint('10.0.0.5', 22)).toBe('10.0.0.5:22');
    expect(formatEndpoint('fd00::5', 2222)).toBe('[fd00::5]:2222');
    expect(formatLogin('root', 'fd00::5', 22)).toBe('root@[fd00::5]:22');
    for (const [address, port] of [['10.0.0.5', 22], ['fd00::5', 2222], ['edge-1', 65535]] as const) {
      expect(parseEndpoint(formatEndpoint(address, port))).toMatchObject({ ok: true, address, port });
    }
    // A bare IPv6 address is an address without a port, as OpenSSH reads it.
    expect(parseEndpoint('fd00::5')).toMatchObject({ ok: true, address: 'fd00::5', port: undefined });
    expect(parseEndpoint('10.0.0.8:0')).toMatchObject({ ok: false, code: 'invalid-port' });
    expect(parseEndpoint('10.0.0.8:70000')).toMatchObject({ ok: false, code: 'invalid-port' });
  });

  it('is what the contract applies: the stored form is canonical, a bad address is a field issue', () => {
    expect(applianceInput.parse({ name: 'v6', address: '0:0::1' }).address).toBe('::1');
    const bad = applianceInput.safeParse({ name: 'bad', address: '300.1.1.1' });
    expect(bad.success).toBe(false);
    expect(bad.error?.issues[0]).toMatchObject({ path: ['address'], params: { code: 'invalid-address' } });
  });
});
