/** A reader for the IDX binary format (the format of the MNIST files), with checked headers. */

/**
 * The IDX format (LeCun et al., "The MNIST database of handwritten digits"):
 * a 4-byte magic number `0x00 0x00 T N`, where T is the element type and N the
 * number of dimensions, then N big-endian uint32 dimension sizes, then the
 * elements in row-major order (big-endian for multi-byte types).
 *
 * | T    | type    | bytes |
 * |------|---------|-------|
 * | 0x08 | uint8   | 1     |
 * | 0x09 | int8    | 1     |
 * | 0x0B | int16   | 2     |
 * | 0x0C | int32   | 4     |
 * | 0x0D | float32 | 4     |
 * | 0x0E | float64 | 8     |
 *
 * MNIST images are `0x00000803` (uint8, 3 dimensions [n, 28, 28]) and labels
 * `0x00000801` (uint8, 1 dimension [n]).
 */
export type IdxType = 'uint8' | 'int8' | 'int16' | 'int32' | 'float32' | 'float64';

const TYPE_CODES: ReadonlyMap<number, { type: IdxType; bytes: number }> = new Map([
  [0x08, { type: 'uint8', bytes: 1 }],
  [0x09, { type: 'int8', bytes: 1 }],
  [0x0b, { type: 'int16', bytes: 2 }],
  [0x0c, { type: 'int32', bytes: 4 }],
  [0x0d, { type: 'float32', bytes: 4 }],
  [0x0e, { type: 'float64', bytes: 8 }],
]);

/** Thrown for a file that is not a well-formed IDX file; the message says what is wrong. */
export class IdxParseError extends Error {
  /** The file (or a label for the buffer) being read, when known. */
  readonly source: string;
  constructor(source: string, message: string) {
    super(`${source}: ${message}`);
    this.name = 'IdxParseError';
    this.source = source;
  }
}

export interface IdxArray {
  readonly type: IdxType;
  readonly dims: readonly number[];
  /**
   * The elements in row-major order. For uint8 a view of the input bytes (no
   * copy); other types are decoded into a fresh typed array (Float64Array for
   * the float types, Int32Array for the integer ones).
   */
  readonly data: Uint8Array | Int32Array | Float64Array;
}

export interface IdxExpect {
  /** Required element type. */
  readonly type?: IdxType;
  /** Required number of dimensions. */
  readonly rank?: number;
  /** Required sizes of the trailing dimensions (e.g. [28, 28] for MNIST images). */
  readonly trailing?: readonly number[];
}

/** Largest element count accepted (guards against garbled headers asking for huge allocations). */
const MAX_ELEMENTS = 2 ** 31 - 1;

/**
 * Parse an IDX buffer. Checks the two zero bytes and the type code of the
 * magic number, that the header is complete, and that the file holds exactly
 * the number of elements its dimensions announce (a truncated file or
 * trailing garbage throws {@link IdxParseError}).
 *
 * @example
 * const bytes = Uint8Array.of(0, 0, 8, 1, 0, 0, 0, 2, 7, 9);
 * parseIdx(bytes); // returns { type: 'uint8', dims: [2], data: Uint8Array [7, 9] }
 * parseIdx(bytes.subarray(0, 9)); // throws IdxParseError "... truncated ..."
 */
