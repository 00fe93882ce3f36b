import { InvalidArgumentError } from '@berth/api';
import { FlagValueError } from './flag-value-error.js';
import { goQuote } from './format/go-quote.js';

const BINARY_MULTIPLIERS: Record<string, number> = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4, p: 1024 ** 5 };

/** go-units RAMInBytes, which docker uses for --memory: "32m", "1.5g", "512k", "64MB" (binary units); "-1" stays -1. */
export function parseRamBytes(text: string): number {
  if (text === '-1') return -1;
  const match = /^(\d+(?:\.\d+)?)\s*([kmgtp]?)(?:i?b)?$/i.exec(text.trim());
  if (!match) throw new InvalidArgumentError(`invalid size: '${text}'`);
  return Math.floor(Number(match[1]) * BINARY_MULTIPLIERS[match[2]!.toLowerCase()]!);
}

/** `--cpus 1.5` as the API's NanoCpus. */
export function parseNanoCpus(text: string): number {
  const cpus = Number(text);
  if (!Number.isFinite(cpus)) throw new InvalidArgumentError(`failed to parse ${text} as a rational number`);
  return Math.round(cpus * 1e9);
}

/** docker's `--restart name[:count]` split into the API object; the daemon validates it. */
export function parseRestartFlag(text: string): { Name: string; MaximumRetryCount: number } {
  const [name = '', count] = text.split(':', 2);
  const retries = count === undefined || count === '' ? 0 : Number(count);
  if (!Number.isInteger(retries)) throw new InvalidArgumentError('invalid restart policy format: maximum retry count must be an integer');
  return { Name: name, MaximumRetryCount: retries };
}

/** An integer flag, with docker's message when it is not one. */
export function parseIntFlag(text: string, flag: string): number {
  if (!/^-?\d+$/.test(text.trim())) throw new FlagValueError(flag, text, `strconv.ParseInt: parsing ${goQuote(text)}: invalid syntax`);
  return Number(text);
}
