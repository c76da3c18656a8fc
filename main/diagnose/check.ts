import type { DiagnoseSeverity } from '../contract/diagnose.contract';
import type { RemoteResult } from '../provision/remote';

/**
 * One diagnose check: a read-only look at the machine (nothing it runs changes anything: reads of
 * /proc, df, ip, dmesg, ss, …), and the findings it draws from what it saw. Checks run in
 * parallel over one SSH connection (diagnose-runner.ts), each with its own timeout.
 */
export interface DiagnoseCheck {
  /** Stable id, `<area>.<what>` (`disks.filesystems`). */
  id: string;
  /** What it looks at, for progress and the run's list of checks (English; the UI words by id). */
  title: string;
  /** Its bound when it needs more than CHECK_TIMEOUT_MS (each command stays bounded by that). */
  timeoutMs?: number;
  run(ctx: CheckContext): Promise<RawFinding[]>;
}

export interface CheckContext {
  /** Runs a POSIX sh script on the machine; `privileged` as root (sudo for other logins). */
  sh(script: string, opts?: { privileged?: boolean }): Promise<RemoteResult>;
  facts: MachineFacts;
  /** The console's clock, ms (the clock-skew check compares against it). */
  now(): number;
}

/** What the console knows of the machine before looking. */
export interface MachineFacts {
  address: string;
  port: number;
  user: string;
  /** The data disks' mount points as the agent last reported them ([] before it has). */
  dataDiskMounts: string[];
  /** TCP ports services enabled on the machine should listen on. */
  expectedPorts: { service: string; port: number }[];
}

export interface RawFinding {
  code: string;
  severity: DiagnoseSeverity;
  subject?: string;
  params?: Record<string, string | number>;
  evidence: { command: string; output: string };
}

const MAX_EVIDENCE_LINES = 24;
const MAX_EVIDENCE_CHARS = 2048;

/** The evidence a finding shows: the lines that matter (those matching, or the first ones), bounded. */
export function evidence(command: string, output: string, pick?: (line: string) => boolean): { command: string; output: string } {
  let lines = output.split('\n').filter((l) => l.trim() !== '');
  if (pick) lines = lines.filter(pick);
  const shown = lines.length > MAX_EVIDENCE_LINES ? [...lines.slice(0, MAX_EVIDENCE_LINES - 1), `… ${lines.length - MAX_EVIDENCE_LINES + 1} more lines`] : lines;
  const text = shown.join('\n');
  return { command: command.trim(), output: text.length > MAX_EVIDENCE_CHARS ? `${text.slice(0, MAX_EVIDENCE_CHARS - 1)}…` : text };
}
