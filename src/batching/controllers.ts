/** The batch-size controllers, one file per family under ./controllers/ (this module re-exports them for existing imports). */
export * from './controllers/index.js';
