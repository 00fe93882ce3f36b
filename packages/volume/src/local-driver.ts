import { InvalidArgumentError } from '@berth/api';

/** Options the local driver accepts (`docker volume create -o`), as in moby's volume/local. */
const LOCAL_OPTIONS = new Set(['type', 'device', 'o', 'size']);

export interface LocalMountOptions {
  type: string;
  device: string;
  o: string;
}

/** Checks `--opt` keys and their combination; returns what to mount, or undefined for a plain directory. */
export function localMountOptions(options: Record<string, string>): LocalMountOptions | undefined {
  for (const key of Object.keys(options)) {
    if (!LOCAL_OPTIONS.has(key)) throw new InvalidArgumentError(`invalid option: "${key}"`);
  }
  if (options.size !== undefined) throw new InvalidArgumentError('quota size requested but no quota support');
  const { type = '', device = '', o = '' } = options;
  if (type === '' && device === '' && o === '') return undefined;
  if (type === '' || device === '') {
    throw new InvalidArgumentError('missing required option: "type" and "device" must both be set');
  }
  const bind = o.split(',').some((opt) => opt === 'bind' || opt === 'rbind');
  if (bind && !device.startsWith('/')) throw new InvalidArgumentError(`invalid device for bind mount: "${device}" must be an absolute path`);
  return { type, device, o };
}
