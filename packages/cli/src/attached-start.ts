import { isDaemonError } from '@berth/client';
import type { CommandContext } from './context.js';
import { watchDetachKeys } from './detach-watch.js';
import { describeError } from './error-message.js';
import { proxySignals } from './signal-proxy.js';
import { forwardStdin } from './stdin-forwarding.js';
import { forwardTerminalSize } from './terminal-size.js';

/** Which streams to join and how, for `run` without -d and `start -a`. */
export interface AttachedStart {
  tty: boolean;
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
  detachKeys?: string;
  /** The daemon removes the container when it exits (--rm): the wait is for its removal. */
  autoRemove: boolean;
  /** Forward the CLI's signals to the container (never with a TTY, where the keys go through it). */
  sigProxy: boolean;
}

/**
 * docker's attached start: attach and arm the wait before starting, so no output and no exit is missed; then
 * copy the streams until the container ends or the user detaches. Returns the exit status to leave with: the
 * container's, 0 on a detach, 125 when the wait failed; a failed start is handed to `startFailed`.
 */
export async function startAttached(ctx: CommandContext, id: string, how: AttachedStart, startFailed: (err: unknown) => number): Promise<number> {
  const client = ctx.client();
  const { tty, stdin } = how;
  const attachment = await client.attachContainer(id, { stream: true, stdin, stdout: how.stdout, stderr: how.stderr, tty, detachKeys: how.detachKeys });
  // Failures on the connection show up in the output copy or the wait; the socket itself must not throw.
  attachment.socket.on('error', () => undefined);
  const pending = await client.beginWait(id, how.autoRemove ? 'removed' : 'next-exit');
  const output = attachment.copyOutput(ctx.io.stdout, ctx.io.stderr);
  const input = stdin ? forwardStdin(ctx.io.stdin, attachment.socket, tty) : undefined;
  const signals = tty || !how.sigProxy ? undefined : proxySignals(client, id);
  const detach = tty && stdin ? watchDetachKeys(ctx.io.stdin, how.detachKeys) : undefined;
  let size: { stop(): void } | undefined;
  try {
    try {
      await client.startContainer(id);
      if (tty) size = forwardTerminalSize(ctx.io.stdout, (h, w) => client.resizeContainer(id, h, w));
    } catch (err) {
      attachment.socket.destroy();
      await output.catch(() => undefined);
      // With --rm the daemon removes a container that failed to start; return once it is gone.
      if (how.autoRemove) await pending.result.catch(() => undefined);
      return startFailed(err);
    }
    await output.catch((err: unknown) => {
      if (isDaemonError(err)) ctx.err(`${describeError(err)}\n`);
    });
    if (detach?.detached()) return 0;
    const status = await pending.result;
    if (status.Error?.Message) {
      ctx.err(`berth: ${status.Error.Message}\n`);
      return 125;
    }
    return status.StatusCode;
  } finally {
    input?.stop();
    signals?.stop();
    size?.stop();
    detach?.stop();
  }
}
