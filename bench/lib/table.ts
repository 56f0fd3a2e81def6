// Plain-text tables for the terminal: columns padded, numbers right-aligned.

export function table(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const numeric = (s: string) => /^\d[\d.]*(–\d[\d.]*)?×?$/.test(s);
  const line = (cells: readonly string[]) =>
    cells.map((c, i) => (i > 0 && numeric(c) ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ').trimEnd();
  return [line(headers), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

export const fmt = (n: number, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : '–');
export const range = (lo: number, hi: number, digits = 1) => `${fmt(lo, digits)}–${fmt(hi, digits)}`;
