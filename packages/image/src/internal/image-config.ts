import { InvalidArgumentError } from '@berth/api';
import type { ImageConfig } from '@berth/oci';
import { chainIdOf } from '@berth/layer';
import { isDigest } from '@berth/reference';

/** Parses an image config and checks what the store relies on: the layer list and the platform. */
export function parseImageConfig(bytes: Buffer, source: string): ImageConfig {
  let value: unknown;
  try {
    value = JSON.parse(bytes.toString('utf8'));
  } catch (err) {
    throw new InvalidArgumentError(`invalid image config ${source}: not JSON`, { cause: err });
  }
  const config = value as Partial<ImageConfig> | null;
  const diffIds: unknown = config?.rootfs?.diff_ids;
  if (
    typeof config !== 'object' ||
    config === null ||
    config.rootfs?.type !== 'layers' ||
    !Array.isArray(diffIds) ||
    !diffIds.every((id) => typeof id === 'string' && isDigest(id))
  ) {
    throw new InvalidArgumentError(`invalid image config ${source}: rootfs.diff_ids must list layer digests`);
  }
  if (typeof config.os !== 'string' || typeof config.architecture !== 'string') {
    throw new InvalidArgumentError(`invalid image config ${source}: os and architecture are required`);
  }
  return config as ImageConfig;
}

/** The chain ID of each layer prefix, bottom first. */
export function chainIds(diffIds: readonly string[]): string[] {
  const chain: string[] = [];
  for (const diffId of diffIds) chain.push(chainIdOf(chain.at(-1) ?? null, diffId));
  return chain;
}
