/** adadagrad: the core public API. */
export {
  Tensor, tensor, scalar, zeros, ones, full, fromArray, cast, shapeSize,
  type DType, type Arr, type Shape,
} from './tensor/tensor.js';
export {
  getBackend, setBackend, withBackend, listBackends, registerBackend, loadWasmBackend, loadGpujsBackend,
  defaultBackendChoice, describeBackend, type BackendChoice,
  type Backend, type BackendOptions, type WasmBackendOptions, type GpujsBackendOptions, type GpujsMode,
} from './backend/index.js';
export * from './autodiff/index.js';
export type * from './problem/types.js';
export * from './batching/index.js';
export * from './optim/index.js';
export * from './run/index.js';
export * from './rng/index.js';
