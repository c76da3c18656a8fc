import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import type { ClientChannel } from 'ssh2';
import { ApiError } from '../contract/errors';
import type { Clock } from '../core/clock';
import type { Logger } from '../core/log';
import type { Reach } from '../reach/reach';

/**
 * Interactive shells on appliances (issue 10 §3), over the appliance's pooled SSH connection: the
 * login shell in a pty (`xterm-256color`), nothing else started — what runs is what the person
 * types. The page reads output by long poll (`read` after the last sequence number it saw), so a
 * blip between the page and the console loses nothing: the session keeps its recent output
 * (RING_BYTES) and the page asks again from where it was. When the link to the machine drops, the
 * session says so in the output and opens a new shell once the machine answers again (a new
 * shell: the old one died with its connection). Opt-in recording in asciicast v2 (asciinema's
 * format: a header line, then `[seconds, "o", text]` and `[seconds, "r", "COLSxROWS"]`), output
 * only — typed passwords are not echoed and so not recorded —, under the data directory
 * (`recordings/<appliance>-<time>.cast`, 0600); the audit row of `terminal.open` records the
 * appliance, the time and `record: true`, which name the file.
 */

const RING_BYTES = 2 * 1024 * 1024;
const READ_WAIT_MS = 25_000;
/** A session the page stopped polling for this long is closed (the page went away). */
const ABANDONED_MS = 120_000;
const RECONNECT_DELAYS_MS = [1000, 2000, 5000, 10_000, 30_000];

interface Chunk {
  seq: number;
  text: string;
}

interface Session {
  id: string;
  applianceId: string;
  name: string;
  cols: number;
  rows: number;
  channel: ClientChannel | null;
  chunks: Chunk[];
  bytes: number;
  seq: number;
  waiters: Set<() => void>;
  closed: boolean;
  state: 'connecting' | 'open' | 'reconnecting' | 'closed';
  recording: { file: string; started: number; fd: number } | null;
  lastPoll: number;
  timer: NodeJS.Timeout;
}

export interface TerminalDeps {
  reach: Pick<Reach, 'connection'>;
  requireAppliance(applianceId: string): { name: string; user: string };
  dataDir: string;
  clock: Clock;
  log: Logger;
}

