export * from './errors.js';
export * from './version.js';
export * from './stdcopy.js';
export * from './progress.js';
export * from './schemas/container.js';
export * from './schemas/image.js';
export * from './schemas/system.js';
