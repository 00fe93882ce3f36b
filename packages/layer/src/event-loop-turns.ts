import { setImmediate as nextTurn } from 'node:timers/promises';

/**
 * For work done on the main thread in many small synchronous steps: a function to await between steps,
 * which gives the event loop a turn once `maxBusyMs` have passed since the last, so that requests and
 * streams are served meanwhile.
 */
export function eventLoopTurns(maxBusyMs = 10): () => Promise<void> {
  let turn = performance.now();
  return async () => {
    if (performance.now() - turn < maxBusyMs) return;
    await nextTurn();
    turn = performance.now();
  };
}
