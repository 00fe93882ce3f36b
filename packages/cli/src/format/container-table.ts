import type { ContainerSummary } from '@berth/api';
import { ellipsis } from './ellipsis.js';
import { goQuote } from './go-quote.js';
import { timeAgo } from './human-duration.js';
import { truncateId } from './ids.js';
import { familiarName } from './image-reference.js';
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

export function containerTableRows(containers: ContainerSummary[], options: { truncate: boolean; now: number }): string[][] {
  return [CONTAINER_TABLE_HEADER, ...containers.map((container) => containerRow(container, options))];
}
