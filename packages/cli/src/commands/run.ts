import type { Command } from 'commander';
import type { CommandContext } from '../context.js';
import { buildRunConfig, withContainerConfigOptions, type RunOptions } from '../run-config.js';
import { applyPolicyFlags, withPolicyOptions, type PolicyFlags } from '../policy-flags.js';
import { reportRunFailure } from '../run-failure.js';
import { windowsOnlyFlag } from '../resource-flags.js';
import { createContainer } from '../create-container.js';
import { applyApiSocket, checkPullFlag, withCreateOptions, type CreateFlags } from '../create-flags.js';
import { localhostDnsWarnings } from '../network-flags.js';
import { terminalSize } from '../terminal-size.js';
import { startAttached } from '../attached-start.js';
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

function runAttached(ctx: CommandContext, id: string, config: ContainerCreateRequest, options: RunFlags): Promise<number> {
  const how = {
    tty: Boolean(config.Tty),
    stdin: Boolean(config.AttachStdin),
    stdout: Boolean(config.AttachStdout),
    stderr: Boolean(config.AttachStderr),
    // As docker, config.json's detachKeys stand in for a missing --detach-keys.
    detachKeys: options.detachKeys || ctx.settings().detachKeys,
    autoRemove: Boolean(options.rm),
    sigProxy: options.sigProxy !== false,
  };
  return startAttached(ctx, id, how, (err) => reportRunFailure(ctx, err));
}
