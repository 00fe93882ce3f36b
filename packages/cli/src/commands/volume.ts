import { Option, type Command } from 'commander';
import { InvalidArgumentError, type Volume } from '@berth/api';
import type { CommandContext } from '../context.js';
import { defineInspect } from '../inspect-each.js';
import { collect, filtersOf } from '../repeatable-flags.js';
import { forEachContainer } from '../each-container.js';
import { humanSize } from '../format/human-size.js';
import { checkListFormat, formatList, joinLabels, labelHeader, type Headers } from '../format/list-format.js';
import { confirm } from '../prompt.js';
import { pruneVolumes, printPruned, printReclaimed } from '../prune/prune-runs.js';
import { LIST_FORMAT_HELP } from '../format/format-help.js';

/** `--label k=v` / `--opt k=v` flags as a map; a bare key gets an empty value, as in docker. */
function keyValues(flags: string[]): Record<string, string> {
  return Object.fromEntries(flags.map((flag) => (flag.includes('=') ? [flag.slice(0, flag.indexOf('=')), flag.slice(flag.indexOf('=') + 1)] : [flag, ''])));
}

const DEFAULT_VOLUME_TABLE = 'table {{.Driver}}\t{{.Name}}';
const VOLUME_HEADERS: Headers = {
  Availability: 'AVAILABILITY',
  Driver: 'DRIVER',
  Group: 'GROUP',
  Label: labelHeader,
  Labels: 'LABELS',
  Links: 'LINKS',
  Mountpoint: 'MOUNTPOINT',
  Name: 'VOLUME NAME',
  Scope: 'SCOPE',
  Size: 'SIZE',
  Status: 'STATUS',
};

/** The fields `volume ls --format` offers, as docker's volume formatter renders them. */
function volumeFields(volume: Volume): object {
  const labels = volume.Labels ?? {};
  const usage = volume.UsageData;
  return {
    Availability: 'N/A',
    Driver: volume.Driver,
    Group: 'N/A',
    Label: (name: string) => labels[name] ?? '',
    Labels: joinLabels(labels),
    Links: usage ? String(usage.RefCount) : 'N/A',
    Mountpoint: volume.Mountpoint,
    Name: volume.Name,
    Scope: volume.Scope,
    Size: usage && usage.Size !== -1 ? humanSize(usage.Size, 4) : 'N/A',
    Status: 'N/A',
  };
}

/** `berth volume create|ls|inspect|rm|prune`. */
export function registerVolume(program: Command, ctx: CommandContext): void {
  const volume = program.command('volume').description('Manage volumes');

  volume
    .command('create')
    .description('Create a volume')
    .argument('[volume]')
    .option('-d, --driver <string>', 'Specify volume driver name (default "local")', 'local')
    .option('--label <list>', 'Set metadata for a volume', collect, [])
    .option('-o, --opt <map>', 'Set driver specific options (default map[])', collect, [])
    .addOption(new Option('--name <string>', 'Specify volume name').hideHelp())
    .action(async (name: string | undefined, options: { driver: string; label: string[]; opt: string[]; name?: string }) => {
      if (name && options.name && name !== options.name) {
        throw new InvalidArgumentError(`conflicting options: either specify --name or provide positional arg, not both`);
      }
      const created = await ctx.client().createVolume({
        Name: name ?? options.name ?? '',
        Driver: options.driver,
        DriverOpts: keyValues(options.opt),
        Labels: keyValues(options.label),
      });
      ctx.out(`${created.Name}\n`);
    });

  volume
    .command('ls')
    .alias('list')
    .description('List volumes')
    .option('-q, --quiet', 'Only display volume names')
    .option('-f, --filter <filter>', 'Provide filter values (e.g. "dangling=true")', collect, [])
    .option('--format <string>', LIST_FORMAT_HELP)
    .action(async (options: { quiet?: boolean; filter: string[]; format?: string }) => {
      checkListFormat(options.format);
      const { Volumes } = await ctx.client().listVolumes(filtersOf(options.filter));
      const sorted = [...Volumes].sort((a, b) => a.Name.localeCompare(b.Name));
      if (options.quiet) {
        for (const v of sorted) ctx.out(`${v.Name}\n`);
        return;
      }
      ctx.out(formatList(sorted.map(volumeFields), options.format || DEFAULT_VOLUME_TABLE, VOLUME_HEADERS, DEFAULT_VOLUME_TABLE));
    });

  defineInspect(volume, 'volume', ctx, (name) => ctx.client().inspectVolume(name));

  volume
    .command('rm')
    .alias('remove')
    .summary('Remove one or more volumes')
    .description('Remove one or more volumes. You cannot remove a volume that is in use by a container.')
    .argument('<volume...>')
    .option('-f, --force', 'Force the removal of one or more volumes')
    .action(async (names: string[], options: { force?: boolean }) => {
      ctx.exitCode = await forEachContainer(ctx, names, (name) => ctx.client().removeVolume(name, { force: options.force }));
    });

  volume
    .command('prune')
    .description('Remove unused local volumes')
    .option('-a, --all', 'Remove all unused volumes, not just anonymous ones')
    .option('-f, --force', 'Do not prompt for confirmation')
    .option('--filter <filter>', 'Provide filter values (e.g. "label=<label>")', collect, [])
    .action(async (options: { all?: boolean; force?: boolean; filter: string[] }) => {
      const filters = filtersOf(options.filter, '--filter');
      const what = options.all ? 'all local volumes' : 'anonymous local volumes';
      if (!options.force && !(await confirm(ctx.io, `WARNING! This will remove ${what} not used by at least one container.\nAre you sure you want to continue?`))) return;
      const pruned = await pruneVolumes(ctx, filters, Boolean(options.all));
      printPruned(ctx, pruned);
      printReclaimed(ctx, pruned.space);
    });
}
