import type { ProgressMessage } from '@berth/api';
import { humanSize } from './human-size.js';

/** Terminals at most this wide get the counts without the bar, as in the docker CLI. */
const BAR_MIN_WIDTH = 111;
const BAR_CELLS = 50;

/**
 * A progress detail as the docker CLI draws it on a terminal (jsonmessage's JSONProgress): a 50-cell
 * `[====>    ] ` bar when the terminal is wider than 110 columns, then `current/total` in go-units
 * sizes, the current one padded to 8; empty when there is nothing to count.
 */
export function progressBar(detail: NonNullable<ProgressMessage['progressDetail']>, width: number): string {
  const current = detail.current ?? 0;
  const total = detail.total ?? 0;
  if (current <= 0 && total <= 0) return '';
  const currentSize = humanSize(current, 4).padStart(8);
  if (total <= 0) return currentSize;
  const filled = Math.max(0, Math.min(BAR_CELLS, Math.trunc(Math.trunc((current / total) * 100) / 2)));
  const bar = width >= BAR_MIN_WIDTH ? `[${'='.repeat(filled)}>${' '.repeat(BAR_CELLS - filled)}] ` : '';
  // A current past the total is not believed: only the current is shown.
  return `${bar}${currentSize}${current > total ? '' : `/${humanSize(total, 4)}`}`;
}
