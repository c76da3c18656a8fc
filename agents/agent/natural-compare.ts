/**
 * Orders machine names (hwmon2 before hwmon10, sda before sdb, nvme0n1p2 before nvme0n1p10):
 * runs of digits compare as numbers, everything else by UTF-16 code unit. It stands in for
 * `localeCompare(…, 'en', { numeric: true })`, whose first call loads ICU's collation data into
 * the agent (about 2 MB of resident memory for as long as it runs, bench/agent-monitor.bench.ts).
 * Names here are kernel or tool names (ASCII), so no locale rule is lost.
 */
export function naturalCompare(a: string, b: string): number {
  const chunk = /(\d+)|(\D+)/g;
  const left = a.match(chunk) ?? [];
  const right = b.match(chunk) ?? [];
  for (let i = 0; i < Math.min(left.length, right.length); i++) {
    const x = left[i]!;
    const y = right[i]!;
    if (x === y) continue;
    const xDigits = x.charCodeAt(0) >= 48 && x.charCodeAt(0) <= 57;
    const yDigits = y.charCodeAt(0) >= 48 && y.charCodeAt(0) <= 57;
    if (xDigits && yDigits) {
      // By value, then the shorter spelling first (2 before 02) so the order stays total.
      const d = Number(x) - Number(y);
      if (d !== 0) return d;
      return x.length - y.length;
    }
    return x < y ? -1 : 1;
  }
  return left.length - right.length;
}
