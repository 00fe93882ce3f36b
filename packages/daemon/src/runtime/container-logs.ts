import type { ContainerLogs } from '../ports.js';
import { readContainerLogBatches } from './container-log.js';
import { readRotatedLog } from './log-files.js';
import { LogRotators } from './log-rotation.js';

/** The ContainerLogs port over conmon's log files (k8s-file format) and the rotated files kept beside them. */
export function createContainerLogs(): ContainerLogs {
  const rotators = new LogRotators();
  return {
    read: readRotatedLog,
    readLive: (logPath) => readContainerLogBatches(logPath),
    keepRotations: (id, logPath, rotation) => rotators.start(id, logPath, rotation),
    stopKeeping: (id) => rotators.stop(id),
    stopAll: () => rotators.stopAll(),
  };
}
