import type { Command } from 'commander';
import { InvalidArgumentError, type ContainerUpdateRequest } from '@berth/api';
import type { CommandContext } from '../context.js';
import { collect, filtersOf } from '../repeatable-flags.js';
import { forEachContainer } from '../each-container.js';
import { defineInspect } from '../inspect-each.js';
import { describeError } from '../error-message.js';
import { FlagValueError } from '../flag-value-error.js';
import { checkListFormat } from '../format/list-format.js';
import { LIST_FORMAT_HELP } from '../format/format-help.js';
import { formatTable } from '../format/tabwriter.js';
import { parseIntFlag, parseNanoCpus, parseRamBytes, parseRestartFlag } from '../resource-flags.js';
import { defineAttach } from './attach.js';
import { defineCopy } from './cp.js';
import { defineExport } from './export.js';
import { definePs } from './ps.js';
import { confirm } from '../prompt.js';
import { pruneContainers, printPruned, printReclaimed } from '../prune/prune-runs.js';
import { runStats, type StatsOptions } from '../stats-display.js';

interface UpdateOptions {
  memory?: string;
  memorySwap?: string;
  cpus?: string;
  cpuShares?: string;
  cpuQuota?: string;
  cpuPeriod?: string;
  pidsLimit?: string;
  restart?: string;
}

/** A flag's value as docker's flag parser reads it: a bad one is a usage error naming the flag. */
function flagValue<T>(flag: string, text: string, parse: (text: string) => T): T {
  try {
    return parse(text);
  } catch (err) {
    throw err instanceof FlagValueError ? err : new FlagValueError(flag, text, (err as Error).message);
  }
}

function updateRequest(o: UpdateOptions): ContainerUpdateRequest {
  const body: ContainerUpdateRequest = {};
  if (o.memory !== undefined) body.Memory = flagValue('-m, --memory', o.memory, parseRamBytes);
  if (o.memorySwap !== undefined) body.MemorySwap = flagValue('--memory-swap', o.memorySwap, parseRamBytes);
  if (o.cpus !== undefined) body.NanoCpus = flagValue('--cpus', o.cpus, parseNanoCpus);
  if (o.cpuShares !== undefined) body.CpuShares = parseIntFlag(o.cpuShares, '-c, --cpu-shares');
  if (o.cpuQuota !== undefined) body.CpuQuota = parseIntFlag(o.cpuQuota, '--cpu-quota');
  if (o.cpuPeriod !== undefined) body.CpuPeriod = parseIntFlag(o.cpuPeriod, '--cpu-period');
  if (o.pidsLimit !== undefined) body.PidsLimit = parseIntFlag(o.pidsLimit, '--pids-limit');
  if (o.restart !== undefined) body.RestartPolicy = parseRestartFlag(o.restart);
  // As docker, before asking the daemon anything.
  if (Object.keys(body).length === 0) throw new InvalidArgumentError('you must provide one or more flags when using this command');
  return body;
}

/** docker diff's letters for a change's Kind. */
const CHANGE_KINDS = ['C', 'A', 'D'];

function defineDiff(parent: Command, name: string, ctx: CommandContext): void {
  parent
    .command(name)
    .description("Inspect changes to files or directories on a container's filesystem")
    .argument('<container>')
    .action(async (container: string) => {
      for (const change of await ctx.client().containerChanges(container)) ctx.out(`${CHANGE_KINDS[change.Kind]} ${change.Path}\n`);
    });
}

function defineStats(parent: Command, name: string, ctx: CommandContext): void {
  parent
    .command(name)
    .description("Display a live stream of container(s) resource usage statistics")
    .argument('[container...]')
    .option('-a, --all', 'Show all containers (default shows just running)')
    .option('--format <string>', LIST_FORMAT_HELP)
    .option('--no-stream', 'Disable streaming stats and only pull the first result')
    .option('--no-trunc', 'Do not truncate output')
    .action(async (names: string[], options: StatsOptions) => {
      checkListFormat(options.format);
      await runStats(ctx, names, options);
    });
}

