import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { execAction, type EngineEvents } from '../events/engine-events.js';
import type { BundleSpec, RuntimeDriver } from '../runtime/index.js';
import { probeSettings, type ProbeSettings } from './health-config.js';
import { PROBE_FAILED_EXIT_CODE, runProbe, type ProbeOutcome } from './health-probe.js';
import { applyProbeResult, nextProbeDelay, resetHealth } from './health-state.js';
import type { ContainerRecord } from './record.js';

export interface HealthMonitorOptions {
  runtime: RuntimeDriver;
  /** SIGKILL to a probe that outlived its timeout (runc forwards no SIGKILL). */
  killProcess(pid: number): boolean;
  bundleOf(c: ContainerRecord): BundleSpec;
  /** Told of each probe as an exec (exec_create, exec_start, exec_die) and of each `health_status: <status>` change, as moby. */
  events: EngineEvents;
  log: { warn(msg: string): void };
}

/**
 * Runs each running container's health probe on its schedule (moby's health monitor): one loop per
 * container, results kept in `record.health`. Like moby it does not persist every result; the record is
 * written with the container's next state change.
 */
export class HealthMonitor {
  private readonly loops = new Map<string, AbortController>();

  constructor(private readonly o: HealthMonitorOptions) {}

  /**
   * (Re)starts probing a container that just started or was re-adopted, as `starting` again; `reset:
   * false` resumes after an unpause with the status kept. No-op without a healthcheck.
   */
  start(c: ContainerRecord, options: { reset?: boolean } = {}): void {
    const settings = probeSettings(c.config);
    if (!settings) return;
    this.stop(c.id);
    c.health = options.reset === false && c.health ? c.health : resetHealth(c.health);
    const controller = new AbortController();
    this.loops.set(c.id, controller);
    void this.loop(c, settings, controller.signal).catch((err: unknown) => {
      if (!controller.signal.aborted) this.o.log.warn(`health check of ${c.id} stopped: ${String(err)}`);
    });
  }

  stop(id: string): void {
    this.loops.get(id)?.abort();
    this.loops.delete(id);
  }

  stopAll(): void {
    for (const id of [...this.loops.keys()]) this.stop(id);
  }

  private async loop(c: ContainerRecord, settings: ProbeSettings, signal: AbortSignal): Promise<void> {
    const startedAt = new Date(c.state.startedAt ?? Date.now());
    for (;;) {
      const health = c.health ?? resetHealth(undefined);
      await sleep(nextProbeDelay(health, settings, Date.now() - startedAt.getTime()), undefined, { signal });
      const start = new Date();
      const outcome = await this.probe(c, settings);
      if (signal.aborted) return;
      const before = c.health?.Status;
      c.health = applyProbeResult(c.health ?? resetHealth(undefined), { start, end: new Date(), ...outcome }, settings, startedAt);
      if (c.health.Status !== before) this.o.events.container(`health_status: ${c.health.Status}`, c);
    }
  }

  /** One probe, announced as the exec it is in moby (exec_die only when the process ran). */
  private async probe(c: ContainerRecord, settings: ProbeSettings): Promise<ProbeOutcome> {
    const execId = randomBytes(32).toString('hex');
    this.o.events.container(execAction('exec_create', settings.command), c, { execID: execId });
    this.o.events.container(execAction('exec_start', settings.command), c, { execID: execId });
    const outcome = await runProbe(this.o, this.o.bundleOf(c), { execId, command: settings.command }, settings.timeoutMs).catch(
      (err: unknown): ProbeOutcome => ({ exitCode: PROBE_FAILED_EXIT_CODE, output: err instanceof Error ? err.message : String(err) }),
    );
    if (outcome.processExitCode !== undefined) this.o.events.container('exec_die', c, { execID: execId, exitCode: String(outcome.processExitCode) });
    return outcome;
  }
}
