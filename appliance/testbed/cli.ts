/**
 * `npm run testbed -- <command>`: the testbed from a shell. A thin layer over createTestbed(): parse,
 * call, print, and map error kinds to exit codes (errors.ts).
 */
import { EnvironmentError, StateError, UsageError } from './errors';
import { FAULT_ARG, FAULTS } from './faults';
import { DEFAULT_PREFIX } from './paths';
import { APT_PACKAGES } from './preflight';
import { ROLES } from './roles';
import type { SmartProfile, TestbedStatus } from './state';
import { createTestbed, describeLeftovers, SMART_PROFILES, SUDO_USER } from './testbed';

const EXIT = { ok: 0, failure: 1, usage: 2, environment: 3, state: 4 } as const;

const EXIT_HELP = `Exit codes:
  0  done
  1  failed (see the message; a failed up is rolled back unless --keep-on-failure)
  2  usage error (unknown command, option or value)
  3  this host cannot run the testbed (not root, missing package, kernel feature)
  4  testbed not in the needed state (already up, not up, unknown machine or disk)`;

const HELP: Record<string, string> = {
  main: `Usage: npm run testbed -- <command> [options]

Local appliances and 5G smart boxes made of real parts (network namespaces, sshd, loop devices),
for tests, benchmarks and demos of the console. Needs root.

Commands:
  up       start machines
  down     remove everything this testbed made (also after a crash)
  status   machines, addresses, credentials, disks, faults
  fault    inject or clear a fault on one machine

Options for every command:
  --prefix P   instance name (default $TESTBED_PREFIX, else ${DEFAULT_PREFIX}); instances with different
               prefixes run side by side
  -h, --help   help for a command, e.g. npm run testbed -- up --help

Host packages (Debian): ${Object.keys(APT_PACKAGES).join(' ')}

${EXIT_HELP}`,
  up: `Usage: npm run testbed -- up [options]

Start appliances (<prefix>-a1, -a2, ...) and smart boxes (<prefix>-s1, ...), each with its own
network namespace, address, sshd, private file system and data disks under /srv/disks/dN.

Options:
  --appliances N        appliances (default 1)
  --smartboxes M        5G smart boxes, one 512M disk each (default 0)
  --disks K             data disks per appliance, up to ${ROLES.appliance.maxDisks} (default 2)
  --disk-size SIZE      size of each appliance disk, e.g. 512M, 2G (default 2G; sparse)
  --smart-profile NAME  what the smartctl double reports: ${SMART_PROFILES.join(' | ')} (default healthy)
  --keep-on-failure     leave a failed start in place for inspection (then run down)
  --json                print the status as JSON when up
  --prefix P            instance name

${EXIT_HELP}`,
  down: `Usage: npm run testbed -- down [--prefix P]

Remove every namespace, interface, mount, loop device, process and file of the testbed. Finds
leftovers by name, so it also cleans up after an interrupted up. Safe to run when nothing is up.

${EXIT_HELP}`,
  status: `Usage: npm run testbed -- status [--json] [--prefix P]

Show the machines with role, address, SSH port, root key, sudo user and password, disks
(device, mount, size) and fault states; a replaced disk shows as dN-replaced (its new device in
DISKS). --json prints the same as a JSON document, with each disk's file system UUID and
replacement count (schema: TestbedStatusSchema in appliance/testbed/state.ts).

${EXIT_HELP}`,
  fault: `Usage: npm run testbed -- fault <machine> <fault> [arg] [--prefix P]

<machine> is a full name (${DEFAULT_PREFIX}-a1) or the short one (a1).
Faults:
  disk-fail <dN>        every read and write of the disk fails with EIO (real block-layer errors)
  disk-full <dN>        fill the disk's file system to 0 bytes available
  fs-readonly <dN>      remount the disk's file system read-only
  disk-restore <dN>     undo disk-fail (check and remount the file system), disk-full and fs-readonly
  disk-replace <dN>     swap the disk (failed or not) for a blank one, as a field engineer does:
                        new image, new loop device, new ext4 (new UUID) at the same /srv/disks/dN;
                        the old disk's data is gone; files still open on it fail with EIO
  net-down | net-up     take the machine's network link down / up
  agent-kill            SIGKILL the machine's appliance-agent processes (reports if none runs)
  host-key-rotate       give the machine's sshd a new host key (open connections keep the old session)
  clock-skew <±secs>    skew the wall clock of SSH sessions on the machine (0 clears)

${EXIT_HELP}`,
};

