import type { ImageHistoryItem } from '@berth/api';
import type { ImageRecord } from './image-views.js';

/**
 * moby's history view: one row per history entry, each non-empty entry sized by the layer it made.
 * Only the top row names the image (these images have no local parents to name the others).
 */
export function imageHistory(record: ImageRecord, tags: string[], layerSize: (chainId: string) => number): ImageHistoryItem[] {
  const rows: ImageHistoryItem[] = [];
  let layer = 0;
  for (const entry of record.config.history ?? []) {
    let size = 0;
    if (entry.empty_layer !== true && layer < record.chain.length) size = layerSize(record.chain[layer++]);
    const created = entry.created === undefined ? NaN : Date.parse(entry.created);
    rows.unshift({
      Id: '<missing>',
      Created: Number.isNaN(created) ? 0 : Math.floor(created / 1000),
      CreatedBy: entry.created_by ?? '',
      Tags: null,
      Size: size,
      Comment: entry.comment ?? '',
    });
  }
  if (rows.length > 0) {
    rows[0].Id = record.id;
    rows[0].Tags = tags;
  }
  return rows;
}
