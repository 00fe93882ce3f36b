import type { Readable } from 'node:stream';
import { OciRuntimeError } from './runtime-errors.js';

/** One line conmon writes on its sync or attach pipe: a pid, an exit code or a negative failure. */
export interface ConmonReport {
  data: number;
  message?: string;
}

type Outcome = ConmonReport | null | OciRuntimeError;

/**
 * Reads conmon's `{"data": n, "message"?: s}` lines from one of its pipes. Each call of the returned function
 * yields the next report, in order; null once the pipe ended without more. A line that is not JSON, or a
 * failing pipe, rejects that call and every later one.
 */
export function conmonReports(pipe: Readable, pipeName: string): () => Promise<ConmonReport | null> {
  const queue: ConmonReport[] = [];
  const waiters: Array<(outcome: Outcome) => void> = [];
  let last: null | OciRuntimeError | undefined;
  const settle = (outcome: Outcome): Promise<ConmonReport | null> =>
    outcome instanceof Error ? Promise.reject(outcome) : Promise.resolve(outcome);
  const deliver = (report: ConmonReport): void => {
    const waiter = waiters.shift();
    if (waiter) waiter(report);
    else queue.push(report);
  };
  const end = (outcome: null | OciRuntimeError): void => {
    if (last !== undefined) return;
    last = outcome;
    pipe.off('data', onData);
    for (const waiter of waiters.splice(0)) waiter(outcome);
  };
  let buffered = '';
  const onData = (text: string): void => {
    buffered += text;
    let newline: number;
    while (last === undefined && (newline = buffered.indexOf('\n')) >= 0) {
      const line = buffered.slice(0, newline).trim();
      buffered = buffered.slice(newline + 1);
      if (line === '') continue;
      let parsed: Partial<ConmonReport>;
      try {
        parsed = JSON.parse(line) as Partial<ConmonReport>;
      } catch (err) {
        end(new OciRuntimeError(`conmon sent an unreadable report: ${line}`, { cause: err }));
        return;
      }
      if (typeof parsed.data === 'number') {
        deliver({ data: parsed.data, message: typeof parsed.message === 'string' ? parsed.message : undefined });
      }
    }
  };
  pipe.setEncoding('utf8');
  pipe.on('data', onData);
  pipe.on('end', () => end(null));
  pipe.on('close', () => end(null));
  pipe.on('error', (err) => end(new OciRuntimeError(`conmon ${pipeName} pipe failed: ${err.message}`, { cause: err })));
  return () => {
    const report = queue.shift();
    if (report) return Promise.resolve(report);
    if (last !== undefined) return settle(last);
    return new Promise<Outcome>((resolve) => waiters.push(resolve)).then(settle);
  };
}
