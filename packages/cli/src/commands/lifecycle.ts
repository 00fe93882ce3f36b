import { Option, type Command } from 'commander';
import type { CommandContext } from '../context.js';
import { forEachContainer } from '../each-container.js';
import { describeError } from '../error-message.js';
import { startAttached } from '../attached-start.js';
import { InvalidArgumentError } from '@berth/api';

interface StartOptions {
  attach?: boolean;
  interactive?: boolean;
  detachKeys?: string;
}

/**
 * `start -a`/`-i`, as docker's: one container, its output (and with -i its input, when it was created with -i)
 * joined before it starts, the CLI's status the container's.
 */
async function startAttachedContainer(ctx: CommandContext, names: string[], options: StartOptions): Promise<number> {
  if (names.length > 1) throw new InvalidArgumentError('you cannot start and attach multiple containers at once');
  const container = await ctx.client().inspectContainer(names[0]!);
  const how = {
    tty: Boolean(container.Config?.Tty),
    stdin: Boolean(options.interactive && container.Config?.OpenStdin),
    stdout: true,
    stderr: true,
    // As docker, config.json's detachKeys stand in for a missing --detach-keys.
    detachKeys: options.detachKeys || ctx.settings().detachKeys,
    autoRemove: Boolean(container.HostConfig?.AutoRemove),
    sigProxy: true,
  };
  return startAttached(ctx, container.Id, how, (err) => {
    ctx.err(`${describeError(err)}\n`);
    return 1;
  });
}

/** start, stop, kill and wait: one API call per container, its name (or exit code) printed on success. */
export function registerLifecycle(program: Command, ctx: CommandContext): void {
  program
    .command('start')
    .description('Start one or more stopped containers')
    .usage('[OPTIONS] CONTAINER [CONTAINER...]')
    .argument('<container...>')
    .option('-a, --attach', 'Attach STDOUT/STDERR and forward signals')
    .option('--detach-keys <string>', 'Override the key sequence for detaching a container')
    .option('-i, --interactive', "Attach container's STDIN")
    .action(async (names: string[], options: StartOptions) => {
      if (options.attach || options.interactive) {
        ctx.exitCode = await startAttachedContainer(ctx, names, options);
        return;
      }
      // As docker's start: each failure as it happens, then one line naming them all.
      const failed: string[] = [];
      for (const name of names) {
        try {
          await ctx.client().startContainer(name);
          ctx.out(`${name}\n`);
        } catch (err) {
          ctx.err(`${describeError(err)}\n`);
          failed.push(name);
        }
      }
      if (failed.length) throw new Error(`Error: failed to start containers: ${failed.join(', ')}`);
    });

  program
    .command('stop')
    .description('Stop one or more running containers')
    .argument('<container...>')
    .option('-t, --timeout <int>', 'Seconds to wait before killing the container')
    .addOption(new Option('--time <int>', 'Seconds to wait before killing the container (deprecated: use --timeout)').hideHelp())
    .option('-s, --signal <string>', 'Signal to send to the container')
    .action(async (names: string[], options: { timeout?: string; time?: string; signal?: string }) => {
      const seconds = options.timeout ?? options.time;
      const timeout = seconds === undefined ? undefined : Number(seconds);
      ctx.exitCode = await forEachContainer(ctx, names, (name) => ctx.client().stopContainer(name, { timeout, signal: options.signal }));
    });

  program
    .command('kill')
    .description('Kill one or more running containers')
    .argument('<container...>')
    .option('-s, --signal <string>', 'Signal to send to the container')
    .action(async (names: string[], options: { signal?: string }) => {
      ctx.exitCode = await forEachContainer(ctx, names, (name) => ctx.client().killContainer(name, options.signal));
    });

  program
    .command('wait')
    .description('Block until one or more containers stop, then print their exit codes')
    .argument('<container...>')
    .action(async (names: string[]) => {
      ctx.exitCode = await forEachContainer(ctx, names, async (name) => String((await ctx.client().waitContainer(name)).StatusCode));
    });
}
