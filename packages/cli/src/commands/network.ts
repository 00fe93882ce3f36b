import type { Command } from 'commander';
import { InvalidArgumentError, NotFoundError, type EndpointRequest, type NetworkCreateRequest } from '@berth/api';
import type { CommandContext } from '../context.js';
import { describeError } from '../error-message.js';
import { FlagValueError, validateEach } from '../flag-value-error.js';
import { checkTemplate } from '../format/go-template.js';
import { naturalCompare } from '../format/natural-order.js';
import { DEFAULT_NETWORK_TABLE, formatNetworks, networkTemplateData } from '../format/network-table.js';
import { truncateId } from '../format/ids.js';
import { inspectEach } from '../inspect-each.js';
import { ipamConfig, keyValueMap, type IpamFlags } from '../ipam-flags.js';
import { EMPTY_ENDPOINT_STATE, validateLink } from '../network-flags.js';
import { confirm } from '../prompt.js';
import { collect, filtersOf, validateLabel } from '../repeatable-flags.js';
import { pruneNetworks, printPruned } from '../prune/prune-runs.js';
import { INSPECT_FORMAT_HELP, LIST_FORMAT_HELP } from '../format/format-help.js';

/** pflag's string-slice flags: each value is a comma-separated list. */
const collectList = (value: string, previous: string[]): string[] => [...previous, ...value.split(',')];

interface CreateOptions extends IpamFlags {
  driver: string;
  opt: string[];
  label: string[];
  internal?: boolean;
  ipv6?: boolean;
  attachable?: boolean;
  ingress?: boolean;
  scope: string;
  configOnly?: boolean;
  configFrom?: string;
}

/** The body docker CLI 28 sends for `network create`, field for field. */
export function networkCreateRequest(name: string, options: CreateOptions): NetworkCreateRequest {
  return {
    Driver: options.driver,
    Scope: options.scope,
    ...(options.ipv6 ? { EnableIPv6: true } : {}),
    IPAM: ipamConfig(options),
    Internal: Boolean(options.internal),
    Attachable: Boolean(options.attachable),
    Ingress: Boolean(options.ingress),
    ConfigOnly: Boolean(options.configOnly),
    ConfigFrom: options.configFrom ? { Network: options.configFrom } : null,
    Options: keyValueMap(options.opt),
    Labels: keyValueMap(validateEach('--label', options.label, validateLabel)),
    Name: name,
  };
}

interface ConnectOptions {
  alias: string[];
  ip?: string;
  ip6?: string;
  link: string[];
  linkLocalIp: string[];
  driverOpt: string[];
  gwPriority: string;
}

/** The endpoint docker CLI 28 sends for `network connect`: IPAMConfig and Aliases always present. */
export function connectEndpoint(options: ConnectOptions): EndpointRequest {
  const driverOpts: Record<string, string> = {};
  for (const opt of options.driverOpt) {
    const eq = opt.indexOf('=');
    const key = (eq < 0 ? opt : opt.slice(0, eq)).trim();
    if (eq < 0 || key === '') throw new InvalidArgumentError('invalid key/value pair format in driver options');
    driverOpts[key] = opt.slice(eq + 1).trim();
  }
  if (!/^[+-]?\d+$/.test(options.gwPriority)) {
    throw new FlagValueError('--gw-priority', options.gwPriority, `strconv.ParseInt: parsing "${options.gwPriority}": invalid syntax`);
  }
  const links = validateEach('--link', options.link, validateLink);
  return {
    IPAMConfig: {
      ...(options.ip ? { IPv4Address: options.ip } : {}),
      ...(options.ip6 ? { IPv6Address: options.ip6 } : {}),
      ...(options.linkLocalIp.length ? { LinkLocalIPs: options.linkLocalIp } : {}),
    },
    Links: links.length ? links : null,
    Aliases: options.alias,
    MacAddress: '',
    DriverOpts: driverOpts,
    GwPriority: Number(options.gwPriority),
    ...EMPTY_ENDPOINT_STATE,
  };
}

