// The README shows the code that the tests run: the user-controller and own-loop examples must appear verbatim.
import { readFileSync } from 'node:fs';
import * as fastCheck from 'fast-check';
import { describe, expect, it } from 'vitest';
import { foldIn, key } from 'adadagrad';
import { getProblem } from 'adadagrad/problems';
import { fc } from 'adadagrad/testing';

const root = new URL('..', import.meta.url);
const readme = readFileSync(new URL('README.md', root), 'utf8');

/** A fixture file below its one-line header comment. */
const fixture = (name: string): string => readFileSync(new URL(`test/fixtures/${name}`, root), 'utf8').split('\n').slice(1).join('\n').trim();
const sq = (v: Float64Array): number => v.reduce((a, g) => a + g * g, 0);

describe('README', () => {
  it('contains test/fixtures/user-controller.ts verbatim (below its header comment)', () => {
    const src = readFileSync(new URL('test/fixtures/user-controller.ts', root), 'utf8').split('\n').slice(1).join('\n').trim();
    expect(src.length).toBeGreaterThan(200);
    expect(readme.includes(src), 'update the README example from test/fixtures/user-controller.ts').toBe(true);
  });

  it('has a quick start with exactly the two command lines', () => {
    const quick = readme.slice(readme.indexOf('## Quick start'));
    const block = /```sh\n([\s\S]*?)```/.exec(quick)?.[1] ?? '';
    const lines = block.split('\n').filter((l) => l.trim() !== '');
    expect(lines.map((l) => l.split('#')[0]!.trim())).toEqual(['npm ci && npm start', 'npm ci && npm test']);
  });

  it('contains test/fixtures/own-loop.ts verbatim, and that loop runs and converges', async () => {
    expect(readme.includes(fixture('own-loop.ts')), 'update the README example from test/fixtures/own-loop.ts').toBe(true);
    const { result } = await import('./fixtures/own-loop.js');
    const problem = getProblem('nclogreg_d50_n5000_i0');
    const start = sq(problem.gradient(problem.x0(foldIn(key(0), 0))));
    // 100 SGD steps at α = 0.5 under the norm test bring ||∇F||² from 0.35 to about 1e-3; the rule grew the batch
    expect(result.gradFNormSq).toBeLessThan(0.02 * start);
    expect(result.b).toBeGreaterThan(4);
  });

  it('contains test/fixtures/own-loop-workspace.ts verbatim, and its iterates are those of own-loop.ts bit for bit', async () => {
    expect(readme.includes(fixture('own-loop-workspace.ts')), 'update the README example from test/fixtures/own-loop-workspace.ts').toBe(true);
    const { result } = await import('./fixtures/own-loop-workspace.js');
    const plain = await import('./fixtures/own-loop.js');
    const problem = getProblem('nclogreg_d50_n5000_i0');
    expect(result.b).toBe(plain.result.b);
    const i = result.x.findIndex((v: number, j: number) => !Object.is(v, plain.result.x[j]));
    expect(i, `x[${i}] differs with the workspace`).toBe(-1);
    expect(problem.gradient(result.x).reduce((a: number, g: number) => a + g * g, 0)).toBe(plain.result.gradFNormSq);
  });

  it('fc from adadagrad/testing is fast-check itself', () => {
    expect(readme).toContain("import { fc } from 'adadagrad/testing'");
    expect(fc.integer).toBe(fastCheck.integer);
    expect(fc.assert).toBe(fastCheck.assert);
    fc.assert(fc.property(fc.integer(), (n) => Number.isInteger(n)), { numRuns: 5, seed: 1 });
  });
});
