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

/** A layer directory's record, or why it has none a store can trust. */
export type MetadataReading = { record: LayerRecord } | { problem: string };

/** Reads a layer's record; a missing, unreadable or malformed file is a problem, never a throw. */
export async function readLayerMetadata(layerDir: string): Promise<MetadataReading> {
  let text: string;
  try {
    text = await readFile(join(layerDir, METADATA_FILE), 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return { problem: code === 'ENOENT' ? `${METADATA_FILE} is missing` : `${METADATA_FILE} is unreadable (${code ?? String(err)})` };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { problem: `${METADATA_FILE} is not valid JSON` };
  }
  if (!isLayerRecord(parsed)) return { problem: `${METADATA_FILE} is not a layer record` };
  const { chainId, diffId, parent, size, link } = parsed;
  return { record: { chainId, diffId, parent, size, link } };
}
