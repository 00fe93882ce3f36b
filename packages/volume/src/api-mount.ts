import { posix } from 'node:path';
import { InvalidArgumentError, type Mount } from '@berth/api';
import { validateTarget } from './bind-spec.js';
import { cleanPath, emptySpec, PROPAGATION_MODES, type MountSpec } from './mount-spec.js';
import { validateVolumeName } from './names.js';

interface BindOptions { Propagation?: string }
interface VolumeOptions { NoCopy?: boolean; Labels?: Record<string, string>; DriverConfig?: { Name?: string; Options?: Record<string, string> } }
interface TmpfsOptions { SizeBytes?: number; Mode?: number }

function invalid(type: string, reason: string): InvalidArgumentError {
  return new InvalidArgumentError(`invalid mount config for type "${type}": ${reason}`);
}

/** Validates one HostConfig.Mounts entry (`--mount`) and normalises it; bind sources are checked by the caller. */
export function specFromApiMount(m: Mount): MountSpec {
  const type = m.Type ?? '';
  if (type !== 'bind' && type !== 'volume' && type !== 'tmpfs') throw new InvalidArgumentError(`mount type unknown: "${type}"`);
  if (!m.Target) throw invalid(type, 'field Target must not be empty');
  validateTarget(m.Target, type);
  const spec: MountSpec = { ...emptySpec(type, cleanPath(m.Target)), readOnly: m.ReadOnly ?? false };
  if (type !== 'bind' && m.BindOptions) throw invalid(type, `field BindOptions must not be specified`);
  if (type !== 'volume' && m.VolumeOptions) throw invalid(type, `field VolumeOptions must not be specified`);
  if (type !== 'tmpfs' && m.TmpfsOptions) throw invalid(type, `field TmpfsOptions must not be specified`);
  if (type === 'bind') {
    if (!m.Source) throw invalid(type, 'field Source must not be empty');
    if (!posix.isAbsolute(m.Source)) throw invalid(type, `invalid mount path: '${m.Source}' mount path must be absolute`);
    spec.source = cleanPath(m.Source);
    const propagation = (m.BindOptions as BindOptions | undefined)?.Propagation;
    if (propagation) {
      if (!PROPAGATION_MODES.has(propagation)) throw invalid(type, `invalid propagation mode: ${propagation}`);
      spec.propagation = propagation;
    }
  } else if (type === 'volume') {
    const options = (m.VolumeOptions ?? {}) as VolumeOptions;
    if (m.Source) validateVolumeName(m.Source);
    spec.source = m.Source ?? '';
    spec.noCopy = options.NoCopy ?? false;
    spec.volumeLabels = options.Labels ?? {};
    spec.driverOpts = options.DriverConfig?.Options ?? {};
    const driver = options.DriverConfig?.Name;
    if (driver && driver !== 'local') throw new InvalidArgumentError(`error looking up volume plugin ${driver}: plugin "${driver}" not found`);
  } else {
    if (m.Source) throw invalid(type, 'field Source must not be specified');
    const options = (m.TmpfsOptions ?? {}) as TmpfsOptions;
    if (options.SizeBytes !== undefined) {
      if (!Number.isInteger(options.SizeBytes) || options.SizeBytes < 0) throw invalid(type, `invalid tmpfs size: ${options.SizeBytes}`);
      if (options.SizeBytes > 0) spec.tmpfsOptions.push(`size=${options.SizeBytes}`);
    }
    if (options.Mode !== undefined && options.Mode !== 0) spec.tmpfsOptions.push(`mode=${(options.Mode & 0o7777).toString(8)}`);
  }
  return spec;
}
