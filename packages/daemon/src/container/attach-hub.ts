import type { Readable, Writable } from 'node:stream';
import { ConflictError } from '@berth/api';
import type { ContainerCore } from './container-core.js';
import type { ContainerRecord } from './record.js';

/** Where an attached client's streams go (written to, never ended); `end` is called once the container's output is over. */
export interface AttachTarget {
  stdin?: Readable;
  stdout?: Writable;
  stderr?: Writable;
  end(): void;
  /** Resolves (never rejects) when the client goes away, so its attach is dropped. */
  closed: Promise<void>;
}

/** Attached clients: connected to a running container's conmon, or waiting for its next start (docker run attaches first). */
export class AttachHub {
  private readonly pending = new Map<string, AttachTarget[]>();

  constructor(private readonly core: ContainerCore) {}

  async attach(c: ContainerRecord, target: AttachTarget): Promise<void> {
    if (c.state.running) {
      try {
        await this.connect(c, target);
      } catch (err) {
        // Its process ended and conmon with it, the exit not yet recorded: moby's attach then ends (EOF)
        // once the exit is, no error (docker-compose's `run` attaches just after the start).
        if (!(err instanceof ConflictError)) throw err;
        target.end();
      }
      return;
    }
    const list = this.pending.get(c.id) ?? [];
    list.push(target);
    this.pending.set(c.id, list);
    target.closed
      .then(() => {
        const remaining = (this.pending.get(c.id) ?? []).filter((t) => t !== target);
        if (remaining.length) this.pending.set(c.id, remaining);
        else this.pending.delete(c.id);
      })
      .catch((err: unknown) => this.core.log.error(`dropping attach to ${c.id}: ${String(err)}`));
  }

  /** Connects the clients that waited for this start, once its task exists. */
  async connectPending(c: ContainerRecord): Promise<void> {
    const targets = this.pending.get(c.id) ?? [];
    this.pending.delete(c.id);
    await Promise.all(targets.map((t) => this.connect(c, t)));
  }

  /** A removed container's waiting clients are told its output is over. */
  endPending(id: string): void {
    this.pending.get(id)?.forEach((t) => t.end());
    this.pending.delete(id);
  }

  private async connect(c: ContainerRecord, target: AttachTarget): Promise<void> {
    const session = await this.core.runtime.attach(this.core.taskSpec(c), { stdin: target.stdin, stdout: target.stdout, stderr: target.stderr });
    session.ended
      .catch(() => undefined)
      .then(() => target.end())
      .catch((err: unknown) => this.core.log.error(`ending attach to ${c.id}: ${String(err)}`));
    target.closed
      .catch(() => undefined)
      .then(() => session.detach())
      .catch((err: unknown) => this.core.log.error(`detaching from ${c.id}: ${String(err)}`));
  }
}
