import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '@berth/layer';

/** What the store persists per volume (`<root>/<name>/metadata.json`); the data lives in `_data`. */
export interface VolumeMetadata {
  name: string;
  driver: 'local';
  createdAt: string;
  labels: Record<string, string>;
  options: Record<string, string>;
}

const FILE = 'metadata.json';

export async function readMetadata(dir: string): Promise<VolumeMetadata> {
  return JSON.parse(await readFile(join(dir, FILE), 'utf8')) as VolumeMetadata;
}

export function writeMetadata(dir: string, metadata: VolumeMetadata): Promise<void> {
  return writeFileAtomic(join(dir, FILE), JSON.stringify(metadata));
}
