import { libcHandle } from '../runtime/syscalls.js';

let trim: ((pad: number) => number) | null | undefined;

/**
 * Hands the C heap's free pages back to the system (glibc's malloc_trim). Node's allocations outside the
 * JavaScript heap (start-up, requests, child processes) leave freed pages that glibc keeps: a daemon that
 * has gone quiet holds megabytes it no longer uses. A no-op where the C library has no malloc_trim.
 */
export function releaseFreedMemory(): void {
  if (trim === undefined) trim = loadMallocTrim();
  trim?.(0);
}

function loadMallocTrim(): ((pad: number) => number) | null {
  try {
    return libcHandle().func('int malloc_trim(size_t pad)') as (pad: number) => number;
  } catch {
    return null;
  }
}
