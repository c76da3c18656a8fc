import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import type { ConsoleServices } from '../compose';
import type { DiagnoseRun } from '../contract/diagnose.contract';
import { findingText, type DiagnoseLocale } from '../contract/diagnose-findings';
import { UsageError, type CliIo } from './cli-io';
import { caller, findAppliance, listAppliances } from './cli-calls';
import { EXIT, EXIT_CODES_HELP } from './exit-codes';

export const DIAGNOSE_HELP = `Usage: appliance-console diagnose <appliance…> [--json] [--lang en|zh-CN] [--data-dir DIR]

Runs the read-only check suite on each appliance over SSH (works without the agent): reachability
and latency, sudo, the agent, file systems (space, inodes, read-only), data disks missing from
their mounts, kernel I/O errors, clock skew and time sync, memory and OOM kills, NIC link and
errors, DNS, the services' ports. Prints each finding with its evidence, what it means and a
remedy, and what changed since the previous run. Nothing on the machine is changed.

Options:
  --json            the stored runs, machine-readable
  --lang LANG       en or zh-CN (default: from LANG, else en)
  --data-dir DIR    the console's data directory
  -h, --help        this help

Exit code: the worst finding on any appliance: ${EXIT.ok} none or information only, ${EXIT.diagnoseWarning} a warning,
${EXIT.diagnoseCritical} a critical finding (an unreachable appliance is critical).

${EXIT_CODES_HELP}`;

const MARK = { critical: 'CRITICAL', warning: 'WARNING', info: 'info' } as const;

export function describeRun(name: string, run: DiagnoseRun, locale: DiagnoseLocale): string {
  const zh = locale === 'zh-CN';
  const lines = [`${name}: ${run.outcome === 'unreachable' ? (zh ? '无法连接' : 'unreachable') : run.outcome === 'cancelled' ? (zh ? '已取消' : 'cancelled') : zh ? `完成 ${run.checks.length} 项检查` : `${run.checks.length} checks run`}, ${zh ? `${run.findings.length} 项发现` : `${run.findings.length} finding${run.findings.length === 1 ? '' : 's'}`} (${run.startedAt})`];
  for (const f of run.findings) {
    const text = findingText(f.code, f.params, locale);
    lines.push('', `[${MARK[f.severity]}]${f.change === 'new' && run.previousRunId !== null ? (zh ? ' [新]' : ' [new]') : ''} ${text.title}${f.subject ? ` — ${f.subject}` : ''}`, `  ${text.meaning}`, `  ${zh ? '处理' : 'Remedy'}: ${text.remedy}`, `  $ ${f.evidence.command.split('\n')[0]}`, ...f.evidence.output.split('\n').slice(0, 8).map((l) => `    ${l}`));
  }
  for (const f of run.resolved) lines.push('', `[${zh ? '已解决' : 'resolved'}] ${findingText(f.code, f.params, locale).title}${f.subject ? ` — ${f.subject}` : ''}`);
  return lines.join('\n');
}

export async function runDiagnoseCommand(argv: string[], io: CliIo, open: (dataDir?: string) => ConsoleServices, onInterrupt: (cancel: () => void) => void): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    strict: true,
    allowPositionals: true,
    options: { json: { type: 'boolean' }, lang: { type: 'string' }, 'data-dir': { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) {
    io.out(DIAGNOSE_HELP);
    return EXIT.ok;
  }
  if (positionals.length === 0) throw new UsageError('name at least one appliance (its name or id)');
  const lang = values.lang ?? ((io.env.LANG ?? '').startsWith('zh') ? 'zh-CN' : 'en');
  if (lang !== 'en' && lang !== 'zh-CN') throw new UsageError(`--lang takes en or zh-CN, not "${lang}"`);
  const services = open(values['data-dir']);
  try {
    const call = caller(services);
    const all = await listAppliances(call);
    const appliances = positionals.map((ref) => findAppliance(all, ref));
    const tokens = appliances.map(() => randomUUID());
    onInterrupt(() => tokens.forEach((runToken) => void call('diagnose.cancel', { runToken }).catch(() => undefined)));
    // Every appliance at once: each run is its own SSH connection and mostly waits on the machine.
    const runs = (await Promise.all(appliances.map((a, i) => call('diagnose.run', { applianceId: a.id, runToken: tokens[i] })))) as DiagnoseRun[];
    if (values.json) io.out(JSON.stringify(runs, null, 2));
    else io.out(runs.map((run, i) => describeRun(appliances[i]!.name, run, lang)).join('\n\n'));
    const worst = runs.map((r) => r.worst);
    return worst.includes('critical') ? EXIT.diagnoseCritical : worst.includes('warning') ? EXIT.diagnoseWarning : EXIT.ok;
  } finally {
    await services.close();
  }
}
