import { InternalError } from '@berth/api';

/** The subset of the timer API the restart timer needs; tests pass a fake one instead of sleeping. */
export interface TimerClock {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const systemClock: TimerClock = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/** Waits out one restart delay; `cancel` is what `docker stop` does to a container that is restarting. */
export class RestartTimer {
  readonly #clock: TimerClock;
  #handle: unknown;
  #pending = false;

  constructor(clock: TimerClock = systemClock) {
    this.#clock = clock;
  }

  get pending(): boolean {
    return this.#pending;
  }

  schedule(delayMs: number, fn: () => void): void {
    // Like moby, one container has at most one restart in flight; a second one would start it twice.
    if (this.#pending) throw new InternalError('invalid call on an active restart manager');
    this.#pending = true;
    this.#handle = this.#clock.setTimeout(() => {
      this.#pending = false;
      this.#handle = undefined;
      fn();
    }, delayMs);
  }

  cancel(): void {
    if (!this.#pending) return;
    this.#clock.clearTimeout(this.#handle);
    this.#pending = false;
    this.#handle = undefined;
  }
}
