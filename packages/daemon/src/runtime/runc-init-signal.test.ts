import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { signalRuncInit } from './runc-init-signal.js';

const ID = 'c'.repeat(64);

describe('signalRuncInit', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'berth-runc-state-'));
    mkdirSync(join(root, ID));
    mkdirSync(join(root, 'freezer'));
    setFreezer('THAWED');
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  const startTimeOf = (pid: number): number => Number(readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ')[19]);
  const setFreezer = (state: string): void => writeFileSync(join(root, 'freezer', 'freezer.state'), `${state}\n`);
  const writeState = (state: object): void =>
    writeFileSync(join(root, ID, 'state.json'), JSON.stringify({ cgroup_paths: { freezer: join(root, 'freezer') }, ...state }));
  const sleeper = (): ReturnType<typeof spawn> => spawn('sleep', ['60']);

  it('signals the process runc recorded while its start time still matches', async () => {
    const child = sleeper();
    try {
      const exited = new Promise((resolve) => child.once('exit', (_code, signal) => resolve(signal)));
      writeState({ init_process_pid: child.pid, init_process_start: startTimeOf(child.pid as number) });
      await expect(signalRuncInit(root, ID, 9)).resolves.toBe('sent');
      await expect(exited).resolves.toBe('SIGKILL');
      // The pid now names no process: nothing to signal, as runc says of a stopped container.
      await expect(signalRuncInit(root, ID, 9)).resolves.toBe('not-running');
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('leaves SIGKILL of a frozen container to runc, which thaws it, but sends other signals itself', async () => {
    const child = sleeper();
    try {
      const exited = new Promise((resolve) => child.once('exit', (_code, signal) => resolve(signal)));
      writeState({ init_process_pid: child.pid, init_process_start: startTimeOf(child.pid as number) });
      for (const freezer of ['FROZEN', 'FREEZING']) {
        setFreezer(freezer);
        await expect(signalRuncInit(root, ID, 9)).resolves.toBe('undecided');
      }
      expect(child.signalCode).toBeNull();
      await expect(signalRuncInit(root, ID, 15)).resolves.toBe('sent');
      await expect(exited).resolves.toBe('SIGTERM');
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('leaves SIGKILL to runc when the freezer state cannot be read', async () => {
    const child = sleeper();
    try {
      writeFileSync(join(root, ID, 'state.json'), JSON.stringify({ init_process_pid: child.pid, init_process_start: startTimeOf(child.pid as number) }));
      await expect(signalRuncInit(root, ID, 9)).resolves.toBe('undecided');
      expect(child.signalCode).toBeNull();
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('leaves alone a process whose pid was reused (another start time)', async () => {
    const child = sleeper();
    try {
      writeState({ init_process_pid: child.pid, init_process_start: startTimeOf(child.pid as number) - 1 });
      await expect(signalRuncInit(root, ID, 9)).resolves.toBe('not-running');
      expect(child.exitCode).toBeNull();
      expect(child.signalCode).toBeNull();
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('leaves the decision to runc when its state cannot be read', async () => {
    await expect(signalRuncInit(root, 'd'.repeat(64), 9)).resolves.toBe('undecided');
    writeState({ id: ID });
    await expect(signalRuncInit(root, ID, 9)).resolves.toBe('undecided');
  });

  it('leaves the decision to runc when the recorded start time is not a number', async () => {
    const child = sleeper();
    try {
      for (const start of ['x', String(startTimeOf(child.pid as number))]) {
        writeState({ init_process_pid: child.pid, init_process_start: start });
        await expect(signalRuncInit(root, ID, 9)).resolves.toBe('undecided');
      }
      expect(child.signalCode).toBeNull();
    } finally {
      child.kill('SIGKILL');
    }
  });
});
