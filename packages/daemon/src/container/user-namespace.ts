import { containerOwnerOf, hostOwnerOf, type IdMappings, type OwnerMap } from '@berth/layer';
import type { ContainerRecord } from './record.js';

/** The user namespace mapping a container runs with: the daemon's `--userns-remap` one, unless it opted out with `--userns host`. */
export function userNamespaceOf(c: ContainerRecord, remap: IdMappings | undefined): IdMappings | undefined {
  return c.hostConfig.UsernsMode === 'host' ? undefined : remap;
}

/** Owners on disk as the container sees them (what its archives and commits record); none without a mapping. */
export function containerViewOwners(mappings: IdMappings | undefined): OwnerMap | undefined {
  return mappings && ((owner) => containerOwnerOf(mappings, owner));
}

/** Owners the container names as the host stores them (what `docker cp` into it writes); none without a mapping. */
export function hostViewOwners(mappings: IdMappings | undefined): OwnerMap | undefined {
  return mappings && ((owner) => hostOwnerOf(mappings, owner));
}
