import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { ConflictError, InvalidArgumentError } from '@berth/api';
import type { BundleSpec } from './runtime-driver.js';

/** conmon's ctl message type for a terminal resize ("<type> <height> <width>\n"). */
const RESIZE_MESSAGE = 1;

/** Asks conmon to resize the container's terminal by writing to `<bundle>/ctl`. */
export async function resizeTerminal(spec: BundleSpec, height: number, width: number): Promise<void> {
  if (!Number.isInteger(height) || !Number.isInteger(width) || height < 0 || width < 0) {
    throw new InvalidArgumentError(`invalid terminal size ${height}x${width}`);
  }
  let fifo;
  try {
    // Non-blocking: with no conmon reading, open fails with ENXIO instead of hanging.
    fifo = await open(join(spec.bundleDir, 'ctl'), constants.O_WRONLY | constants.O_NONBLOCK);
  } catch (err) {
    throw new ConflictError(`container ${spec.id} is not running: cannot resize its terminal`, { cause: err });
  }
  try {
    await fifo.write(`${RESIZE_MESSAGE} ${height} ${width}\n`);
  } finally {
    await fifo.close();
  }
}
