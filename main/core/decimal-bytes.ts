/**
 * `12.3 GB`: a byte count in decimal units, as the console's capacity figures everywhere
 * (renderer/src/i18n/format.ts formatCapacity for the UI); for CLI output and diagnose findings.
 */
export function decimalBytes(bytes: number | null): string {
  if (bytes === null || !Number.isFinite(bytes) || bytes < 0) return '-';
  const units = ['B', 'kB', 'MB', 'GB', 'TB', 'PB', 'EB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}
