export * from './image-spec.js';
