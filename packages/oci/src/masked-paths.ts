import { existsSync, readFileSync } from 'node:fs';

/** Docker's masked paths: kernel information that leaks host details or allows attacks (GHSA-6fw5-f8r9-fgfm, GHSA-jq35-85cj-fj4p). */
export const DEFAULT_MASKED_PATHS: readonly string[] = [
  '/proc/acpi',
  '/proc/asound',
  '/proc/interrupts',
  '/proc/kcore',
  '/proc/keys',
  '/proc/latency_stats',
  '/proc/sched_debug',
  '/proc/scsi',
  '/proc/timer_list',
  '/proc/timer_stats',
  '/sys/devices/virtual/powercap',
  '/sys/firmware',
];

export const DEFAULT_READONLY_PATHS: readonly string[] = [
  '/proc/bus',
  '/proc/fs',
  '/proc/irq',
  '/proc/sys',
  '/proc/sysrq-trigger',
];

/** Expands a kernel cpu list such as "0-3,8,10-11". */
export function parseCpuList(list: string): number[] {
  return list
    .trim()
    .split(',')
    .filter((part) => part !== '')
    .flatMap((part) => {
      const [from, to = from] = part.split('-').map(Number);
      return Array.from({ length: to - from + 1 }, (_, i) => from + i);
    });
}

let hostMaskedPaths: string[] | undefined;

/**
 * The default masked paths plus each CPU's thermal_throttle directory that exists on this host,
 * computed once: the CPU topology does not change while the engine runs.
 */
export function defaultMaskedPaths(): string[] {
  if (!hostMaskedPaths) {
    let cpus: number[] = [];
    try {
      cpus = parseCpuList(readFileSync('/sys/devices/system/cpu/possible', 'utf8'));
    } catch {
      // no sysfs: nothing extra to mask
    }
    const thermal = cpus
      .map((cpu) => `/sys/devices/system/cpu/cpu${cpu}/thermal_throttle`)
      .filter((path) => existsSync(path));
    hostMaskedPaths = [...DEFAULT_MASKED_PATHS, ...thermal];
  }
  return [...hostMaskedPaths];
}
