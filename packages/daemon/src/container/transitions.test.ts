import { describe, expect, it } from 'vitest';
import { ConflictError, NotModifiedError } from '@berth/api';
import { initialRunState, markDead, markPaused, markRestarting, markRunning, markStopped, statusOf, type RunState } from './state.js';
import { can, refusalOf, type Transition, type TransitionSubject } from './transitions.js';

const id = 'c0ffee'.padEnd(64, '0');
const started = markRunning(initialRunState(), 42, new Date('2026-01-01T00:00:00Z'));
const exit = { exitCode: 1, finishedAt: new Date('2026-01-01T00:01:00Z') };

/** One container in each state moby distinguishes. */
const STATES: Record<string, { state: RunState; removing?: boolean }> = {
  created: { state: initialRunState() },
  running: { state: started },
  paused: { state: markPaused(started) },
  restarting: { state: markRestarting(started, exit) },
  exited: { state: markStopped(started, exit) },
  dead: { state: markDead(markStopped(started, exit)) },
  removing: { state: markStopped(started, exit), removing: true },
  'running, being force-removed': { state: started, removing: true },
};

const allowed = undefined;
const conflict = (message: string): [typeof ConflictError, string] => [ConflictError, message];
const notModified = (message: string): [typeof NotModifiedError, string] => [NotModifiedError, message];
const NOT_RUNNING = conflict(`container ${id} is not running`);

type Expected = typeof allowed | [typeof ConflictError | typeof NotModifiedError, string];

/** kill and top: allowed while the container runs (paused or restarting too). */
const RUNNING_ONLY: Record<keyof typeof STATES, Expected> = {
  created: NOT_RUNNING,
  running: allowed,
  paused: allowed,
  restarting: allowed,
  exited: NOT_RUNNING,
  dead: NOT_RUNNING,
  removing: NOT_RUNNING,
  'running, being force-removed': allowed,
};

/** Each transition in each state: allowed, or refused with moby's error class and words. */
const TABLE: Record<Transition, Record<keyof typeof STATES, Expected>> = {
  start: {
    created: allowed,
    running: notModified('container already started'),
    paused: notModified('container already started'),
    restarting: notModified('container already started'),
    exited: allowed,
    dead: conflict('container is marked for removal and cannot be started'),
    removing: conflict('cannot start container c0ffee000000: removal in progress'),
    'running, being force-removed': notModified('container already started'),
  },
  stop: {
    created: notModified('container already stopped'),
    running: allowed,
    paused: allowed,
    restarting: allowed,
    exited: notModified('container already stopped'),
    dead: notModified('container already stopped'),
    removing: notModified('container already stopped'),
    'running, being force-removed': allowed,
  },
  kill: RUNNING_ONLY,

  top: RUNNING_ONLY,

  pause: {
    created: NOT_RUNNING,
    running: allowed,
    paused: conflict(`Container ${id} is already paused`),
    restarting: conflict(`Container ${id} is restarting, wait until the container is running`),
    exited: NOT_RUNNING,
    dead: NOT_RUNNING,
    removing: NOT_RUNNING,
    'running, being force-removed': allowed,
  },
  unpause: {
    created: conflict(`Container ${id} is not paused`),
    running: conflict(`Container ${id} is not paused`),
    paused: allowed,
    restarting: conflict(`Container ${id} is not paused`),
    exited: conflict(`Container ${id} is not paused`),
    dead: conflict(`Container ${id} is not paused`),
    removing: conflict(`Container ${id} is not paused`),
    'running, being force-removed': conflict(`Container ${id} is not paused`),
  },
  exec: {
    created: NOT_RUNNING,
    running: allowed,
    paused: conflict(`Container ${id} is paused, unpause the container before exec`),
    restarting: conflict(`Container ${id} is restarting, wait until the container is running`),
    exited: NOT_RUNNING,
    dead: NOT_RUNNING,
    removing: NOT_RUNNING,
    'running, being force-removed': allowed,
  },
  remove: {
    created: allowed,
    running: conflict('cannot remove container "/web": container is running: stop the container before removing or force remove'),
    paused: conflict('cannot remove container "/web": container is running: stop the container before removing or force remove'),
    restarting: conflict('cannot remove container "/web": container is restarting: stop the container before removing or force remove'),
    exited: allowed,
    dead: allowed,
    removing: conflict('removal of container c0ffee000000 is already in progress'),
    'running, being force-removed': conflict('removal of container c0ffee000000 is already in progress'),
  },
  'force-remove': {
    created: allowed,
    running: allowed,
    paused: allowed,
    restarting: allowed,
    exited: allowed,
    dead: allowed,
    removing: conflict('removal of container c0ffee000000 is already in progress'),
    'running, being force-removed': conflict('removal of container c0ffee000000 is already in progress'),
  },
};

describe('container state transitions', () => {
  const rows = Object.entries(TABLE).flatMap(([transition, byState]) =>
    Object.entries(byState).map(([stateName, expected]) => ({ transition: transition as Transition, stateName, expected })),
  );

  it.each(rows)('$transition from $stateName', ({ transition, stateName, expected }) => {
    const { state, removing = false } = STATES[stateName]!;
    const subject: TransitionSubject = { id, name: '/web', state, removing };
    const refusal = refusalOf(transition, subject);
    if (expected === allowed) {
      expect(refusal).toBeUndefined();
    } else {
      expect(refusal).toBeInstanceOf(expected[0]);
      expect(refusal?.message).toBe(expected[1]);
    }
  });

  it('covers every state the API reports', () => {
    const statuses = new Set(Object.values(STATES).map(({ state, removing }) => statusOf(state, removing)));
    expect([...statuses].sort()).toEqual(['created', 'dead', 'exited', 'paused', 'removing', 'restarting', 'running']);
  });

  it('allows start only when not running and not dead', () => {
    const subject = (state: RunState): TransitionSubject => ({ id, name: '/web', state, removing: false });
    expect(can('start', subject(initialRunState()))).toBe(true);
    expect(can('start', subject({ ...initialRunState(), running: true }))).toBe(false);
    expect(can('start', subject({ ...initialRunState(), dead: true }))).toBe(false);
  });
});