/** restart, pause, unpause, rename, update, top, stats, diff, export, attach and cp, at the top level and in the `container` group. */
export function registerContainerOps(program: Command, ctx: CommandContext): void {
  program
    .command('restart')
    .description('Restart one or more containers')
    .argument('<container...>')
    .option('-t, --timeout <int>', 'Seconds to wait before killing the container')
    .option('-s, --signal <string>', 'Signal to send to the container')
    .action(async (names: string[], options: { timeout?: string; signal?: string }) => {
      const timeout = options.timeout === undefined ? undefined : parseIntFlag(options.timeout, '-t, --timeout');
      ctx.exitCode = await forEachContainer(ctx, names, (name) => ctx.client().restartContainer(name, { timeout, signal: options.signal }));
    });

  program
    .command('pause')
    .description('Pause all processes within one or more containers')
    .argument('<container...>')
    .action(async (names: string[]) => {
      ctx.exitCode = await forEachContainer(ctx, names, (name) => ctx.client().pauseContainer(name));
    });

  program
    .command('unpause')
    .description('Unpause all processes within one or more containers')
    .argument('<container...>')
    .action(async (names: string[]) => {
      ctx.exitCode = await forEachContainer(ctx, names, (name) => ctx.client().unpauseContainer(name));
    });

  program
    .command('rename')
    .description('Rename a container')
    .argument('<container>')
    .argument('<new-name>')
    .action(async (name: string, newName: string) => {
      try {
        await ctx.client().renameContainer(name, newName);
      } catch (err) {
        // docker prints the daemon's error, then its own.
        ctx.err(`${describeError(err)}\n`);
        throw new Error(`Error: failed to rename container named ${name}`);
      }
    });

  program
    .command('update')
    .description('Update configuration of one or more containers')
    .argument('<container...>')
    .option('-m, --memory <bytes>', 'Memory limit')
    .option('--memory-swap <bytes>', 'Swap limit equal to memory plus swap: -1 to enable unlimited swap')
    .option('--cpus <decimal>', 'Number of CPUs')
    .option('-c, --cpu-shares <int>', 'CPU shares (relative weight)')
    .option('--cpu-quota <int>', 'Limit CPU CFS (Completely Fair Scheduler) quota')
    .option('--cpu-period <int>', 'Limit CPU CFS (Completely Fair Scheduler) period')
    .option('--pids-limit <int>', 'Tune container pids limit (set -1 for unlimited)')
    .option('--restart <string>', 'Restart policy to apply when a container exits')
    .action(async (names: string[], options: UpdateOptions) => {
      const body = updateRequest(options);
      ctx.exitCode = await forEachContainer(ctx, names, async (name) => {
        const { Warnings } = await ctx.client().updateContainer(name, body);
        for (const warning of Warnings ?? []) ctx.err(`${warning}\n`);
      });
    });

  program
    .command('top')
    .description('Display the running processes of a container')
    .usage('CONTAINER [ps OPTIONS]')
    .argument('<container>')
    .argument('[ps-options...]')
    .passThroughOptions()
    .action(async (name: string, psOptions: string[]) => {
      const top = await ctx.client().topContainer(name, psOptions.length ? psOptions.join(' ') : undefined);
      ctx.out(formatTable([top.Titles, ...top.Processes]));
    });

  defineStats(program, 'stats', ctx);
  defineExport(program, 'export', ctx);
  defineAttach(program, 'attach', ctx);
  defineCopy(program, 'cp', ctx);
  defineDiff(program, 'diff', ctx);
}

/** What only the `container` group has: ls (ps), inspect of containers alone, and prune. */
export function defineContainerGroupCommands(container: Command, ctx: CommandContext): void {
  definePs(container, 'ls', ctx).alias('list').alias('ps');
  defineInspect(container, 'container', ctx, (name) => ctx.client().inspectContainer(name));
  container
    .command('prune')
    .description('Remove all stopped containers')
    .option('-f, --force', 'Do not prompt for confirmation')
    .option('--filter <filter>', 'Provide filter values (e.g. "until=<timestamp>")', collect, [])
    .action(async (options: { force?: boolean; filter: string[] }) => {
      const filters = filtersOf(options.filter, '--filter');
      if (!options.force && !(await confirm(ctx.io, 'WARNING! This will remove all stopped containers.\nAre you sure you want to continue?'))) return;
      const pruned = await pruneContainers(ctx, filters);
      printPruned(ctx, pruned);
      printReclaimed(ctx, pruned.space);
    });
}
