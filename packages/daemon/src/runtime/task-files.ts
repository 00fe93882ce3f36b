import { mkdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { prepareAtomicDir, replaceFile } from '@berth/layer';
import { serializeRuntimeSpec, type RuntimeSpec } from '@berth/oci';
import type { BundleSpec, TaskSpec } from './runtime-driver.js';

/**
 * The bundle's config.json, clearing the temp file of a bundle write an earlier daemon died in (conmon's own
 * dirs and stale files are create's: see launchConmon).
 */
export async function writeBundle(spec: TaskSpec, runtimeSpec: RuntimeSpec): Promise<void> {
  await mkdir(spec.bundleDir, { recursive: true, mode: 0o700 });
  await prepareAtomicDir(spec.bundleDir);
  // Durable: read back after its task is gone too (docker diff leaves out the mount points it names).
  await replaceFile(join(spec.bundleDir, 'config.json'), serializeRuntimeSpec(runtimeSpec), 0o600, { durable: true });
}

/** The runtime spec the container's task was created with. */
export async function readBundle(spec: BundleSpec): Promise<RuntimeSpec> {
  return JSON.parse(await readFile(join(spec.bundleDir, 'config.json'), 'utf8')) as RuntimeSpec;
}

/** What conmon kept for a task outside the container's dir: its persist dir and exit file. */
export async function removeTaskFiles(spec: Pick<TaskSpec, 'id' | 'exitDir' | 'persistDir'>): Promise<void> {
  await rm(spec.persistDir, { recursive: true, force: true });
  await rm(join(spec.exitDir, spec.id), { force: true });
}
