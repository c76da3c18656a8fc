import fs from 'node:fs';
import type { Client } from 'ssh2';
import type { MachineState } from '../../appliance/testbed/state';
import { CONFIG_FILE, NODE_LINK } from '../../main/provision/layout';
import { connectSsh } from '../../main/ssh/ssh-connect';

/**
 * A root shell on a testbed machine, for what a person would do there by hand in a test's setup
 * (edit agent.json, look at a file), not for what is under test.
 */
export async function rootShell(m: MachineState): Promise<Client> {
  const conn = await connectSsh({
    target: { address: m.address, port: m.sshPort, user: 'root' },
    credential: { kind: 'private-key', privateKey: fs.readFileSync(m.rootKeyPath, 'utf8') },
    trustedKeys: [{ keyType: m.hostKey.publicKey.split(' ')[0]!, fingerprint: m.hostKey.fingerprint }],
  });
  if (!conn.ok) throw new Error(conn.failure.message);
  return conn.client;
}

/** Runs `command` and resolves with its output (stdout and stderr); a non-zero exit rejects. */
export function execOn(client: Client, command: string): Promise<string> {
  return new Promise((resolve, reject) => {
    client.exec(command, (err, stream) => {
      if (err) return reject(err);
      let out = '';
      stream.on('data', (d: Buffer) => (out += d.toString()));
      stream.stderr.on('data', (d: Buffer) => (out += d.toString()));
      stream.on('close', (code: number) => (code === 0 ? resolve(out) : reject(new Error(`${command}: exit ${code}: ${out}`))));
    });
  });
}

/** One command in a root shell of its own on `m`: its output; a non-zero exit rejects. */
export async function runOnMachine(m: MachineState, command: string): Promise<string> {
  const client = await rootShell(m);
  try {
    return await execOn(client, command);
  } finally {
    client.end();
  }
}

/** A real service for an agent to run: an HTTP server on the machine's loopback, on the agent's own Node runtime. */
export function loopbackWebService(port: number) {
  return {
    name: 'web',
    command: `${NODE_LINK}/bin/node`,
    args: ['-e', `require('http').createServer((q, s) => s.end('ok')).listen(${port}, '127.0.0.1')`],
  };
}

/**
 * Adds plain services to the machine's agent.json, as a person would by hand. The agent reads its
 * services when it starts: kill it afterwards (testbed fault agent-kill) and its watchdog restarts it.
 */
export async function addPlainServices(m: MachineState, services: readonly object[]): Promise<void> {
  const client = await rootShell(m);
  try {
    const config = JSON.parse(await execOn(client, `cat ${CONFIG_FILE}`)) as Record<string, unknown>;
    const text = JSON.stringify({ ...config, services }, null, 2);
    await execOn(client, `umask 077 && cat > ${CONFIG_FILE}.new <<'EOF'\n${text}\nEOF\nmv ${CONFIG_FILE}.new ${CONFIG_FILE}`);
  } finally {
    client.end();
  }
}
