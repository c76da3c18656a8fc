/**
 * Finds English left in a Chinese screen: runs of two or more Latin words in visible text, after
 * taking out what is written in Latin letters in Chinese too — names the machines report
 * (appliance names, hostnames, device and disk model names, OS and CPU names), units, addresses,
 * fingerprints, versions, paths and product terms. A single Latin word is let through (an unknown
 * code shown as itself is a smaller defect than a sentence); two in a row are a sentence.
 */

/** Units as both languages write them (format.ts): decimal capacity, binary memory, rates, time. */
export const UNITS = ['B', 'kB', 'MB', 'GB', 'TB', 'PB', 'EB', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'MB/s', 'kB/s', 'GB/s', 'h', 's', 'ms', 'min', 'd', 'Mbps', 'Gbps', 'GHz', 'MHz'];

/** Product and protocol names that stay Latin in Chinese text. */
export const PRODUCT_TERMS = [
  'SSH', 'SMART', 'S3', 'Kodo', 'CDN', 'HLS', 'RTMP', 'SRT', 'CPU', 'NIC', 'IPv4', 'IPv6', 'ipv4', 'ipv6', 'Node.js', 'Dora', 'PID', 'UTC', 'sudo', 'root',
  'NVMe', 'SATA', 'SAS', 'SSD', 'HDD', 'USB', 'MTU', 'MAC', 'TCP', 'UDP', 'HTTP', 'HTTPS', 'TLS', 'JSON', 'CSV', 'API', 'CLI', 'ID', 'UUID', 'Linux',
  'systemd', 'smartctl', 'sshd', 'ssh-keygen', 'inode', 'inodes', 'ext4', 'xfs', 'tmpfs', 'overlay', 'k', 'm', 'k+m', 'LBA', 'ECC', 'CRC', 'AFR', 'MTTDL',
  'SHA256', 'ed25519', 'ecdsa', 'rsa', 'ssh-ed25519', 'x86_64', 'aarch64', 'arm64', 'x64', 'amd64', 'EN', 'Theil–Sen', 'Theil-Sen', 'Markov',
];

const PATTERNS: RegExp[] = [
  /SHA256:[A-Za-z0-9+/=]+/g, // host key fingerprints
  /\b[\w.-]+@[\w.:[\]-]+/g, // user@host:port
  /\[[0-9a-fA-F:]+\](:\d+)?/g, // [IPv6]:port
  /\b\d{1,3}(\.\d{1,3}){3}(\/\d+)?(:\d+)?\b/g, // IPv4[/prefix][:port]
  /\b[0-9a-fA-F]{0,4}(:[0-9a-fA-F]{0,4}){2,7}(\/\d+)?/g, // IPv6[/prefix]
  /\b([0-9a-fA-F]{2}:){5}[0-9a-fA-F]{2}\b/g, // MAC addresses
  /(^|[\s(（])\/[\w./@:+-]*/g, // paths: /dev/sda, /srv/disks/d1, /etc/ssh/ssh_host_ed25519_key.pub
  /\bv?\d+\.\d+(\.\d+)*([-+][\w.]+)?\b/g, // versions
  /\b\d{4}-\d\d-\d\d( \d\d:\d\d(:\d\d)?)?\b/g, // times
  /\b[\w-]+\.(json|log|conf|yml|yaml|sqlite|tar\.gz|tgz|pem|pub|csv|xlsx|pdf)\b/g, // file names: settings.json, agent.log
];

export interface Allowances {
  /** Names the machines and the console report: taken out before words are counted. */
  names: Iterable<string>;
}

const LATIN_WORD = /^[A-Za-z][A-Za-z0-9'’_.+/-]*$/;

/** The runs of two or more Latin words (joined by spaces) left in `text` after the allowances. */
export function latinRuns(text: string, allow: Allowances): string[] {
  const names = [...new Set([...allow.names].filter((n) => n.trim().length > 0))].sort((a, b) => b.length - a.length);
  const terms = new Set([...UNITS, ...PRODUCT_TERMS]);
  const runs: string[] = [];
  for (const rawLine of text.split('\n')) {
    let line = rawLine;
    for (const name of names) line = line.split(name).join(' ¤ ');
    for (const p of PATTERNS) line = line.replace(p, (m, lead: unknown) => `${typeof lead === 'string' && m.startsWith(lead) ? lead : ''} ¤ `);
    // Words split at spaces; punctuation of either language ends a run.
    let run: string[] = [];
    const flush = () => {
      if (run.length >= 2) runs.push(run.join(' '));
      run = [];
    };
    for (const token of line.split(/(\s+|[，。：；、（）()「」“”"‘,:;!?！？·…—–=<>|[\]{}])/)) {
      if (token === undefined || token === '' || /^\s+$/.test(token)) continue;
      const word = token.replace(/[.'’]+$/, '');
      if (LATIN_WORD.test(word) && !terms.has(word) && !/^[A-Za-z]?\d/.test(word)) run.push(word);
      else flush();
    }
    flush();
  }
  return [...new Set(runs)];
}
