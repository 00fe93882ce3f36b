import { readFileSync } from 'node:fs';
import { capabilitiesFromMask } from './capabilities.js';

/** Capability names in the bounding set of a /proc/<pid>/status text. */
export function boundingSetFromStatus(status: string): string[] {
  const match = /^CapBnd:\s*([0-9a-fA-F]+)\s*$/m.exec(status);
  if (!match) throw new Error('no CapBnd line in process status');
  return capabilitiesFromMask(match[1]);
}

/** The engine's own bounding set: the most any container started by it can hold. */
export function readHostBoundingSet(): string[] {
  return boundingSetFromStatus(readFileSync('/proc/self/status', 'utf8'));
}
