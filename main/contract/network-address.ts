/**
 * The one owner of SSH addresses and endpoints: what counts as an address, its stored (canonical)
 * form, how `host:port` is written and read back. The contract's schema, the fleet register, the
 * CLI's `provision 10.0.0.8:2222`, the UI's forms and tables and every message that names a
 * machine use these, so an IPv6 address is bracketed everywhere (`[fd00::5]:22`) and `::1` and
 * `0:0::1` are one machine. Pure (no node:net): the renderer imports it too.
 */

export type AddressKind = 'ipv4' | 'ipv6' | 'hostname';

export type ParsedAddress = { ok: true; address: string; kind: AddressKind } | { ok: false; code: 'invalid-address'; message: string };

const IPV4_RE = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
/** RFC 1123 host name: labels of letters, digits and hyphens, optionally fully qualified. */
const HOSTNAME_RE = /^(?=.{1,253}$)([a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)(\.[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*\.?$/;
const IPV6_CHARS_RE = /^[0-9a-fA-F:.]{2,45}$/;
const ZONE_RE = /^[\w.-]{1,32}$/;

const invalid = (message: string): ParsedAddress => ({ ok: false, code: 'invalid-address', message });

/**
 * An IPv6 literal in its canonical compressed form (RFC 5952, as the WHATWG URL parser writes it),
 * or null when it is not one.
 */
function canonicalIpv6(text: string): string | null {
  if (!IPV6_CHARS_RE.test(text) || !text.includes(':')) return null;
  try {
    const host = new URL(`http://[${text}]/`).hostname;
    return host.slice(1, -1);
  } catch {
    return null;
  }
}

/**
 * Reads what a person typed as a machine's address: an IPv4 address, an IPv6 address (with an
 * optional zone, `fe80::1%eth0`, kept as typed) or a host name. Returns the form to store.
 */
export function parseAddress(input: string): ParsedAddress {
  const text = input.trim();
  if (text === '' || text.length > 253) return invalid('Enter a host name, an IPv4 address or an IPv6 address');
  if (IPV4_RE.test(text)) return { ok: true, address: text, kind: 'ipv4' };
  if (text.includes(':') || text.startsWith('[')) {
    const bare = text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text;
    const [addr = '', zone, extra] = bare.split('%');
    const canonical = canonicalIpv6(addr);
    if (canonical === null || extra !== undefined || (zone !== undefined && !ZONE_RE.test(zone))) return invalid(`${text} is not a valid IPv6 address`);
    return { ok: true, address: zone !== undefined ? `${canonical}%${zone}` : canonical, kind: 'ipv6' };
  }
  // All digits and dots but not IPv4 (999.1.1.1, 10.0.0): a mistyped address, not a host name.
  if (/^[\d.]+$/.test(text)) return invalid(`${text} is not a valid IPv4 address`);
  if (HOSTNAME_RE.test(text)) return { ok: true, address: text.replace(/\.$/, ''), kind: 'hostname' };
  return invalid('Enter a host name, an IPv4 address or an IPv6 address');
}

/** `host:port`, with IPv6 in brackets (`[fd00::5]:22`): how every message and table names an endpoint. */
export function formatEndpoint(address: string, port: number): string {
  return address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
}

/** `user@host:port`, IPv6-safe: how a login is named in logs, runs and the CLI. */
export function formatLogin(user: string, address: string, port: number): string {
  return `${user}@${formatEndpoint(address, port)}`;
}

export type ParsedEndpoint = { ok: true; address: string; port: number | undefined; kind: AddressKind } | { ok: false; code: 'invalid-address' | 'invalid-port'; message: string };

/**
 * Reads `host`, `host:port`, `[v6]` or `[v6]:port`; a bare IPv6 address (several colons, no
 * brackets) is an address without a port, as OpenSSH reads it.
 */
export function parseEndpoint(input: string): ParsedEndpoint {
  const text = input.trim();
  let host = text;
  let portText: string | undefined;
  const bracketed = /^\[([^\]]+)\](?::(\d*))?$/.exec(text);
  if (bracketed) {
    host = bracketed[1]!;
    portText = bracketed[2];
  } else if ((text.match(/:/g) ?? []).length === 1) {
    [host = '', portText] = text.split(':');
  }
  const address = parseAddress(host);
  if (!address.ok) return address;
  if (portText === undefined) return { ok: true, address: address.address, port: undefined, kind: address.kind };
  const port = /^\d{1,5}$/.test(portText) ? Number(portText) : NaN;
  if (!(port >= 1 && port <= 65535)) return { ok: false, code: 'invalid-port', message: `${portText || '(empty)'} is not a TCP port (1-65535)` };
  return { ok: true, address: address.address, port, kind: address.kind };
}
