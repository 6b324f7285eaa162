/** `reproduce` with foreign files in its run cache (#16 item 11): they are run again, and the figure is unchanged. */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, expectNoStack, scratch } from './helpers.js';

describe('#16.11 reproduce and foreign cache files', () => {
  it('valid JSON that is not a run output is run again instead of crashing the figure', async () => {
    const out = scratch();
    const first = await cli('reproduce', 'fig5', '--quick', '--workers', '1', '--out', out, '--json');
    expect(first.code, first.stderr).toBe(0);
    const csv = readFileSync(join(out, 'fig5-sebs.csv'), 'utf8');
    const files = readdirSync(join(out, 'runs')).filter((f) => f.endsWith('.json'));
    expect(files.length).toBeGreaterThanOrEqual(4);
    const foreign = ['{"output":{"foo":1}}', '{"output":{"status":"completed","evals":"x"}}', '[1,2,3]', '{"output":null}'];
    files.forEach((f, i) => writeFileSync(join(out, 'runs', f), foreign[i % foreign.length]!));
    const again = await cli('reproduce', 'fig5', '--quick', '--workers', '1', '--out', out, '--json');
    expect(again.code, again.stderr).toBe(0);
    expectNoStack(again.stderr);
    expect((JSON.parse(again.stdout) as { runs: { cached: number } }).runs.cached).toBe(0);
    expect(readFileSync(join(out, 'fig5-sebs.csv'), 'utf8')).toBe(csv);
    // and the cache holds real outputs again
    const third = await cli('reproduce', 'fig5', '--quick', '--workers', '1', '--out', out, '--json');
    expect((JSON.parse(third.stdout) as { runs: { cached: number; total: number } }).runs).toMatchObject({ cached: files.length, total: files.length });
  });
});
