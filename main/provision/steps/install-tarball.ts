import path from 'node:path';
import { StepError, type StepContext, type StepProgress } from '../plan';
import { INCOMING_DIR, INSTALL_ROOT, SOURCE_SHA_FILE } from '../layout';
import { shellQuote } from '../remote';
import type { Artifact, Encoding } from '../resources';

/**
 * Shared by the runtime and agent steps: stream a tarball in one exec channel, unpacking it into a
 * temporary directory beside its destination as it arrives, check its sha256 on the machine, and
 * only then rename the directory into place. The destination therefore exists only when whole (it
 * carries the source checksum, written last), so a run cancelled at any point leaves at most a `.part` file or a `.unpack.*` directory,
 * which the next run removes before it starts again.
 */
/**
 * Install scripts hold an exclusive lock on the machine. A cancelled run closes its channel, but
 * a script that is not writing to it (tar unpacking) runs on to the end; the next run's cleanup
 * must wait for it rather than delete its directory from under it. A second console does the same.
 */
const LOCK_FILE = `${INSTALL_ROOT}/.provision.lock`;
/** Script lines that take the machine's install lock (also used by rollback, pruning and uninstall). */
export const LOCKED = [
  `mkdir -p ${shellQuote(INSTALL_ROOT)}`,
  `exec 9> ${shellQuote(LOCK_FILE)}`,
  `flock -w 120 9 || { echo "another provisioning run is installing on this machine (${LOCK_FILE} is held)" >&2; exit 75; }`,
];

/**
 * tar reading the compressed stream on stdin. zstd runs as its own process rather than through
 * `tar --zstd`, which busybox and older GNU tars lack. A zstd that fails mid-stream leaves tar a
 * truncated archive, which it reports; the checksum below catches anything else.
 */
const UNPACK: Record<Encoding, string> = {
  gzip: 'tar -xzf -',
  zstd: 'zstd -dcq | tar -xf -',
};

export async function installTarball(
  ctx: StepContext,
  progress: StepProgress,
  opts: { artifact: Artifact; dest: string; stripComponents: number },
): Promise<void> {
  const { artifact, dest } = opts;
  const part = `${INCOMING_DIR}/${artifact.sha256.slice(0, 16)}.part`;
  const q = shellQuote;
  ctx.note(`uploading ${artifact.size} bytes, ${artifact.encoding} (${artifact.sha256.slice(0, 12)}…), unpacking as it arrives`);
  progress.bytes(0, artifact.size);
  const strip = opts.stripComponents > 0 ? ` --strip-components=${opts.stripComponents}` : '';
  await explainNoSpace(ctx.remote.check(
    [
      'set -e',
      ...LOCKED,
      `mkdir -p ${q(INCOMING_DIR)}`,
      `chmod 700 ${q(INCOMING_DIR)}`,
      // Leftovers of a cancelled run: never in use, since only whole directories are renamed.
      `rm -rf ${q(INSTALL_ROOT)}/.unpack.* ${q(INSTALL_ROOT)}/.old.* ${q(INCOMING_DIR)}/*.part`,
      `f=${q(part)}`,
      `tmp=$(mktemp -d ${q(`${INSTALL_ROOT}/.unpack.XXXXXX`)})`,
      // Unpacked while it arrives, so the transfer and the decompression overlap (the runtime step
      // was upload, then unpack). Nothing unpacked is used before the checksum below passes: the
      // directory gets its place only then. A failure gives the space back at once, so a person
      // freeing space does not have to find it.
      `if ! tee "$f" | ${UNPACK[artifact.encoding]} -C "$tmp" --no-same-owner${strip}; then rm -rf "$f" "$tmp"; echo "receiving or unpacking ${path.basename(artifact.file)} failed" >&2; exit 1; fi`,
      `actual=$(sha256sum "$f" | cut -d ' ' -f 1)`,
      `if [ "$actual" != ${q(artifact.sha256)} ]; then rm -rf "$f" "$tmp"; echo "checksum mismatch after transfer: got $actual, expected ${artifact.sha256}" >&2; exit 3; fi`,
      `echo ${q(artifact.sha256)} > "$tmp/${SOURCE_SHA_FILE}"`,
      `chmod 755 "$tmp"`,
      // A same-version directory with other content (a rebuilt bundle) is moved aside, not merged.
      `old=''`,
      `if [ -e ${q(dest)} ]; then old=$(mktemp -d ${q(`${INSTALL_ROOT}/.old.XXXXXX`)}); mv -T ${q(dest)} "$old/d"; fi`,
      `mv -T "$tmp" ${q(dest)}`,
      `rm -rf "$f" $old`,
    ].join('\n'),
    {
      privileged: true,
      signal: ctx.signal,
      // Generous: slow links. The signal is how a person stops it sooner.
      timeoutMs: 30 * 60_000,
      stdin: { file: artifact.file, onBytes: (n) => progress.bytes(n, artifact.size) },
    },
  ), 'uploading and unpacking', artifact);
  progress.bytes(artifact.size, artifact.size);
  ctx.note('received, verified and in place');
}

/** ENOSPC deserves a remedy, not only tar's or cat's one-line complaint. */
async function explainNoSpace<T>(work: Promise<T>, doing: string, artifact: Artifact): Promise<T> {
  try {
    return await work;
  } catch (err) {
    if (err instanceof Error && /No space left on device/i.test(err.message)) {
      const failure = new StepError(`the machine ran out of disk space ${doing} ${path.basename(artifact.file)} (${Math.round(artifact.size / 1024 / 1024)} MiB) in ${INSTALL_ROOT}: free space on the file system of /opt (df -h /opt) and run again`, 'install.disk-full', {
        file: path.basename(artifact.file),
        sizeBytes: artifact.size,
        dir: INSTALL_ROOT,
      });
      failure.cause = err;
      throw failure;
    }
    throw err;
  }
}

/** True when `dest` was installed whole from this artifact (in any of its encodings). */
export async function isInstalled(ctx: StepContext, dest: string, artifact: Pick<Artifact, 'sameContent'>): Promise<boolean> {
  const r = await ctx.remote.run(`cat ${shellQuote(`${dest}/${SOURCE_SHA_FILE}`)} 2>/dev/null`, { privileged: true, signal: ctx.signal, timeoutMs: 20_000 });
  return r.code === 0 && artifact.sameContent.includes(r.stdout.trim());
}

/** Points `link` at `target` (relative to the link's directory) with one rename: never missing, never half-written. */
export async function switchLink(ctx: StepContext, link: string, target: string): Promise<void> {
  const tmp = `${link}.new`;
  await ctx.remote.check(`ln -sfn ${shellQuote(target)} ${shellQuote(tmp)} && mv -T ${shellQuote(tmp)} ${shellQuote(link)}`, { privileged: true, signal: ctx.signal, timeoutMs: 20_000 });
}

export async function readLink(ctx: StepContext, link: string): Promise<string | null> {
  const r = await ctx.remote.run(`readlink ${shellQuote(link)}`, { privileged: true, signal: ctx.signal, timeoutMs: 20_000 });
  return r.code === 0 ? r.stdout.trim() : null;
}

export function requireTarget(ctx: StepContext): NonNullable<StepContext['facts']>['target'] & string {
  const target = ctx.facts?.target;
  if (!target) throw new Error('preflight did not run or found no supported platform');
  return target;
}
