export { main } from './main.js';
export { buildProgram } from './program.js';
export type { CliIo } from './context.js';
