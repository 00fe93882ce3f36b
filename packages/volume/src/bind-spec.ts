import { posix } from 'node:path';
import { InvalidArgumentError } from '@berth/api';
import { cleanPath, emptySpec, PROPAGATION_MODES, type MountSpec } from './mount-spec.js';
import { validateVolumeName } from './names.js';

const ACCESS_MODES = new Set(['ro', 'rw']);
const LABEL_MODES = new Set(['z', 'Z']);

function validMode(mode: string): boolean {
  const counts = { access: 0, label: 0, propagation: 0, copy: 0 };
  for (const part of mode.split(',')) {
    if (ACCESS_MODES.has(part)) counts.access++;
    else if (LABEL_MODES.has(part)) counts.label++;
    else if (PROPAGATION_MODES.has(part)) counts.propagation++;
    else if (part === 'nocopy') counts.copy++;
    else return false;
  }
  return Object.values(counts).every((n) => n <= 1);
}

/** Checks a container path the way moby's linux parser does. */
export function validateTarget(target: string, type: string): void {
  if (!posix.isAbsolute(target)) {
    throw new InvalidArgumentError(`invalid mount config for type "${type}": invalid mount path: '${target}' mount path must be absolute`);
  }
  if (cleanPath(target) === '/') throw new InvalidArgumentError('invalid specification: destination can\'t be \'/\'');
}

/**
 * Parses one `-v` / HostConfig.Binds entry: `name:/dst[:mode]`, `/host:/dst[:mode]`, or `/dst` (an anonymous
 * volume). Modes: ro|rw, z|Z, nocopy and a propagation mode, comma-separated.
 */
export function parseBind(spec: string): MountSpec {
  const parts = spec.split(':');
  if (parts.length > 3 || parts.some((p) => p === '')) throw new InvalidArgumentError(`invalid volume specification: '${spec}'`);
  if (parts.length === 1) {
    validateTarget(parts[0]!, 'volume');
    return { ...emptySpec('volume', cleanPath(parts[0]!)), createSource: true };
  }
  const [source, target, mode = ''] = parts as [string, string, string?];
  if (mode !== '' && !validMode(mode)) throw new InvalidArgumentError(`invalid mode: ${mode}`);
  const options = mode === '' ? [] : mode.split(',');
  const isBind = source.startsWith('/');
  const type = isBind ? 'bind' : 'volume';
  validateTarget(target, type);
  if (!isBind) validateVolumeName(source);
  const propagation = options.find((o) => PROPAGATION_MODES.has(o));
  if (!isBind && propagation) throw new InvalidArgumentError(`invalid mode: ${mode}`);
  return {
    ...emptySpec(type, cleanPath(target)),
    source: isBind ? cleanPath(source) : source,
    readOnly: options.includes('ro'),
    mode: isBind ? mode : mode || 'z',
    propagation: isBind ? (propagation ?? 'rprivate') : '',
    noCopy: options.includes('nocopy'),
    createSource: true,
  };
}
