import { ConflictError, NotModifiedError } from '@berth/api';
import type { RunState } from './state.js';

/** What a transition rule sees of a container: its persisted flags, and whether a removal is under way. */
export interface TransitionSubject {
  id: string;
  name: string;
  state: RunState;
  removing: boolean;
}

export type Transition = 'start' | 'stop' | 'kill' | 'pause' | 'unpause' | 'remove' | 'force-remove' | 'exec' | 'top';

type Rule = (c: TransitionSubject) => Error | undefined;

const short = (id: string): string => id.slice(0, 12);
const notRunning = (c: TransitionSubject): Error | undefined => (c.state.running ? undefined : new ConflictError(`container ${c.id} is not running`));
const removalInProgress = (c: TransitionSubject): Error | undefined =>
  c.removing ? new ConflictError(`removal of container ${short(c.id)} is already in progress`) : undefined;

/**
 * Every state change a user can ask for, as data: the first refusal that applies, in moby's order and
 * with moby's words (daemon/start.go, stop.go, kill.go, pause.go, unpause.go, delete.go, exec.go), or
 * none when the transition may go ahead.
 */
const RULES: Record<Transition, Rule> = {
  start: (c) => {
    if (c.state.running) return new NotModifiedError('container already started');
    if (c.removing) return new ConflictError(`cannot start container ${short(c.id)}: removal in progress`);
    if (c.state.dead) return new ConflictError('container is marked for removal and cannot be started');
    return undefined;
  },
  stop: (c) => (c.state.running ? undefined : new NotModifiedError('container already stopped')),
  kill: notRunning,
  top: notRunning,
  pause: (c) => {
    if (!c.state.running) return notRunning(c);
    if (c.state.paused) return new ConflictError(`Container ${c.id} is already paused`);
    if (c.state.restarting) return new ConflictError(`Container ${c.id} is restarting, wait until the container is running`);
    return undefined;
  },
  unpause: (c) => (c.state.paused ? undefined : new ConflictError(`Container ${c.id} is not paused`)),
  exec: (c) => {
    if (!c.state.running) return notRunning(c);
    if (c.state.paused) return new ConflictError(`Container ${c.id} is paused, unpause the container before exec`);
    if (c.state.restarting) return new ConflictError(`Container ${c.id} is restarting, wait until the container is running`);
    return undefined;
  },
  remove: (c) => {
    const removing = removalInProgress(c);
    if (removing || !c.state.running) return removing;
    const what = c.state.restarting ? 'restarting' : 'running';
    return new ConflictError(`cannot remove container "${c.name}": container is ${what}: stop the container before removing or force remove`);
  },
  'force-remove': removalInProgress,
};

/** Why a transition is refused in this state, or undefined when it is allowed. */
export function refusalOf(transition: Transition, c: TransitionSubject): Error | undefined {
  return RULES[transition](c);
}

/** Throws moby's error for a refused transition. */
export function assertTransition(transition: Transition, c: TransitionSubject): void {
  const refusal = refusalOf(transition, c);
  if (refusal) throw refusal;
}

/** Whether the transition is allowed in this state. */
export function can(transition: Transition, c: TransitionSubject): boolean {
  return refusalOf(transition, c) === undefined;
}
