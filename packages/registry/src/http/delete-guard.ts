import { RegistryError } from '../registry-error.js';
import type { RegistryRoutesOptions } from './handler.js';

/** UNSUPPORTED (405) unless deletion is enabled. */
export function refuseUnlessDeleteEnabled(options: RegistryRoutesOptions): void {
  if (!options.deleteEnabled) throw new RegistryError('UNSUPPORTED', 'The operation is unsupported.', { reason: 'deletion is disabled' });
}
