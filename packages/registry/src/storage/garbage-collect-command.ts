import { loadRegistryConfig } from '../config.js';
import { FilesystemDriver } from './filesystem-driver.js';
import { garbageCollect } from './garbage-collect.js';

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** A Go-style duration of one unit (`90s`, `30m`, `1h`; a bare `0`), in milliseconds. */
export function parseGrace(value: string): number {
  const match = /^(\d+)(ms|s|m|h)?$/.exec(value);
  if (match === null || (match[2] === undefined && match[1] !== '0')) throw new Error(`--grace: not a duration such as 30m or 1h: ${JSON.stringify(value)}`);
  return Number(match[1]) * UNITS[match[2] ?? 'ms']!;
}

/** `berth-registry garbage-collect CONFIG`: prints what it deletes, one line each, then a summary; resolves to the exit code. */
export async function garbageCollectCommand(configPath: string, options: { dryRun?: boolean; deleteUntagged?: boolean; grace: string }): Promise<number> {
  try {
    const graceMs = parseGrace(options.grace);
    const { config, warnings } = await loadRegistryConfig(configPath);
    for (const warning of warnings) process.stderr.write(`berth-registry: warning: ${configPath}: ${warning}\n`);
    // It moves blob directories aside, which only the filesystem driver does in one rename.
    if (config.storage.s3) throw new Error('garbage collection of S3 storage is not supported yet');
    const report = await garbageCollect(new FilesystemDriver(config.storage.rootDirectory), {
      dryRun: options.dryRun === true,
      deleteUntagged: options.deleteUntagged === true,
      graceMs,
      log: (line) => process.stdout.write(`${line}\n`),
    });
    const verb = options.dryRun === true ? 'eligible for deletion' : 'deleted';
    process.stdout.write(
      `\n${report.markedBlobs} blobs marked, ${report.blobs.length} blobs and ${report.manifests.length} manifests ${verb}, ${report.bytesFreed} bytes ${options.dryRun === true ? 'to free' : 'freed'}\n`,
    );
    return 0;
  } catch (err) {
    process.stderr.write(`berth-registry: ${(err as Error).message}\n`);
    return 1;
  }
}