export function createTerminalService(deps: TerminalDeps) {
  const log = deps.log.child('terminal');
  const sessions = new Map<string, Session>();

  function push(s: Session, text: string) {
    if (text === '') return;
    s.seq += 1;
    s.chunks.push({ seq: s.seq, text });
    s.bytes += text.length;
    while (s.bytes > RING_BYTES && s.chunks.length > 1) s.bytes -= s.chunks.shift()!.text.length;
    record(s, 'o', text);
    for (const wake of s.waiters) wake();
    s.waiters.clear();
  }

  /** One asciicast event; a recording that cannot be written stops, and the session says so. */
  function record(s: Session, code: 'o' | 'r', data: string) {
    if (!s.recording) return;
    try {
      fs.writeSync(s.recording.fd, `${JSON.stringify([(deps.clock.now().getTime() - s.recording.started) / 1000, code, data])}\n`);
    } catch (error) {
      const file = path.basename(s.recording.file);
      try {
        fs.closeSync(s.recording.fd);
      } catch {
        // already unusable
      }
      s.recording = null;
      push(s, `\r\n[recording to ${file} stopped: ${error instanceof Error ? error.message : String(error)}]\r\n`);
    }
  }

  async function openShell(s: Session): Promise<void> {
    const client = await deps.reach.connection(s.applianceId);
    const channel = await new Promise<ClientChannel>((resolve, reject) => client.shell({ term: 'xterm-256color', cols: s.cols, rows: s.rows }, (err, ch) => (err ? reject(err) : resolve(ch))));
    if (s.closed) {
      channel.close();
      return;
    }
    const decoder = new StringDecoder('utf8'); // a character split between two packets stays whole
    s.channel = channel;
    s.state = 'open';
    channel.on('data', (d: Buffer) => push(s, decoder.write(d)));
    channel.stderr.on('data', (d: Buffer) => push(s, decoder.write(d)));
    channel.on('close', () => {
      push(s, decoder.end());
      if (s.channel !== channel) return;
      s.channel = null;
      if (s.closed) return;
      // The shell ended by itself (exit) or the connection went: tell them apart by asking again.
      const ended = (channel as unknown as { exitCode?: number }).exitCode !== undefined;
      if (ended) {
        push(s, '\r\n[the shell ended]\r\n');
        close(s, 'the shell ended');
      } else void reconnect(s);
    });
    channel.on('exit', (code: number | null) => ((channel as unknown as { exitCode?: number }).exitCode = code ?? 0));
  }

  async function reconnect(s: Session) {
    s.state = 'reconnecting';
    push(s, `\r\n[the connection to ${s.name} was lost; reconnecting…]\r\n`);
    for (let attempt = 0; !s.closed; attempt++) {
      await new Promise((r) => setTimeout(r, RECONNECT_DELAYS_MS[Math.min(attempt, RECONNECT_DELAYS_MS.length - 1)]));
      if (s.closed) return;
      try {
        // The pool notices a dead connection (keepalives) and dials a new one; other users of a
        // connection that is still alive (the agent, transfers, other terminals) are left alone.
        await openShell(s);
        push(s, `[reconnected to ${s.name}: this is a new shell]\r\n`);
        return;
      } catch {
        // the machine is still away: try again later
      }
    }
  }

  function close(s: Session, why: string) {
    if (s.closed) return;
    s.closed = true;
    s.state = 'closed';
    clearInterval(s.timer);
    s.channel?.close();
    s.channel = null;
    if (s.recording) {
      try {
        fs.closeSync(s.recording.fd);
      } catch {
        // nothing more to write
      }
    }
    for (const wake of s.waiters) wake();
    s.waiters.clear();
    sessions.delete(s.id);
    log.info('terminal closed', { applianceId: s.applianceId, why });
  }

  function take(sessionId: string): Session {
    const s = sessions.get(sessionId);
    if (!s) throw new ApiError('not-found', 'This terminal is closed (the shell ended, it was closed, or the page was away for over 2 minutes). Open a new one.', { params: { reason: 'terminal.closed' } });
    return s;
  }

  return {
    async open(input: { applianceId: string; cols: number; rows: number; record: boolean }): Promise<{ sessionId: string; recording: string | null }> {
      const a = deps.requireAppliance(input.applianceId);
      const now = deps.clock.now();
      const s: Session = {
        id: randomUUID(),
        applianceId: input.applianceId,
        name: a.name,
        cols: input.cols,
        rows: input.rows,
        channel: null,
        chunks: [],
        bytes: 0,
        seq: 0,
        waiters: new Set(),
        closed: false,
        state: 'connecting',
        recording: null,
        lastPoll: now.getTime(),
        timer: undefined as unknown as NodeJS.Timeout,
      };
      if (input.record) {
        const dir = path.join(deps.dataDir, 'recordings');
        fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
        const file = path.join(dir, `${a.name.replace(/[^\w.-]+/g, '_')}-${now.toISOString().replace(/[:.]/g, '-')}.cast`);
        let fd: number;
        try {
          fd = fs.openSync(file, 'wx', 0o600);
        } catch (error) {
          throw new ApiError('conflict', `The recording cannot be written: ${error instanceof Error ? error.message : String(error)}. Open the terminal without recording, or free space on the console's disk.`, { params: { reason: 'terminal.no-recording' } });
        }
        const header = { version: 2, width: input.cols, height: input.rows, timestamp: Math.floor(now.getTime() / 1000), env: { TERM: 'xterm-256color' }, title: `${a.user}@${a.name}` };
        fs.writeSync(fd, `${JSON.stringify(header)}\n`);
        s.recording = { file, started: now.getTime(), fd };
      }
      s.timer = setInterval(() => {
        if (deps.clock.now().getTime() - s.lastPoll > ABANDONED_MS) close(s, 'abandoned');
      }, 10_000);
      s.timer.unref();
      sessions.set(s.id, s);
      try {
        await openShell(s);
      } catch (error) {
        close(s, 'could not open');
        const detail = error instanceof Error ? error.message : String(error);
        throw new ApiError('conflict', `No shell on ${a.name}: ${detail}`, { params: { reason: 'terminal.no-shell', detail } });
      }
      log.info('terminal opened', { applianceId: s.applianceId, recording: s.recording?.file ?? null });
      return { sessionId: s.id, recording: s.recording ? path.basename(s.recording.file) : null };
    },

    /** Output after `after` (a seq the page saw; 0 at first), waiting up to 25 s for some. */
    async read(input: { sessionId: string; after: number }): Promise<{ chunks: Chunk[]; state: Session['state']; lost: boolean }> {
      const s = take(input.sessionId);
      s.lastPoll = deps.clock.now().getTime();
      if (!s.chunks.some((c) => c.seq > input.after) && !s.closed) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, READ_WAIT_MS);
          s.waiters.add(() => (clearTimeout(timer), resolve()));
        });
      }
      s.lastPoll = deps.clock.now().getTime();
      const chunks = s.chunks.filter((c) => c.seq > input.after);
      // Output older than the ring holds went by while the page was away.
      const lost = s.chunks.length > 0 && s.chunks[0]!.seq > input.after + 1 && input.after > 0;
      return { chunks, state: s.state, lost };
    },

    input(input: { sessionId: string; data: string }): { accepted: boolean } {
      const s = take(input.sessionId);
      s.lastPoll = deps.clock.now().getTime();
      if (!s.channel) return { accepted: false }; // reconnecting: what is typed meanwhile has no shell to go to
      s.channel.write(input.data);
      return { accepted: true };
    },

    resize(input: { sessionId: string; cols: number; rows: number }): { ok: true } {
      const s = take(input.sessionId);
      s.cols = input.cols;
      s.rows = input.rows;
      s.channel?.setWindow(input.rows, input.cols, 0, 0);
      record(s, 'r', `${input.cols}x${input.rows}`);
      return { ok: true };
    },

    close(input: { sessionId: string }): { closed: boolean } {
      const s = sessions.get(input.sessionId);
      if (!s) return { closed: false };
      close(s, 'closed by the person');
      return { closed: true };
    },

    closeAll() {
      for (const s of [...sessions.values()]) close(s, 'the console is stopping');
    },
    openSessions: () => sessions.size,
  };
}
export type TerminalService = ReturnType<typeof createTerminalService>;
