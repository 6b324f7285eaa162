/** CSV in and out for figure data (RFC 4180 quoting; empty cell for null, NaN and ±∞). */

export type Cell = string | number | boolean | null | undefined;
export type Row = Readonly<Record<string, Cell>>;

function cell(v: Cell): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : '';
  const s = String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** Column names: the given ones, else the keys of the rows in order of first appearance. */
export function columnsOf(rows: readonly Row[], columns?: readonly string[]): string[] {
  if (columns !== undefined) return [...columns];
  const seen = new Set<string>();
  for (const r of rows) for (const k of Object.keys(r)) seen.add(k);
  return [...seen];
}

/** Rows as CSV text with a header line. */
export function toCsv(rows: readonly Row[], columns?: readonly string[]): string {
  const cols = columnsOf(rows, columns);
  const lines = [cols.map((c) => cell(c)).join(',')];
  for (const r of rows) lines.push(cols.map((c) => cell(r[c])).join(','));
  return `${lines.join('\n')}\n`;
}

/** Parse CSV text written by toCsv: numbers where a cell parses as one, null for empty cells. */
export function parseCsv(text: string): Record<string, string | number | null>[] {
  const records: string[][] = [];
  let field = '';
  let row: string[] = [];
  let quoted = false;
  let i = 0;
  while (i < text.length) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
      } else field += ch;
      i++;
      continue;
    }
    if (ch === '"') quoted = true;
    else if (ch === ',') {
      row.push(field);
      field = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      records.push(row);
      row = [];
      field = '';
    } else field += ch;
    i++;
  }
  if (field !== '' || row.length > 0) {
    row.push(field);
    records.push(row);
  }
  const [head, ...body] = records;
  if (head === undefined) return [];
  return body.map((r) =>
    Object.fromEntries(
      head.map((h, j) => {
        const s = r[j] ?? '';
        if (s === '') return [h, null];
        const x = Number(s);
        return [h, Number.isNaN(x) ? s : x];
      }),
    ),
  );
}
