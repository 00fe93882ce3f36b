import type { ContainerWaitResponse } from '@berth/api';

export type WaitCondition = 'not-running' | 'next-exit' | 'removed';

interface Waiter {
  condition: WaitCondition;
  resolve(result: ContainerWaitResponse): void;
}

/** Callers blocked in `wait` until a container exits or is removed (moby's State.Wait). */
export class ExitWaiters {
  private readonly waiting = new Map<string, Waiter[]>();

  add(id: string, condition: WaitCondition): Promise<ContainerWaitResponse> {
    return new Promise((resolve) => {
      const list = this.waiting.get(id) ?? [];
      list.push({ condition, resolve });
      this.waiting.set(id, list);
    });
  }

  /** The container exited: wakes everyone but those waiting for its removal. */
  exited(id: string, result: ContainerWaitResponse): void {
    this.wake(id, result, (w) => w.condition !== 'removed');
  }

  /** The container is gone: wakes everyone still waiting. */
  removed(id: string, result: ContainerWaitResponse): void {
    this.wake(id, result, () => true);
  }

  private wake(id: string, result: ContainerWaitResponse, which: (w: Waiter) => boolean): void {
    const list = this.waiting.get(id) ?? [];
    const staying = list.filter((w) => !which(w));
    for (const w of list) if (which(w)) w.resolve(result);
    if (staying.length) this.waiting.set(id, staying);
    else this.waiting.delete(id);
  }
}
