/**
 * Faults of a sweep's results.jsonl (#16 items 2, 4, 13, 18): a complete last
 * line without its newline, altered records, a corrupt line in the middle, and
 * a resume under another backend.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { readResults } from '../../src/cli/results.js';
import { cli, expectNoStack, scratch, sweepFile, sweepInto } from './helpers.js';

const base = scratch();
const cfg = sweepFile(base);
const ref = join(base, 'ref');
let lines: string[];

beforeAll(async () => {
  await sweepInto(ref, cfg);
  lines = readFileSync(join(ref, 'results.jsonl'), 'utf8').split('\n').filter((l) => l !== '');
  expect(lines).toHaveLength(6);
});

/** A copy of the reference results with `edit` applied to the text. */
function copyWith(name: string, edit: (ls: string[]) => string): string {
  const dir = join(base, name);
  sweepFile(dir, undefined, 'unused.json');
  writeFileSync(join(dir, 'results.jsonl'), edit([...lines]));
  return dir;
}

describe('results.jsonl faults', () => {
  it('#16.2 a complete last record without its newline is kept (not re-run) and the newline is added', async () => {
    const dir = copyWith('no-newline', (ls) => ls.join('\n')); // no final '\n'
    const r = await cli('sweep', '--config', cfg, '--out', dir, '--workers', '1', '--json');
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ runs: 6, skipped: 6, ran: 0 });
    const text = readFileSync(join(dir, 'results.jsonl'), 'utf8');
    expect(text).toBe(`${lines.join('\n')}\n`);
  });

  it('#16.4 altered but valid JSON records are reported by line and run again, never counted done', async () => {
    const dir = copyWith('altered', (ls) => {
      const a = JSON.parse(ls[1]!);
      const b = JSON.parse(ls[3]!);
      const c = JSON.parse(ls[4]!);
      ls[1] = JSON.stringify({ ...a, summary: 'oops' });
      ls[3] = JSON.stringify({ ...b, config: { problem: 1 } });
      ls[4] = JSON.stringify({ ...c, config: { ...c.config, seed: 99 } }); // run_id no longer the hash of its config
      return ls.map((l) => `${l}\n`).join('');
    });
    const r = await cli('sweep', '--config', cfg, '--out', dir, '--workers', '1', '--json');
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ runs: 6, skipped: 3, ran: 3 });
    expect(r.stderr).toMatch(/line 2\b/);
    expect(r.stderr).toMatch(/line 4\b/);
    expect(r.stderr).toMatch(/line 5\b.*run_id/);
    const after = readResults(join(dir, 'results.jsonl'));
    expect(after.records).toHaveLength(6);
    for (const rec of after.records) expect(typeof rec.summary).toBe('object');
  });

  it('#16.13 a corrupt line in the middle is named and exits 2 without a stack', async () => {
    const dir = copyWith('corrupt', (ls) => {
      ls[2] = '{"run_id": "0123", oops';
      return ls.map((l) => `${l}\n`).join('');
    });
    const r = await cli('sweep', '--config', cfg, '--out', dir, '--workers', '1');
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/results\.jsonl: line 3 is not valid JSON/);
    expectNoStack(r.stderr);
  });

  it('#16.18 every results line records the backend and its threads; a resume under another backend is refused', async () => {
    for (const l of lines) {
      const rec = JSON.parse(l) as { backend?: { name?: unknown; threads?: unknown } };
      expect(rec.backend?.name).toBe('js');
      expect(rec.backend?.threads).toBe(1);
    }
    const dir = copyWith('backend', (ls) => ls.slice(0, 3).map((l) => `${l}\n`).join(''));
    const prev = process.env['ADADAGRAD_BACKEND'];
    process.env['ADADAGRAD_BACKEND'] = 'wasm';
    try {
      const r = await cli('sweep', '--config', cfg, '--out', dir, '--workers', '1');
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toMatch(/backend/);
      expect(r.stderr).toMatch(/js/);
      expect(r.stderr).toMatch(/wasm/);
    } finally {
      if (prev === undefined) delete process.env['ADADAGRAD_BACKEND'];
      else process.env['ADADAGRAD_BACKEND'] = prev;
    }
    expect(readFileSync(join(dir, 'results.jsonl'), 'utf8').split('\n').filter((l) => l !== '')).toHaveLength(3);
  });
});
