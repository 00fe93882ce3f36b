import { setTimeout as sleep } from 'node:timers/promises';
import type { ContainerHost } from '../ports.js';
import type { ContainerCore } from './container-core.js';
import type { RuntimeDriver } from '../runtime/index.js';
import type { ContainerRecord } from './record.js';
import { parseSignal } from './signal-number.js';
import { markUnpaused } from './state.js';

const DEFAULT_STOP_TIMEOUT_S = 10;
const SIGKILL = 9;
const SIGTERM = 15;
/** moby's Kill waits this long for the exit, then kills the process directly and waits 2 s more. */
const KILL_EXIT_TIMEOUT_MS = 10_000;
const DIRECT_KILL_EXIT_TIMEOUT_MS = 2_000;

/** `docker stop` and `docker kill`, with moby's signals, grace periods and events. */
export class ContainerTermination {
  constructor(
    private readonly core: ContainerCore,
    private readonly host: Pick<ContainerHost, 'killProcess'>,
  ) {}

  async stop(ref: string, timeoutSeconds?: number, signal?: string): Promise<void> {
    const { core } = this;
    const c = core.store.get(ref);
    core.assert('stop', c);
    const stopSignal = signal ? parseSignal(signal) : configuredStopSignal(c);
    c.manuallyStopped = true;
    await core.store.save(c);
    if (await core.cancelPendingRestart(c)) {
      core.events.container('stop', c);
      return;
    }
    const timeout = timeoutSeconds ?? c.config.StopTimeout ?? DEFAULT_STOP_TIMEOUT_S;
    const exited = core.waiters.add(c.id, 'next-exit');
    const sent = await core.runtime.kill(c.id, stopSignal).then(
      () => true,
      () => false,
    );
    // moby's stop goes through kill, so `docker events` shows kill, die, stop.
    if (sent) core.events.container('kill', c, { signal: String(stopSignal) });
    await thawAfterSignal(core.runtime, c);
    // moby waits only 2 s when the stop signal could not be delivered.
    const grace = sent ? timeout : Math.min(timeout, 2);
    const inTime = grace < 0 ? await exited.then(() => true) : await Promise.race([exited.then(() => true), sleep(grace * 1000, false)]);
    if (!inTime) {
      await core.runtime.kill(c.id, SIGKILL).then(
        () => core.events.container('kill', c, { signal: String(SIGKILL) }),
        () => undefined,
      );
      await exited;
    }
    core.events.container('stop', c);
  }

  /**
   * `docker kill`. As moby's does, SIGKILL (the default) answers once the container has exited, so a
   * `docker rm` right after finds it stopped; any other signal answers once it is sent.
   */
  async kill(ref: string, signal?: string): Promise<void> {
    const { core } = this;
    // moby checks the signal before it looks the container up.
    const number = signal ? parseSignal(signal) : SIGKILL;
    const c = core.store.get(ref);
    core.assert('kill', c);
    // Another signal than SIGKILL and the stop signal leaves the restart policy in force, as in moby.
    const stopSignal = c.config.StopSignal ? parseSignal(c.config.StopSignal) : undefined;
    c.manuallyStopped = true;
    await core.store.save(c);
    if (number === SIGKILL || stopSignal === undefined || stopSignal === number) {
      if (await core.cancelPendingRestart(c)) {
        core.events.container('kill', c, { signal: String(number) });
        return;
      }
    } else if (c.state.restarting) {
      return;
    }
    if (number === SIGKILL) return this.killAndWait(c);
    await core.runtime.kill(c.id, number);
    await thawAfterSignal(core.runtime, c);
    core.events.container('kill', c, { signal: String(number) });
  }

  /** moby's Kill: SIGKILL, then the exit awaited; a process that outlives that is killed directly. */
  async killAndWait(c: ContainerRecord): Promise<void> {
    const { core } = this;
    const giveUp = new AbortController();
    const exited = core.waiters.add(c.id, 'next-exit', giveUp.signal).then(() => true);
    exited.catch(() => undefined);
    try {
      // A task that is already gone still reports its exit; a failure to signal is seen as no exit below.
      const sent = await core.runtime.kill(c.id, SIGKILL).then(
        () => true,
        () => false,
      );
      await thawAfterSignal(core.runtime, c);
      if (sent) core.events.container('kill', c, { signal: String(SIGKILL) });
      const timeout = (ms: number): Promise<boolean> => sleep(ms, false, { signal: giveUp.signal }).catch(() => false);
      if (await Promise.race([exited, timeout(KILL_EXIT_TIMEOUT_MS)])) return;
      core.log.warn(`container ${c.id} did not exit within ${KILL_EXIT_TIMEOUT_MS / 1000} s of SIGKILL: killing its process directly`);
      if (!this.host.killProcess(c.state.pid)) return;
      if (await Promise.race([exited, timeout(DIRECT_KILL_EXIT_TIMEOUT_MS)])) return;
      throw new Error('tried to kill container, but did not receive an exit event');
    } finally {
      giveUp.abort(new Error('kill gave up waiting'));
    }
  }
}

/** The container's stop signal as a number (the runtime takes numbers: runc refuses real-time names); SIGTERM when unset or unknown, as moby. */
function configuredStopSignal(c: ContainerRecord): number {
  if (!c.config.StopSignal) return SIGTERM;
  try {
    return parseSignal(c.config.StopSignal);
  } catch {
    return SIGTERM;
  }
}

/**
 * A frozen process only acts on a signal once thawed, so after signalling a paused container (stop,
 * kill) it is resumed, as dockerd does; a resume that fails leaves it to the exit that follows.
 */
async function thawAfterSignal(runtime: RuntimeDriver, c: ContainerRecord): Promise<void> {
  if (!c.state.paused) return;
  await runtime.resume(c.id).catch(() => undefined);
  c.state = markUnpaused(c.state);
}