interface Parsed {
  command: string | undefined;
  positional: string[];
  flags: Map<string, string | true>;
}

const VALUE_FLAGS = new Set(['--prefix', '--appliances', '--smartboxes', '--disks', '--disk-size', '--smart-profile']);
const BOOLEAN_FLAGS = new Set(['--json', '--keep-on-failure', '--help', '-h']);

function parse(argv: readonly string[]): Parsed {
  const positional: string[] = [];
  const flags = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg.startsWith('-') && !/^[+-]\d+$/.test(arg)) {
      const eq = arg.indexOf('=');
      const name = eq > 0 ? arg.slice(0, eq) : arg;
      if (BOOLEAN_FLAGS.has(name)) flags.set(name === '-h' ? '--help' : name, true);
      else if (VALUE_FLAGS.has(name)) {
        const value = eq > 0 ? arg.slice(eq + 1) : argv[++i];
        if (value === undefined) throw new UsageError(`${name} needs a value`);
        flags.set(name, value);
      } else throw new UsageError(`unknown option ${arg}`);
    } else positional.push(arg);
  }
  return { command: positional.shift(), positional, flags };
}

function intFlag(flags: Parsed['flags'], name: string): number | undefined {
  const v = flags.get(name);
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || !/^\d+$/.test(v)) throw new UsageError(`${name} needs a whole number`);
  return Number(v);
}

function allowOnly(p: Parsed, allowed: readonly string[]): void {
  for (const name of p.flags.keys()) {
    if (!allowed.includes(name) && name !== '--prefix' && name !== '--help') throw new UsageError(`${p.command ?? ''} does not take ${name}`);
  }
}

