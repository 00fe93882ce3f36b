import { loadRegistryConfig } from '../config.js';
import { parseGoDuration } from '../go-duration.js';
import { openDriver } from '../bin/open-backend.js';
import { garbageCollect } from './garbage-collect.js';

/** `--grace`: a Go duration (`90s`, `30m`, `1h`, `0`) in milliseconds. */
export function parseGrace(value: string): number {
  const ms = parseGoDuration(value);
  if (ms === undefined) throw new Error(`--grace: not a duration such as 30m or 1h: ${JSON.stringify(value)}`);
  return ms;
}

/** `berth-registry garbage-collect CONFIG`: prints what it deletes, one line each, then a summary; resolves to the exit code. */
export async function garbageCollectCommand(configPath: string, options: { dryRun?: boolean; deleteUntagged?: boolean; grace: string }): Promise<number> {
  try {
    const graceMs = parseGrace(options.grace);
    const { config, warnings } = await loadRegistryConfig(configPath);
    for (const warning of warnings) process.stderr.write(`berth-registry: warning: ${configPath}: ${warning}\n`);
    const report = await garbageCollect(await openDriver(config.storage), {
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
