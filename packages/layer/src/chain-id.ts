import { sha256Digest } from '@berth/reference';

/** ChainID of a layer (OCI image-spec config.md): its DiffID for a base layer, else sha256(parent + " " + diffID). */
export function chainIdOf(parentChainId: string | null, diffId: string): string {
  return parentChainId === null ? diffId : sha256Digest(`${parentChainId} ${diffId}`);
}
