import { createHash } from 'node:crypto';
import type { ImageRunConfig } from '@berth/oci';

/** What identifies a step's result: the parent image, the history line, the resulting config and, for COPY/ADD, the sources' checksum. */
export interface StepIdentity {
  parent: string | null;
  createdBy: string;
  config: ImageRunConfig;
  author?: string;
  checksum?: string;
}

/** The cache key of a step: equal identities make equal keys, any difference another key. */
export function stepKey(step: StepIdentity): string {
  const canonical = JSON.stringify([step.parent, step.createdBy, canonicalJson(step.config), step.author ?? null, step.checksum ?? null]);
  return `sha256:${createHash('sha256').update(canonical).digest('hex')}`;
}

/** Objects with their keys sorted, so two equal configs built in different orders hash alike. */
function canonicalJson(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonicalJson);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([k, v]) => [k, canonicalJson(v)]),
  );
}
