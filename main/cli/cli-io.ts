/** Where CLI commands write and read; tests pass buffers instead of the process streams. */
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  /** All of standard input (for --password-stdin). */
  readStdin(): Promise<string>;
  env: NodeJS.ProcessEnv;
}

export const processIo: CliIo = {
  out: (t) => process.stdout.write(t.endsWith('\n') ? t : t + '\n'),
  err: (t) => process.stderr.write(t.endsWith('\n') ? t : t + '\n'),
  readStdin: async () => {
    if (process.stdin.isTTY) return '';
    const chunks: Buffer[] = [];
    for await (const c of process.stdin) chunks.push(c as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  },
  env: process.env,
};

/** Thrown for bad flags; printed with the command's usage line and exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}
