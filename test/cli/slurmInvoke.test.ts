/** The absolute toolkit command written into the job scripts. */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseToolkitCommand, toolkitCommand } from '../../src/cli/slurmInvoke.js';

describe('toolkitCommand', () => {
  it('from the build: this node and the absolute dist/src/cli/main.js', () => {
    const { command, source } = toolkitCommand('file:///opt/pkg/adadagrad/dist/src/cli/slurmInvoke.js');
    expect(source).toBe('build');
    expect(command).toEqual([process.execPath, '/opt/pkg/adadagrad/dist/src/cli/main.js']);
  });

  it('from a source checkout: this node with an absolute tsx loader URL and the absolute main.ts', () => {
    const { command, source } = toolkitCommand(new URL('../../src/cli/slurmInvoke.ts', import.meta.url).href);
    expect(source).toBe('source checkout');
    expect(command[0]).toBe(process.execPath);
    expect(command[1]).toBe('--import');
    expect(command[2]).toMatch(/^file:\/\/\/.*tsx/);
    expect(existsSync(fileURLToPath(command[2]!))).toBe(true);
    expect(command[3]).toBe(fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url)));
  });

  it('--command is split on blanks; an empty one is refused', () => {
    expect(parseToolkitCommand(' apptainer exec img.sif  adadagrad ')).toEqual(['apptainer', 'exec', 'img.sif', 'adadagrad']);
    expect(() => parseToolkitCommand('  ')).toThrow(/--command/);
  });
});
