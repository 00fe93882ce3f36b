import { constants } from 'node:os';

/**
 * The number of a signal given as docker accepts it ("9", "KILL", "SIGKILL"), for the `signal`
 * attribute moby puts on kill events; the text as given when it names no signal Node knows.
 */
export function signalAttribute(signal: string): string {
  if (/^\d+$/.test(signal)) return signal;
  const name = (signal.toUpperCase().startsWith('SIG') ? signal.toUpperCase() : `SIG${signal.toUpperCase()}`) as keyof typeof constants.signals;
  const number = constants.signals[name];
  return number === undefined ? signal : String(number);
}
