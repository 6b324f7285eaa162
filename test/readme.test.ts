// The README shows the code that the tests run: the user-controller example must appear verbatim.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const root = new URL('..', import.meta.url);
const readme = readFileSync(new URL('README.md', root), 'utf8');

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
});
