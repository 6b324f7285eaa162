/** `adadagrad problems`: the listing of the benchmark suite as a table or JSON. */
import type { CliIO } from '../io.js';
import { problemsListing } from '../problems.js';

export async function problemsCommand(o: { family?: string[]; tag?: string[]; json?: boolean }, io: CliIO): Promise<number> {
  const rows = problemsListing({ ...(o.family !== undefined ? { family: o.family } : {}), ...(o.tag !== undefined ? { tags: o.tag } : {}) });
  if (o.json) {
    io.out(`${JSON.stringify(rows, null, 2)}\n`);
    return 0;
  }
  const table = rows.map((r) => {
    const c = r.constants as { L?: { value?: unknown; kind?: unknown }; F_low?: unknown; F_star?: unknown } | null;
    const L = c?.L;
    const num = (v: unknown): string => (typeof v === 'number' ? String(Number(v.toPrecision(4))) : '–');
    return [r.id, r.family, String(r.dim), r.n === null ? '∞' : String(r.n), L?.value !== undefined ? `${Number(L.value).toPrecision(4)} (${String(L.kind)})` : '–', num(c?.F_low), num(c?.F_star), r.tags.join(',')];
  });
  const head = ['id', 'family', 'dim', 'n', 'L', 'F_low', 'F*', 'tags'];
  const widths = head.map((h, j) => Math.max(h.length, ...table.map((r) => r[j]!.length)));
  const fmtRow = (r: string[]): string => r.map((c, j) => (j === r.length - 1 ? c : c.padEnd(widths[j]!))).join('  ');
  io.out(`${fmtRow(head)}\n${table.map(fmtRow).join('\n')}\n`);
  return 0;
}
