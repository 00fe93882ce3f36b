import type { ContainerSummary } from '@berth/api';
import { ellipsis } from './ellipsis.js';
import { goQuote } from './go-quote.js';
import { goTime } from './go-time.js';
import { timeAgo } from './human-duration.js';
import { humanSize } from './human-size.js';
import { truncateId } from './ids.js';
import { familiarName } from './image-reference.js';
import { joinLabels, labelHeader, type Headers } from './list-format.js';
import { displayPorts, type PortSummary } from './ports.js';

export const CONTAINER_TABLE_HEADER = ['CONTAINER ID', 'IMAGE', 'COMMAND', 'CREATED', 'STATUS', 'PORTS', 'NAMES'];

/** docker ps truncates the command to 20 columns unless --no-trunc. */
const COMMAND_WIDTH = 20;

export function containerId(container: ContainerSummary, truncate: boolean): string {
  return truncate ? truncateId(container.Id) : container.Id;
}

/** The IMAGE column: short id for images run by id, the digest dropped from name@digest. */
function imageColumn(container: ContainerSummary, truncate: boolean): string {
  if (!container.Image) return '<no image>';
  if (!truncate) return container.Image;
  if (container.ImageID && truncateId(container.ImageID) === truncateId(container.Image)) return truncateId(container.Image);
  const at = container.Image.indexOf('@');
  return familiarName(at === -1 ? container.Image : container.Image.slice(0, at));
}

/** The NAMES column: names without their leading "/"; truncated, the first that is not a link alias. */
function namesColumn(container: ContainerSummary, truncate: boolean): string {
  const names = (container.Names ?? []).map((name) => name.replace(/^\//, ''));
  const own = truncate ? names.find((name) => !name.includes('/')) : undefined;
  return own ?? names.join(',');
}

export function containerRow(container: ContainerSummary, options: { truncate: boolean; now: number }): string[] {
  const command = options.truncate ? ellipsis(container.Command, COMMAND_WIDTH) : container.Command;
  return [
    containerId(container, options.truncate),
    imageColumn(container, options.truncate),
    goQuote(command),
    timeAgo(container.Created, options.now),
    container.Status,
    displayPorts((container.Ports ?? []) as PortSummary[]),
    namesColumn(container, options.truncate),
  ];
}

/** `docker ps --format`'s default table. */
export const DEFAULT_CONTAINER_TABLE = 'table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.RunningFor}}\t{{.Status}}\t{{.Ports}}\t{{.Names}}';

export const CONTAINER_HEADERS: Headers = {
  Command: 'COMMAND',
  CreatedAt: 'CREATED AT',
  ID: 'CONTAINER ID',
  Image: 'IMAGE',
  Label: labelHeader,
  Labels: 'LABELS',
  LocalVolumes: 'LOCAL VOLUMES',
  Mounts: 'MOUNTS',
  Names: 'NAMES',
  Networks: 'NETWORKS',
  Platform: 'PLATFORM',
  Ports: 'PORTS',
  RunningFor: 'CREATED',
  Size: 'SIZE',
  State: 'STATE',
  Status: 'STATUS',
};

/** The fields `ps --format` offers, as docker's container formatter renders them (in its JSON's key order). */
export function containerFields(container: ContainerSummary, options: { truncate: boolean; now: number }): object {
  const [id, image, command, runningFor, status, ports, names] = containerRow(container, options);
  const labels = container.Labels ?? {};
  const mounts = container.Mounts ?? [];
  const size = humanSize(container.SizeRw ?? 0);
  return {
    Command: command,
    CreatedAt: goTime(new Date(container.Created * 1000).toISOString().replace('.000Z', 'Z')),
    ID: id,
    Image: image,
    Label: (name: string) => labels[name] ?? '',
    Labels: joinLabels(labels),
    LocalVolumes: String(mounts.filter((m) => m.Driver === 'local').length),
    Mounts: mounts.map((m) => (options.truncate ? ellipsis(m.Name || m.Source || '', 15) : m.Name || m.Source || '')).join(','),
    Names: names,
    Networks: Object.keys(container.NetworkSettings?.Networks ?? {})
      .sort()
      .join(','),
    // API 1.47 lists no platform; docker's field is then a nil pointer.
    Platform: null,
    Ports: ports,
    RunningFor: runningFor,
    Size: container.SizeRootFs ? `${size} (virtual ${humanSize(container.SizeRootFs)})` : size,
    State: container.State,
    Status: status,
  };
}

export function containerTableRows(containers: ContainerSummary[], options: { truncate: boolean; now: number }): string[][] {
  return [CONTAINER_TABLE_HEADER, ...containers.map((container) => containerRow(container, options))];
}
