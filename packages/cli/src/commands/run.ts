import type { Command } from 'commander';
import { isDaemonError } from '@berth/client';
import type { CommandContext } from '../context.js';
import { describeError } from '../error-message.js';
import { buildRunConfig, withContainerConfigOptions, type RunOptions } from '../run-config.js';
import { applyPolicyFlags, withPolicyOptions, type PolicyFlags } from '../policy-flags.js';
import { reportRunFailure } from '../run-failure.js';
import { windowsOnlyFlag } from '../resource-flags.js';
import { createContainer } from '../create-container.js';
import { applyApiSocket, checkPullFlag, withCreateOptions, type CreateFlags } from '../create-flags.js';
import { localhostDnsWarnings } from '../network-flags.js';
import { proxySignals } from '../signal-proxy.js';
import { forwardStdin } from '../stdin-forwarding.js';
import { forwardTerminalSize, terminalSize } from '../terminal-size.js';
import { watchDetachKeys } from '../detach-watch.js';
import type { ContainerCreateRequest } from '@berth/api';

type RunFlags = RunOptions & PolicyFlags & CreateFlags & { detachKeys?: string; sigProxy?: boolean };

export function registerRun(program: Command, ctx: CommandContext): void {
  const run = withCreateOptions(withPolicyOptions(program.command('run')), 'run', ctx.env)
    .description('Create and run a new container from an image')
    .usage('[OPTIONS] IMAGE [COMMAND] [ARG...]')
    // -h is --hostname here, as in docker, whose run and create then list their --help.
    .helpOption('--help', 'Print usage')
    .argument('<image>')
    .argument('[command...]')
    .option('-d, --detach', 'Run container in background and print container ID')
    .option('--detach-keys <string>', 'Override the key sequence for detaching a container')
    .option('--sig-proxy', 'Proxy received signals to the process (default true)', true);
  withContainerConfigOptions(run)
    // Everything after IMAGE belongs to the container's command, flags included.
    .passThroughOptions()
    .action(async (image: string, command: string[], options: RunFlags) => {
      ctx.exitCode = await runContainer(ctx, image, command, options);
    });
}

/** docker's run: create, then (unless detached) attach and arm the wait before starting, then wait. */
async function runContainer(ctx: CommandContext, image: string, command: string[], options: RunFlags): Promise<number> {
  let config: ContainerCreateRequest;
  try {
    const windowsOnly = windowsOnlyFlag(options);
    if (windowsOnly) {
      ctx.err(`${windowsOnly}\n`);
      return 1;
    }
    checkPullFlag(options);
    config = applyPolicyFlags(buildRunConfig(image, command, options, ctx.env), options);
  } catch (err) {
    return reportRunFailure(ctx, err);
  }
  if (options.detach && options.attach?.length) {
    ctx.err('conflicting options: cannot specify both --attach and --detach\n');
    return 1;
  }
  if (config.Tty && config.AttachStdin && !ctx.io.stdin.isTTY) {
    ctx.err('the input device is not a TTY\n');
    return 1;
  }
  const client = ctx.client();
  let id: string;
  try {
    await applyApiSocket(ctx, config, options);
    const size = options.tty ? terminalSize(ctx.io.stdout) : undefined;
    if (size) config.HostConfig = { ...config.HostConfig, ConsoleSize: size };
    const created = await createContainer(ctx, config, options);
    for (const warning of [...(created.Warnings ?? []), ...localhostDnsWarnings(config)]) ctx.err(`WARNING: ${warning}\n`);
    id = created.Id;
  } catch (err) {
    return reportRunFailure(ctx, err);
  }
  try {
    if (!options.detach) return await runAttached(ctx, id, config, options);
    await client.startContainer(id);
    ctx.out(`${id}\n`);
    return 0;
  } catch (err) {
    return reportRunFailure(ctx, err);
  }
}

async function runAttached(ctx: CommandContext, id: string, config: ContainerCreateRequest, options: RunFlags): Promise<number> {
  const client = ctx.client();
  const tty = Boolean(config.Tty);
  const stdin = Boolean(config.AttachStdin);
  // As docker, config.json's detachKeys stand in for a missing --detach-keys.
  const detachKeys = options.detachKeys || ctx.settings().detachKeys;
  const attachment = await client.attachContainer(id, { stream: true, stdin, stdout: Boolean(config.AttachStdout), stderr: Boolean(config.AttachStderr), tty, detachKeys });
  // Failures on the connection show up in the output copy or the wait; the socket itself must not throw.
  attachment.socket.on('error', () => undefined);
  const pending = await client.beginWait(id, options.rm ? 'removed' : 'next-exit');
  const output = attachment.copyOutput(ctx.io.stdout, ctx.io.stderr);
  const input = stdin ? forwardStdin(ctx.io.stdin, attachment.socket, tty) : undefined;
  const signals = tty || options.sigProxy === false ? undefined : proxySignals(client, id);
  const detach = tty && stdin ? watchDetachKeys(ctx.io.stdin, detachKeys) : undefined;
  let size: { stop(): void } | undefined;
  try {
    try {
      await client.startContainer(id);
      if (tty) size = forwardTerminalSize(ctx.io.stdout, (h, w) => client.resizeContainer(id, h, w));
    } catch (err) {
      attachment.socket.destroy();
      await output.catch(() => undefined);
      // With --rm the daemon removes a container that failed to start; return once it is gone.
      if (options.rm) await pending.result.catch(() => undefined);
      return reportRunFailure(ctx, err);
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
