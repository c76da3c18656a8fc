import type { ConsoleServices } from '../compose';
import type { MethodInput } from '../contract/api.contract';
import { ApiError } from '../contract/errors';
import type { Appliance } from '../contract/fleet.contract';
import { formatEndpoint, formatLogin, parseEndpoint } from '../contract/network-address';
import type { ConnectionReport } from '../contract/onboarding.contract';
import { caller, listAppliances } from './cli-calls';
import { UsageError, type CliIo } from './cli-io';
import type { Confirm } from './uninstall-command';

/**
 * `provision <host…> --user U --key FILE | --password-stdin`: machines not registered yet are
 * registered on the way (named after the address, as Ansible's ad-hoc inventory does) and their
 * host key is verified before any credential is sent — trust on first use, as `ssh` does: on a
 * terminal the fingerprint is shown and a person answers; elsewhere only a fingerprint given with
 * `--accept-fingerprint` is accepted. A changed key is never accepted here (`fleet trust` is the
 * deliberate, audited way).
 */
export interface AdhocLogin {
  user?: string;
  port?: number;
  auth: MethodInput<'fleet.add'>['auth'];
  /** For a non-root user whose sudo asks for a password: the login password (the usual case). */
  sudoPassword?: string;
  acceptFingerprints: string[];
}

export function parseHostSpec(spec: string, defaultPort: number | undefined): { address: string; port: number | undefined } {
  const parsed = parseEndpoint(spec);
  if (!parsed.ok) throw new UsageError(`"${spec}" is neither a registered appliance nor a host (host, host:port or [v6]:port): ${parsed.message}`);
  return { address: parsed.address, port: parsed.port ?? defaultPort };
}

/** Resolves each ref to a registered appliance id, registering and trusting new hosts first. */
export async function resolveOrRegister(services: ConsoleServices, refs: readonly string[], login: AdhocLogin, io: CliIo, confirm: Confirm): Promise<string[]> {
  const call = caller(services);
  const known = await listAppliances(call);
  const ids: string[] = [];
  for (const ref of refs) {
    const hit = known.find((a) => a.id === ref) ?? known.find((a) => a.name.toLowerCase() === ref.toLowerCase());
    if (hit) {
      ids.push(hit.id);
      continue;
    }
    const { address, port } = parseHostSpec(ref, login.port);
    // Already registered under another name: that appliance, not a duplicate.
    const same = known.find((a) => a.address.toLowerCase() === address.toLowerCase() && a.port === (port ?? 22));
    if (same) {
      io.out(`${ref}: registered as ${same.name}`);
      ids.push(same.id);
      continue;
    }
    const added = (await call('fleet.add', {
      name: ref,
      address,
      ...(port !== undefined ? { port } : {}),
      ...(login.user ? { user: login.user } : {}),
      ...(login.auth ? { auth: login.auth } : {}),
      ...(login.sudoPassword && login.user && login.user !== 'root' ? { sudoPassword: login.sudoPassword } : {}),
    })) as Appliance;
    io.out(`${ref}: registered (${formatLogin(added.user, address, added.port)})`);
    try {
      await trustOnFirstUse(call, added, login.acceptFingerprints, io, confirm);
    } catch (err) {
      // Not trusted: nothing was sent to it; do not leave a half-onboarded entry behind.
      await call('fleet.remove', { id: added.id });
      throw err;
    }
    ids.push(added.id);
  }
  return ids;
}

async function trustOnFirstUse(call: ReturnType<typeof caller>, a: Appliance, accept: string[], io: CliIo, confirm: Confirm): Promise<void> {
  const report = (await call('onboarding.testConnection', { id: a.id })) as ConnectionReport;
  const key = report.hostKey;
  if (!key) throw new ApiError('conflict', `${a.name}: ${report.failure?.message ?? 'no SSH host key was seen'}`);
  if (key.status === 'changed') throw new ApiError('conflict', `${a.name}: ${report.failure?.message ?? 'the host key changed'}`);
  if (key.status === 'unknown') {
    const listed = accept.includes(key.fingerprint);
    const where = formatEndpoint(a.address, a.port);
    if (!listed) {
      const question = `${where} presents ${key.keyType} ${key.fingerprint}. Compare it with \`ssh-keygen -lf /etc/ssh/ssh_host_*_key.pub\` on the machine. Trust it?`;
      if (!confirm) throw new ApiError('conflict', `${where} presents an unknown host key ${key.keyType} ${key.fingerprint}; compare it with the machine and pass --accept-fingerprint ${key.fingerprint}`);
      if (!(await confirm(question))) throw new ApiError('conflict', `${where}: host key not trusted; nothing was sent to it`);
    }
    await call('onboarding.acceptHostKey', { id: a.id, fingerprint: key.fingerprint });
    io.out(`${a.name}: trusted ${key.keyType} ${key.fingerprint}`);
  }
  if (!report.ok && report.failure && report.failure.code !== 'host-key-unknown') throw new ApiError('conflict', `${a.name}: ${report.failure.message}`);
}
