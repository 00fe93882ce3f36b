import type { EventEmitter } from 'node:events';

/**
 * Releases memory once the daemon has been quiet for `quietMs`: after start-up and after each burst of
 * requests. Activity only sets a flag, so a busy daemon pays nothing per request.
 */
export class IdleMemoryRelease {
  private active = false;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly release: () => void,
    private readonly quietMs = 2000,
  ) {}

  /** Something happened: release once it has been quiet for a while. */
  touch(): void {
    this.active = true;
    if (!this.timer) this.arm();
  }

  close(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private arm(): void {
    // Unreferenced: it never keeps the process alive.
    this.timer = setTimeout(() => this.tick(), this.quietMs).unref();
  }

  private tick(): void {
    if (this.active) {
      this.active = false;
      this.arm();
      return;
    }
    this.timer = null;
    this.release();
  }
}

/**
 * Touches `idle` when a request or an upgrade starts and again when it ends: a long stream (logs -f, attach,
 * a big pull) frees its memory at its end, so the quiet period must be counted from there, not from its start.
 */
export function watchActivity(server: EventEmitter, idle: IdleMemoryRelease): void {
  const touch = (): void => idle.touch();
  server.on('request', (_request: unknown, response: EventEmitter) => {
    touch();
    response.once('close', touch);
  });
  server.on('upgrade', (_request: unknown, socket: EventEmitter) => {
    touch();
    socket.once('close', touch);
  });
}
