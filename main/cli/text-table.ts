/**
 * Rows under a header, in columns two spaces apart, as the CLI's lists print them. Widths count
 * code points, so Chinese names and units line up as well as ASCII does in a fixed-width terminal
 * (wide characters still take two cells there; the columns stay readable).
 */
export function textTable(head: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => [...(r[i] ?? '')].length)));
  const line = (cells: readonly string[]) => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd();
  return [line(head), ...rows.map(line)].join('\n');
}
