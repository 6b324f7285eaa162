/**
 * Names → optimizers, controllers and named variants, as used by the command
 * line, sweeps and experiments. The tables live in src/registry/ (one row per
 * entry); this module keeps the historical import path.
 */
export {
  OPTIMIZERS, CONTROLLERS, VARIANTS, TESTS, PARAMS, makeOptimizer, makeController, resolveVariant, ConfigError,
  usedParams, unusedParams, optimizerEntry, controllerEntry,
  type HyperParams, type HyperName, type ParamSpec, type Descriptor, type OptimizerEntry, type ControllerEntry, type VariantEntry,
  type ControllerOptions,
} from '../registry/index.js';
