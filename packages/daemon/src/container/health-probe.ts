import { setTimeout as sleep } from 'node:timers/promises';
import type { BundleSpec, ExecExit, ExecProcess, RuntimeDriver } from '../runtime/index.js';
import { MAX_PROBE_OUTPUT_BYTES } from './health-state.js';

/** Exit code recorded for a probe that timed out or could not run (moby's -1). */
export const PROBE_FAILED_EXIT_CODE = -1;
/** How long a timed-out probe's `runc exec` gets to start the process (so it can be killed) and then to exit on its own. */
const KILL_GRACE_MS = 10_000;
const PID_POLL_MS = 10;

export interface ProbeOutcome {
  exitCode: number;
  output: string;
  /** How the probe process itself ended (what `exec_die` reports); absent when it never ran. */
  processExitCode?: number;
}

/**
 * Runs one health probe in the container like moby's cmdProbe: as the container's own process (user,
 * cwd, env, capabilities) with `command` as argv, stdout and stderr together, capped at 4096 bytes
 * ("..." marks the cut), killed after the timeout.
 */
export async function runProbe(
  host: { runtime: RuntimeDriver; killProcess(pid: number): boolean },
  bundle: BundleSpec,
  probe: { execId: string; command: string[] },
  timeoutMs: number,
): Promise<ProbeOutcome> {
  const { runtime } = host;
  const spec = await runtime.readBundle(bundle);
  if (!spec.process) throw new Error(`container ${bundle.id} has no process configuration`);
  const proc = await runtime.execProcess(bundle, probe.execId, { ...spec.process, terminal: false, args: probe.command });
  proc.stdin.end();
  const output = new LimitedOutput(MAX_PROBE_OUTPUT_BYTES);
  proc.stdout.on('data', (data: Buffer) => output.write(data));
  proc.stderr.on('data', (data: Buffer) => output.write(data));
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), timeoutMs);
  });
  const outcome = await Promise.race([proc.exited, timedOut]);
  clearTimeout(timer);
  if (outcome === 'timeout') {
    const killed = await killProbe(proc, host);
    const out = output.text();
    const message = `Health check exceeded timeout (${goDuration(timeoutMs)})`;
    return { exitCode: PROBE_FAILED_EXIT_CODE, output: out ? `${message}: ${out}` : message, processExitCode: killed.exitCode };
  }
  if (outcome.runtimeError) return { exitCode: PROBE_FAILED_EXIT_CODE, output: outcome.runtimeError };
  return { exitCode: outcome.exitCode, output: output.text(), processExitCode: outcome.exitCode };
}

/**
 * Ends a probe that timed out. Signals to runc are forwarded, but SIGKILL cannot be: the probe process
 * itself is killed, once runc has started it, and runc then exits on its own. Killing `runc exec` instead
 * (while it sets the process up) orphans its helpers to berthd, their subreaper: the reaper collects those
 * nsexec names (`runc:[…]`), but not a forked `runc` that pdeathsig killed, which it cannot tell from the
 * runc processes berthd spawned itself, so that one stays a zombie. Only a runc that does neither within
 * the grace is killed.
 */
async function killProbe(proc: ExecProcess, host: { killProcess(pid: number): boolean }): Promise<ExecExit> {
  const deadline = Date.now() + KILL_GRACE_MS;
  let exit: ExecExit | undefined;
  void proc.exited.then((done) => (exit = done));
  while (exit === undefined && Date.now() < deadline) {
    const pid = await proc.pid();
    // A probe already gone needs no kill.
    if (pid > 0) {
      host.killProcess(pid);
      break;
    }
    await sleep(PID_POLL_MS);
  }
  const ended = await Promise.race([proc.exited, sleep(Math.max(0, deadline - Date.now()))]);
  if (ended) return ended;
  proc.kill('SIGKILL');
  return proc.exited;
}

/** moby's limitedBuffer: keeps the first `limit` bytes, then appends "..." if anything was dropped. */
class LimitedOutput {
  private readonly chunks: Buffer[] = [];
  private size = 0;
  private truncated = false;

  constructor(private readonly limit: number) {}

  write(data: Buffer): void {
    const keep = Math.min(this.limit - this.size, data.length);
    if (keep > 0) {
      this.chunks.push(data.subarray(0, keep));
      this.size += keep;
    }
    if (keep < data.length) this.truncated = true;
  }

  text(): string {
    return Buffer.concat(this.chunks).toString('utf8') + (this.truncated ? '...' : '');
  }
}

/** Go's time.Duration String for the whole-millisecond values a timeout has: "30s", "1m30s", "500ms". */
export function goDuration(ms: number): string {
  if (ms < 1000) return `${ms}ms`;
  const hours = Math.floor(ms / 3_600_000);
  const minutes = Math.floor((ms % 3_600_000) / 60_000);
  const seconds = (ms % 60_000) / 1000;
  return `${hours ? `${hours}h` : ''}${hours || minutes ? `${minutes}m` : ''}${seconds}s`;
}