export function parseIdx(bytes: Uint8Array, source = '<buffer>', expect: IdxExpect = {}): IdxArray {
  if (!(bytes instanceof Uint8Array)) {
    throw new IdxParseError(source, 'expected a Uint8Array or Buffer');
  }
  if (bytes.length < 4) {
    throw new IdxParseError(source, `file has ${bytes.length} bytes, fewer than the 4-byte magic number`);
  }
  if (bytes[0] !== 0 || bytes[1] !== 0) {
    const hex = Array.from(bytes.subarray(0, 4), (v) => v.toString(16).padStart(2, '0')).join(' ');
    throw new IdxParseError(
      source,
      `bad magic number ${hex}: an IDX file starts with two zero bytes (is the file gzip-compressed or not IDX?)`,
    );
  }
  const code = bytes[2]!;
  const rank = bytes[3]!;
  const tinfo = TYPE_CODES.get(code);
  if (tinfo === undefined) {
    throw new IdxParseError(source, `unknown element type code 0x${code.toString(16).padStart(2, '0')} in the magic number`);
  }
  if (rank === 0) throw new IdxParseError(source, 'the magic number announces 0 dimensions');
  const headerBytes = 4 + 4 * rank;
  if (bytes.length < headerBytes) {
    throw new IdxParseError(
      source,
      `header truncated: ${rank} dimensions need ${headerBytes} header bytes, file has ${bytes.length}`,
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dims: number[] = [];
  let count = 1;
  for (let r = 0; r < rank; r++) {
    const s = view.getUint32(4 + 4 * r, false);
    dims.push(s);
    count *= s;
  }
  if (count > MAX_ELEMENTS) {
    throw new IdxParseError(source, `dimensions [${dims.join(', ')}] announce ${count} elements, more than the limit ${MAX_ELEMENTS}`);
  }
  if (expect.type !== undefined && expect.type !== tinfo.type) {
    throw new IdxParseError(source, `element type is ${tinfo.type}, expected ${expect.type}`);
  }
  if (expect.rank !== undefined && expect.rank !== rank) {
    throw new IdxParseError(source, `has ${rank} dimensions [${dims.join(', ')}], expected ${expect.rank}`);
  }
  if (expect.trailing !== undefined) {
    const tail = dims.slice(dims.length - expect.trailing.length);
    if (tail.length !== expect.trailing.length || tail.some((s, i) => s !== expect.trailing![i])) {
      throw new IdxParseError(source, `dimensions [${dims.join(', ')}] do not end in [${expect.trailing.join(', ')}]`);
    }
  }
  const payload = count * tinfo.bytes;
  const have = bytes.length - headerBytes;
  if (have < payload) {
    throw new IdxParseError(
      source,
      `truncated: dimensions [${dims.join(', ')}] need ${payload} data bytes, file has ${have}`,
    );
  }
  if (have > payload) {
    throw new IdxParseError(
      source,
      `${have - payload} trailing bytes after the ${payload} data bytes announced by dimensions [${dims.join(', ')}]`,
    );
  }
  const start = headerBytes;
  let data: Uint8Array | Int32Array | Float64Array;
  switch (tinfo.type) {
    case 'uint8':
      // A plain Uint8Array view (indexing a Node Buffer subclass is many times slower).
      data = new Uint8Array(bytes.buffer, bytes.byteOffset + start, payload);
      break;
    case 'int8': {
      const out = new Int32Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getInt8(start + i);
      data = out;
      break;
    }
    case 'int16': {
      const out = new Int32Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getInt16(start + 2 * i, false);
      data = out;
      break;
    }
    case 'int32': {
      const out = new Int32Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getInt32(start + 4 * i, false);
      data = out;
      break;
    }
    case 'float32': {
      const out = new Float64Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getFloat32(start + 4 * i, false);
      data = out;
      break;
    }
    case 'float64': {
      const out = new Float64Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getFloat64(start + 8 * i, false);
      data = out;
      break;
    }
  }
  return { type: tinfo.type, dims, data };
}

/**
 * Encode an array as IDX bytes (used by tests to make small files and by
 * users who want to write subsets).
 *
 * @example
 * encodeIdx('uint8', [2], Uint8Array.of(7, 9)); // returns Uint8Array [0, 0, 8, 1, 0, 0, 0, 2, 7, 9]
 */
export function encodeIdx(type: IdxType, dims: readonly number[], data: ArrayLike<number>): Uint8Array {
  let code = -1;
  let bytesPer = 0;
  for (const [c, t] of TYPE_CODES) {
    if (t.type === type) {
      code = c;
      bytesPer = t.bytes;
    }
  }
  const count = dims.reduce((a, b) => a * b, 1);
  if (count !== data.length) throw new Error(`encodeIdx: dims [${dims.join(', ')}] hold ${count} elements, data has ${data.length}`);
  const header = 4 + 4 * dims.length;
  const out = new Uint8Array(header + count * bytesPer);
  const view = new DataView(out.buffer);
  out[2] = code;
  out[3] = dims.length;
  dims.forEach((s, r) => view.setUint32(4 + 4 * r, s, false));
  for (let i = 0; i < count; i++) {
    const v = data[i]!;
    const at = header + i * bytesPer;
    switch (type) {
      case 'uint8': view.setUint8(at, v); break;
      case 'int8': view.setInt8(at, v); break;
      case 'int16': view.setInt16(at, v, false); break;
      case 'int32': view.setInt32(at, v, false); break;
      case 'float32': view.setFloat32(at, v, false); break;
      case 'float64': view.setFloat64(at, v, false); break;
    }
  }
  return out;
}
