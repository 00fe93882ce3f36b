import type { Command } from 'commander';
import { InvalidArgumentError, type ContainerInspect } from '@berth/api';
import { isDaemonError, type BerthClient } from '@berth/client';
import type { CommandContext } from '../context.js';
import { watchDetachKeys } from '../detach-watch.js';
import { describeError } from '../error-message.js';
import { proxySignals } from '../signal-proxy.js';
import { forwardStdin } from '../stdin-forwarding.js';
import { forwardTerminalSize } from '../terminal-size.js';

interface AttachFlags {
  detachKeys?: string;
  stdin: boolean;
  sigProxy: boolean;
}

/** `attach` and `container attach`: the local streams joined to a running container's, until it exits or the user detaches. */
export function defineAttach(parent: Command, name: string, ctx: CommandContext): void {
  parent
    .command(name)
    .description("Attach local standard input, output, and error streams to a running container")
    .argument('<container>')
    .option('--detach-keys <string>', 'Override the key sequence for detaching a container')
    .option('--no-stdin', 'Do not attach STDIN')
    .option('--sig-proxy', 'Proxy all received signals to the process (default true)', true)
    .action(async (container: string, flags: AttachFlags) => {
      ctx.exitCode = await attach(ctx, container, flags);
    });
}

/** docker's words for a container attach cannot join, checked before attaching and again after. */
async function attachableState(client: BerthClient, container: string): Promise<ContainerInspect> {
  const inspected = await client.inspectContainer(container);
  if (!inspected.State?.Running) throw new InvalidArgumentError('You cannot attach to a stopped container, start it first');
  if (inspected.State.Paused) throw new InvalidArgumentError('You cannot attach to a paused container, unpause it first');
  if (inspected.State.Restarting) throw new InvalidArgumentError('You cannot attach to a restarting container, wait until it is running');
  return inspected;
}

async function attach(ctx: CommandContext, container: string, flags: AttachFlags): Promise<number> {
  const client = ctx.client();
  // The wait is armed first, as docker's, so an exit right after attaching is not missed.
  const pending = await client.beginWait(container, 'not-running');
  const inspected = await attachableState(client, container);
  const tty = Boolean(inspected.Config?.Tty);
  if (tty && flags.stdin && !ctx.io.stdin.isTTY) throw new InvalidArgumentError('the input device is not a TTY');
  const withStdin = flags.stdin && Boolean(inspected.Config?.OpenStdin);
  const id = inspected.Id!;
  // As docker, config.json's detachKeys stand in for a missing --detach-keys.
  const detachKeys = flags.detachKeys || ctx.settings().detachKeys;
  const attachment = await client.attachContainer(id, { stream: true, stdin: withStdin, stdout: true, stderr: true, tty, detachKeys });
  // Failures on the connection show up in the output copy or the wait; the socket itself must not throw.
  attachment.socket.on('error', () => undefined);
  try {
    await attachableState(client, id);
  } catch (err) {
    attachment.socket.destroy();
    throw err;
  }
  const output = attachment.copyOutput(ctx.io.stdout, ctx.io.stderr);
  const stdin = withStdin ? forwardStdin(ctx.io.stdin, attachment.socket, tty) : undefined;
  const signals = flags.sigProxy && !tty ? proxySignals(client, id) : undefined;
  const detach = withStdin ? watchDetachKeys(ctx.io.stdin, detachKeys) : undefined;
  const size = tty ? forwardTerminalSize(ctx.io.stdout, (h, w) => client.resizeContainer(id, h, w)) : undefined;
  try {
    await output.catch((err: unknown) => {
      if (isDaemonError(err)) ctx.err(`${describeError(err)}\n`);
    });
    if (detach?.detached()) return 0;
    const status = await pending.result;
    if (status.Error?.Message) throw new Error(status.Error.Message);
    return status.StatusCode;
  } finally {
    stdin?.stop();
    signals?.stop();
    size?.stop();
    detach?.stop();
  }
}
