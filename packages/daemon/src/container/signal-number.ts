import { constants } from 'node:os';
import { InvalidArgumentError } from '@berth/api';

/** moby's Linux SignalMap: the names Node knows, moby's aliases and the real-time signals. */
const SIGNALS: ReadonlyMap<string, number> = new Map([
  ...Object.entries(constants.signals).map(([name, number]): [string, number] => [name.slice('SIG'.length), number]),
  ['CLD', constants.signals.SIGCHLD],
  ['UNUSED', constants.signals.SIGSYS],
  ['RTMIN', 34],
  ...Array.from({ length: 15 }, (_, i): [string, number] => [`RTMIN+${i + 1}`, 35 + i]),
  ...Array.from({ length: 14 }, (_, i): [string, number] => [`RTMAX-${14 - i}`, 50 + i]),
  ['RTMAX', 64],
]);
const LINUX_SIGNAL_NUMBERS = new Set(SIGNALS.values());

/**
 * A signal as the API takes it ("9", "KILL", "sigkill"), checked as moby checks it: its ParseSignal
 * messages, then one for a number Linux has no signal for.
 */
export function parseSignal(text: string): number {
  const number = /^[+-]?\d+$/.test(text) ? Number(text) : SIGNALS.get(text.toUpperCase().replace(/^SIG/, ''));
  if (number === undefined || number === 0) throw new InvalidArgumentError(`Invalid signal: ${text}`);
  if (!LINUX_SIGNAL_NUMBERS.has(number)) throw new InvalidArgumentError(`the linux daemon does not support signal ${number}`);
  return number;
}
