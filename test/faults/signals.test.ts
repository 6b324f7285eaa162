/** SIGINT during `run` (#16 item 19): the trace ends with an interrupted summary line and the exit code is 130. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { completeLines, scratch, spawnCli } from './helpers.js';

describe('#16.19 SIGINT during run', () => {
  it('writes {"type":"summary","status":"interrupted"} as the last line and exits 130', async () => {
    const trace = join(scratch(), 'trace.jsonl');
    const { child, done } = spawnCli(['run', '--problem', 'nqm_d100_i0', '--variant', 'adadagrad-norm', '--eta', '0.5', '--steps', '1000000', '--out', trace]);
    await new Promise<void>((res) => {
      const poll = setInterval(() => {
        if (completeLines(trace) >= 3 || child.exitCode !== null) {
          clearInterval(poll);
          child.kill('SIGINT');
          res();
        }
      }, 10);
    });
    const r = await done;
    expect(r.code, `${r.signal} ${r.stderr}`).toBe(130);
    const lines = readFileSync(trace, 'utf8').split('\n').filter((l) => l !== '');
    const last = JSON.parse(lines[lines.length - 1]!) as { type: string; status: string; steps?: number };
    expect(last).toMatchObject({ type: 'summary', status: 'interrupted' });
    expect(last.steps).toBe(lines.length - 2);
    expect(r.stderr).toMatch(/interrupted/);
  });
});