function printStatus(s: TestbedStatus): void {
  if (s.state === 'down') {
    console.log(`testbed "${s.prefix}" is down`);
    return;
  }
  console.log(`testbed "${s.prefix}": ${s.state}   subnet ${s.subnet?.cidr ?? '?'}   bridge ${s.bridge ?? '?'}`);
  console.log(`root key: ${s.clientKey?.privateKeyPath ?? '?'}   sudo user: ${SUDO_USER} (password per machine below)`);
  const rows = s.machines.map((m) => {
    const faults = [
      m.faults.net === 'down' ? 'net-down' : '',
      m.faults.clockSkewSeconds ? `clock${m.faults.clockSkewSeconds > 0 ? '+' : ''}${m.faults.clockSkewSeconds}s` : '',
      ...m.disks.flatMap((d) => [
        d.faults.failed ? `${d.name}-failed` : '',
        d.faults.full ? `${d.name}-full` : '',
        d.replacements > 0 ? `${d.name}-replaced${d.replacements > 1 ? `x${d.replacements}` : ''}` : '',
      ]),
    ].filter(Boolean);
    return [m.name, m.role, `${m.address}:${m.sshPort}`, m.alive ? 'yes' : 'NO', m.sudoPassword, m.disks.map((d) => `${d.name}=${d.device ?? '?'}`).join(' '), faults.join(' ') || '-'];
  });
  const header = ['NAME', 'ROLE', 'ADDRESS', 'ALIVE', 'PASSWORD', 'DISKS', 'FAULTS'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  for (const r of [header, ...rows]) console.log(r.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd());
  const first = s.machines[0];
  if (first) console.log(`\ne.g. ssh -i ${first.rootKeyPath} root@${first.address}   or   ssh ${SUDO_USER}@${first.address}`);
}

async function main(argv: readonly string[]): Promise<number> {
  const p = parse(argv);
  const command = p.command ?? 'help';
  if (command === 'help' || (p.flags.has('--help') && !(command in HELP))) {
    console.log(HELP.main);
    return p.command === undefined && !p.flags.has('--help') ? EXIT.usage : EXIT.ok;
  }
  if (!(command in HELP) || command === 'main') throw new UsageError(`unknown command "${command}" (commands: up, down, status, fault; see --help)`);
  if (p.flags.has('--help')) {
    console.log(HELP[command]);
    return EXIT.ok;
  }
  const prefix = p.flags.get('--prefix');
  const testbed = createTestbed({
    prefix: typeof prefix === 'string' ? prefix : undefined,
    log: (line) => process.stderr.write(`testbed: ${line}\n`),
  });

  switch (command) {
    case 'up': {
      allowOnly(p, ['--appliances', '--smartboxes', '--disks', '--disk-size', '--smart-profile', '--keep-on-failure', '--json']);
      if (p.positional.length) throw new UsageError(`up takes no arguments (got ${p.positional.join(' ')})`);
      const profile = p.flags.get('--smart-profile');
      const status = await testbed.up({
        appliances: intFlag(p.flags, '--appliances'),
        smartboxes: intFlag(p.flags, '--smartboxes'),
        disks: intFlag(p.flags, '--disks'),
        diskSize: typeof p.flags.get('--disk-size') === 'string' ? String(p.flags.get('--disk-size')) : undefined,
        smartProfile: typeof profile === 'string' ? (profile as SmartProfile) : undefined,
        keepOnFailure: p.flags.has('--keep-on-failure'),
      });
      if (p.flags.has('--json')) console.log(JSON.stringify(status, null, 2));
      else printStatus(status);
      return EXIT.ok;
    }
    case 'down': {
      allowOnly(p, []);
      const r = await testbed.down();
      const removed = describeLeftovers({ netns: r.netns, links: r.links, loopDevices: r.loopDevices, mounts: r.mounts, processes: Array.from({ length: r.processes }, (_, i) => i) });
      if (r.leftovers.length) {
        console.error(`testbed "${testbed.prefix}": could not remove: ${r.leftovers.join(', ')}`);
        return EXIT.failure;
      }
      console.log(`testbed "${testbed.prefix}" is down (removed: ${removed})`);
      return EXIT.ok;
    }
    case 'status': {
      allowOnly(p, ['--json']);
      const s = await testbed.status();
      if (p.flags.has('--json')) console.log(JSON.stringify(s, null, 2));
      else printStatus(s);
      return s.state === 'up' || s.state === 'down' ? EXIT.ok : EXIT.state;
    }
    case 'fault': {
      allowOnly(p, []);
      const [machine, fault, arg, ...extra] = p.positional;
      if (!machine || !fault) throw new UsageError('fault needs a machine and a fault, e.g. fault a1 disk-fail d1 (see fault --help)');
      if (!(FAULTS as readonly string[]).includes(fault)) throw new UsageError(`unknown fault "${fault}" (known: ${FAULTS.join(', ')})`);
      const needs = FAULT_ARG[fault as keyof typeof FAULT_ARG];
      if (needs && arg === undefined) throw new UsageError(`${fault} needs ${needs}`);
      if ((!needs && arg !== undefined) || extra.length) throw new UsageError(`too many arguments for ${fault}`);
      console.log(await testbed.fault(machine, fault, arg));
      return EXIT.ok;
    }
  }
  return EXIT.usage;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    const e = err instanceof Error ? err : new Error(String(err));
    console.error(`testbed: ${e.message}`);
    if (e instanceof UsageError) process.exit(EXIT.usage);
    if (e instanceof EnvironmentError) process.exit(EXIT.environment);
    if (e instanceof StateError) process.exit(EXIT.state);
    process.exit(EXIT.failure);
  },
);
