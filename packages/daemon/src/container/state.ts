import { humanDuration, type ContainerState as ApiContainerState, type ContainerStatus } from '@berth/api';

/**
 * A container's run state as a few persisted flags; the API status string is derived from them with
 * moby's precedence (daemon/container/state.go), never stored.
 */
export interface RunState {
  running: boolean;
  paused: boolean;
  restarting: boolean;
  oomKilled: boolean;
  dead: boolean;
  pid: number;
  exitCode: number;
  error: string;
  startedAt: string | null;
  finishedAt: string | null;
}

export const ZERO_TIME = '0001-01-01T00:00:00Z';

export function initialRunState(): RunState {
  return { running: false, paused: false, restarting: false, oomKilled: false, dead: false, pid: 0, exitCode: 0, error: '', startedAt: null, finishedAt: null };
}

export function statusOf(state: RunState, removing = false): ContainerStatus {
  if (state.running) return state.paused ? 'paused' : state.restarting ? 'restarting' : 'running';
  if (removing) return 'removing';
  if (state.dead) return 'dead';
  if (!state.startedAt) return 'created';
  return 'exited';
}

export function markRunning(s: RunState, pid: number, now: Date): RunState {
  return { ...s, running: true, paused: false, restarting: false, oomKilled: false, exitCode: 0, error: '', pid, startedAt: now.toISOString() };
}

export function markStopped(s: RunState, exit: { exitCode: number; finishedAt: Date; oomKilled?: boolean; error?: string }): RunState {
  return {
    ...s,
    running: false,
    paused: false,
    restarting: false,
    pid: 0,
    exitCode: exit.exitCode,
    oomKilled: exit.oomKilled ?? false,
    error: exit.error ?? '',
    finishedAt: exit.finishedAt.toISOString(),
  };
}

/** Exited, with a restart pending: moby keeps Running true while Restarting (SetRestarting). */
export function markRestarting(s: RunState, exit: { exitCode: number; finishedAt: Date; oomKilled?: boolean }): RunState {
  return { ...markStopped(s, exit), running: true, restarting: true };
}

/**
 * A pending restart given up (a stop, kill or removal came first, the restart failed, or a new daemon
 * applies its own start rules): exited as it was.
 */
export function markRestartCancelled(s: RunState): RunState {
  return { ...s, running: false, restarting: false, pid: 0 };
}

export function markPaused(s: RunState): RunState {
  return { ...s, paused: true };
}

export function markUnpaused(s: RunState): RunState {
  return { ...s, paused: false };
}

/** moby's Dead: set, and persisted, before a removal deletes anything. */
export function markDead(s: RunState): RunState {
  return { ...s, dead: true };
}

/** A start that failed: the state it had, with the failure and Docker's exit code for it. */
export function markStartFailed(s: RunState, error: string, exitCode: number): RunState {
  return { ...s, error, exitCode };
}

export function toApiState(s: RunState, removing = false): ApiContainerState {
  return {
    Status: statusOf(s, removing),
    Running: s.running,
    Paused: s.paused,
    Restarting: s.restarting,
    OOMKilled: s.oomKilled,
    Dead: s.dead,
    Pid: s.pid,
    ExitCode: s.exitCode,
    Error: s.error,
    StartedAt: s.startedAt ?? ZERO_TIME,
    FinishedAt: s.finishedAt ?? ZERO_TIME,
  };
}

/** Docker's human status: "Up 5 minutes", "Exited (0) 2 hours ago", "Created". */
export function humanStatus(s: RunState, now: Date, removing = false): string {
  const status = statusOf(s, removing);
  switch (status) {
    case 'running':
      return `Up ${humanDuration(now.getTime() - Date.parse(s.startedAt ?? ''))}`;
    case 'paused':
      return `Up ${humanDuration(now.getTime() - Date.parse(s.startedAt ?? ''))} (Paused)`;
    case 'restarting':
      return `Restarting (${s.exitCode}) ${humanDuration(now.getTime() - Date.parse(s.finishedAt ?? ''))} ago`;
    case 'removing':
      return 'Removal In Progress';
    case 'dead':
      return 'Dead';
    case 'created':
      return 'Created';
    case 'exited':
      return `Exited (${s.exitCode}) ${humanDuration(now.getTime() - Date.parse(s.finishedAt ?? ''))} ago`;
  }
}
