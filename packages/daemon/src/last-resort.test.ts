import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { keepServingOnUnexpectedErrors } from './last-resort.js';

describe('keepServingOnUnexpectedErrors', () => {
  it('logs uncaught exceptions and unhandled rejections instead of letting them end the process', () => {
    const proc = new EventEmitter();
    const logged: string[] = [];
    keepServingOnUnexpectedErrors({ error: (obj, msg) => logged.push(`${msg}: ${String((obj as { err: unknown }).err)}`) }, proc);
    proc.emit('uncaughtException', new Error('tar entry destroyed'));
    proc.emit('unhandledRejection', new Error('EPIPE'));
    expect(logged).toEqual([
      'uncaught exception; berthd keeps running: Error: tar entry destroyed',
      'unhandled promise rejection; berthd keeps running: Error: EPIPE',
    ]);
  });
});
