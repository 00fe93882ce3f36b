import { InvalidArgumentError } from '@berth/api';

const UNIT_EXPONENT: Record<string, number> = { k: 1, m: 2, g: 3, t: 4, p: 5 };

/**
 * Parses a human-readable byte size the way Docker does ("64m", "1.5g", "512", "2GiB"): units are
 * binary multiples and case-insensitive; fractions round down to whole bytes.
 */
export function parseMemoryString(text: string): number {
  const match = /^(\d+(?:\.\d+)*) ?([kKmMgGtTpP])?[iI]?[bB]?$/.exec(text);
  const value = match ? Number(match[1]) : NaN;
  if (!match || Number.isNaN(value)) throw new InvalidArgumentError(`invalid size: '${text}'`);
  const exponent = match[2] ? UNIT_EXPONENT[match[2].toLowerCase()] : 0;
  return Math.floor(value * 1024 ** exponent);
}
