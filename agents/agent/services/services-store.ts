import fs from 'node:fs';
import * as z from 'zod/mini';
import { ServicesFileSchema, type ServiceFileEntry, type ServicesFile } from '../../protocol/services/services-file';
import { removeStaleTempFiles, writeFileAtomic } from '../atomic-file';

/**
 * The services file (services.json): read at start, rewritten one entry at a time by
 * `service-configure.v1`. Each write starts from what the file holds on disk, so entries of
 * modules this agent does not know, and edits a person made meanwhile, are kept.
 */
export interface ServicesStore {
  readonly path: string;
  /** The file's content; an absent file is an empty one. `error` says why a present file was not used. */
  read(): { file: ServicesFile; error: string | null };
  /** Sets one service's entry and writes the file atomically (an unusable file is kept aside, not overwritten). */
  write(id: string, entry: ServiceFileEntry): void;
}

const EMPTY: ServicesFile = { configVersion: 1, services: {} };

export function createServicesStore(file: string): ServicesStore {
  removeStaleTempFiles(file);

  function read(): { file: ServicesFile; error: string | null } {
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { file: EMPTY, error: null };
      return { file: EMPTY, error: `cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}` };
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (err) {
      return { file: EMPTY, error: `${file} is not valid JSON (${(err as Error).message}); fix it or send each service's config again with service-configure.v1` };
    }
    const parsed = ServicesFileSchema.safeParse(json);
    if (!parsed.success) return { file: EMPTY, error: `${file} is invalid: ${z.prettifyError(parsed.error).replace(/\n/g, ' ')}; fix it or send each service's config again` };
    return { file: parsed.data, error: null };
  }

  return {
    path: file,
    read,
    write(id, entry) {
      // An unusable file is replaced (the console's call is the newer intent, and read() said why),
      // but never lost: it is kept beside as services.json.invalid-<time>, with the other services'
      // configs a person can copy back from it.
      const { file: current, error } = read();
      if (error && fs.existsSync(file)) fs.renameSync(file, `${file}.invalid-${new Date().toISOString().replace(/[:.]/g, '-')}`);
      const next: ServicesFile = { configVersion: 1, services: { ...current.services, [id]: entry } };
      writeFileAtomic(file, `${JSON.stringify(next, null, 2)}\n`);
    },
  };
}
