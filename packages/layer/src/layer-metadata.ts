import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isDigest } from '@berth/reference';
import { writeFileAtomic } from './atomic-file.js';

export interface LayerInfo {
  chainId: string;
  diffId: string;
  parent: string | null;
  /** bytes of extracted content */
  size: number;
}

/** What the store keeps per layer: the public info plus the short name of its `l/` link. */
export interface LayerRecord extends LayerInfo {
  link: string;
}

const METADATA_FILE = 'metadata.json';
const LINK_PATTERN = /^[a-z0-9]{1,32}$/;

export async function writeLayerMetadata(layerDir: string, record: LayerRecord): Promise<void> {
  const { chainId, diffId, parent, size, link } = record;
  await writeFileAtomic(join(layerDir, METADATA_FILE), `${JSON.stringify({ chainId, diffId, parent, size, link })}\n`);
}

function isLayerRecord(value: unknown): value is LayerRecord {
  if (value === null || typeof value !== 'object') return false;
  const r = value as Record<string, unknown>;
  return (
    typeof r.chainId === 'string' &&
    isDigest(r.chainId) &&
    typeof r.diffId === 'string' &&
    isDigest(r.diffId) &&
    (r.parent === null || (typeof r.parent === 'string' && isDigest(r.parent))) &&
    typeof r.size === 'number' &&
    Number.isSafeInteger(r.size) &&
    typeof r.link === 'string' &&
    LINK_PATTERN.test(r.link)
  );
}

/** The layer's record, or undefined when it is missing or not one (a directory left by an interrupted write). */
export async function readLayerMetadata(layerDir: string): Promise<LayerRecord | undefined> {
  let text: string;
  try {
    text = await readFile(join(layerDir, METADATA_FILE), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  try {
    const parsed: unknown = JSON.parse(text);
    if (!isLayerRecord(parsed)) return undefined;
    const { chainId, diffId, parent, size, link } = parsed;
    return { chainId, diffId, parent, size, link };
  } catch {
    return undefined;
  }
}