/** `berth network connect|create|disconnect|inspect|ls|prune|rm`. */
export function registerNetwork(program: Command, ctx: CommandContext): void {
  const network = program.command('network').description('Manage networks').usage('COMMAND');

  network
    .command('connect')
    .description('Connect a container to a network')
    .usage('[OPTIONS] NETWORK CONTAINER')
    .argument('<network>')
    .argument('<container>')
    .option('--alias <strings>', 'Add network-scoped alias for the container', collectList, [])
    .option('--driver-opt <strings>', 'driver options for the network', collectList, [])
    .option('--gw-priority <int>', 'Highest gw-priority provides the default gateway. Accepts positive and negative values.', '0')
    .option('--ip <string>', 'IPv4 address (e.g., "172.30.100.104")')
    .option('--ip6 <string>', 'IPv6 address (e.g., "2001:db8::33")')
    .option('--link <list>', 'Add link to another container', collect, [])
    .option('--link-local-ip <strings>', 'Add a link-local address for the container', collectList, [])
    .action(async (name: string, container: string, options: ConnectOptions) => {
      await ctx.client().connectNetwork(name, { Container: container, EndpointConfig: connectEndpoint(options) });
    });

  network
    .command('create')
    .description('Create a network')
    .usage('[OPTIONS] NETWORK')
    .argument('<network>')
    .option('--attachable', 'Enable manual container attachment')
    .option('--aux-address <map>', 'Auxiliary IPv4 or IPv6 addresses used by Network driver (default map[])', collect, [])
    .option('--config-from <string>', 'The network from which to copy the configuration')
    .option('--config-only', 'Create a configuration only network')
    .option('-d, --driver <string>', 'Driver to manage the Network (default "bridge")', 'bridge')
    .option('--gateway <strings>', 'IPv4 or IPv6 Gateway for the master subnet', collectList, [])
    .option('--ingress', 'Create swarm routing-mesh network')
    .option('--internal', 'Restrict external access to the network')
    .option('--ip-range <strings>', 'Allocate container ip from a sub-range', collectList, [])
    .option('--ipam-driver <string>', 'IP Address Management Driver (default "default")', 'default')
    .option('--ipam-opt <map>', 'Set IPAM driver specific options (default map[])', collect, [])
    .option('--ipv6', 'Enable or disable IPv6 address assignment')
    .option('--label <list>', 'Set metadata on a network', collect, [])
    .option('-o, --opt <map>', 'Set driver specific options (default map[])', collect, [])
    .option('--scope <string>', "Control the network's scope", '')
    .option('--subnet <strings>', 'Subnet in CIDR format that represents a network segment', collectList, [])
    .action(async (name: string, options: CreateOptions) => {
      const created = await ctx.client().createNetwork(networkCreateRequest(name, options));
      ctx.out(`${created.Id}\n`);
    });

  network
    .command('disconnect')
    .description('Disconnect a container from a network')
    .usage('[OPTIONS] NETWORK CONTAINER')
    .argument('<network>')
    .argument('<container>')
    .option('-f, --force', 'Force the container to disconnect from a network')
    .action(async (name: string, container: string, options: { force?: boolean }) => {
      await ctx.client().disconnectNetwork(name, { Container: container, Force: Boolean(options.force) });
    });

  network
    .command('inspect')
    .description('Display detailed information on one or more networks')
    .usage('[OPTIONS] NETWORK [NETWORK...]')
    .argument('<network...>')
    .option('-f, --format <string>', INSPECT_FORMAT_HELP)
    .option('-v, --verbose', 'Verbose output for diagnostics')
    .action(async (names: string[], options: { format?: string; verbose?: boolean }) => {
      ctx.exitCode = await inspectEach(ctx, names, async (name) => networkTemplateData(await ctx.client().inspectNetwork(name, { verbose: options.verbose })), describeError, options.format);
    });

  network
    .command('ls')
    .alias('list')
    .description('List networks')
    .usage('[OPTIONS]')
    .option('-f, --filter <filter>', 'Provide filter values (e.g. "driver=bridge")', collect, [])
    .option('--format <string>', LIST_FORMAT_HELP)
    .option('--no-trunc', 'Do not truncate the output')
    .option('-q, --quiet', 'Only display network IDs')
    .action(async (options: { filter: string[]; format?: string; trunc: boolean; quiet?: boolean }) => {
      const format = options.format || DEFAULT_NETWORK_TABLE;
      if (format !== 'json') checkTemplate(format);
      const networks = (await ctx.client().listNetworks(filtersOf(options.filter))).sort((a, b) => naturalCompare(a.Name, b.Name));
      if (options.quiet && !options.format) {
        for (const n of networks) ctx.out(`${options.trunc ? truncateId(n.Id) : n.Id}\n`);
        return;
      }
      ctx.out(formatNetworks(networks, format, options.trunc));
    });

  network
    .command('prune')
    .description('Remove all unused networks')
    .usage('[OPTIONS]')
    .option('--filter <filter>', 'Provide filter values (e.g. "until=<timestamp>")', collect, [])
    .option('-f, --force', 'Do not prompt for confirmation')
    .action(async (options: { filter: string[]; force?: boolean }) => {
      // As docker, a bad filter is refused before the prompt.
      const filters = filtersOf(options.filter, '--filter');
      if (!options.force && !(await confirm(ctx.io, 'WARNING! This will remove all custom networks not used by at least one container.\nAre you sure you want to continue?'))) return;
      printPruned(ctx, await pruneNetworks(ctx, filters));
    });

  network
    .command('rm')
    .alias('remove')
    .description('Remove one or more networks')
    .usage('NETWORK [NETWORK...]')
    .argument('<network...>')
    .option('-f, --force', 'Do not error if the network does not exist')
    .action(async (names: string[], options: { force?: boolean }) => {
      let failed = false;
      for (const name of names) {
        try {
          await ctx.client().removeNetwork(name);
          ctx.out(`${name}\n`);
        } catch (err) {
          if (options.force && err instanceof NotFoundError) continue;
          ctx.err(`${describeError(err)}\n`);
          failed = true;
        }
      }
      if (failed) {
        // docker ends a partly failed rm with its status line.
        ctx.err('exit status 1\n');
        ctx.exitCode = 1;
      }
    });
}
