/**
 * Timestamps of a container's start and exit steps, for the breakdown in docs/performance.md. With
 * BERTH_TRACE=1 in berthd's environment each step is one line on stderr:
 * `berth-trace <epoch ms, µs precision> <subject> <step>`; the epoch clock lets a client's own
 * timestamps line up with the daemon's. Off (the default), a call costs one branch.
 */
export const tracing = process.env.BERTH_TRACE === '1';

export function traceStep(subject: string, step: string): void {
  if (!tracing) return;
  process.stderr.write(`berth-trace ${(performance.timeOrigin + performance.now()).toFixed(3)} ${subject.slice(0, 12)} ${step}\n`);
}
