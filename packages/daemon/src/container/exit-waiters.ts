import type { ContainerWaitResponse, WaitCondition } from '@berth/api';

interface Waiter {
  condition: WaitCondition;
  resolve(result: ContainerWaitResponse): void;
}

/** Callers blocked in `wait` until a container exits or is removed (moby's State.Wait). */
export class ExitWaiters {
  private readonly waiting = new Map<string, Waiter[]>();

  /** Rejects with the signal's reason once it aborts: the waiter is dropped, so a client that left leaves nothing behind. */
  add(id: string, condition: WaitCondition, signal?: AbortSignal): Promise<ContainerWaitResponse> {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason as Error);
      const onAbort = (): void => {
        this.remove(id, waiter);
        reject(signal!.reason as Error);
      };
      const waiter: Waiter = {
        condition,
        resolve: (result) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(result);
        },
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      const list = this.waiting.get(id) ?? [];
      list.push(waiter);
      this.waiting.set(id, list);
    });
  }

  /** How many callers wait, on one container or on all. */
  count(id?: string): number {
    if (id !== undefined) return this.waiting.get(id)?.length ?? 0;
    let total = 0;
    for (const list of this.waiting.values()) total += list.length;
    return total;
  }

  /** The container exited: wakes everyone but those waiting for its removal. */
  exited(id: string, result: ContainerWaitResponse): void {
    this.wake(id, result, (w) => w.condition !== 'removed');
  }

  /** The container is gone: wakes everyone still waiting. */
  removed(id: string, result: ContainerWaitResponse): void {
    this.wake(id, result, () => true);
  }

  private remove(id: string, waiter: Waiter): void {
    const staying = (this.waiting.get(id) ?? []).filter((w) => w !== waiter);
    if (staying.length) this.waiting.set(id, staying);
    else this.waiting.delete(id);
  }

  private wake(id: string, result: ContainerWaitResponse, which: (w: Waiter) => boolean): void {
    const list = this.waiting.get(id) ?? [];
    const staying = list.filter((w) => !which(w));
    for (const w of list) if (which(w)) w.resolve(result);
    if (staying.length) this.waiting.set(id, staying);
    else this.waiting.delete(id);
  }
}
