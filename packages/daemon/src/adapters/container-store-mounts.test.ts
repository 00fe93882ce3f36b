import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ContainerStore } from './container-store.js';
import { testRecord as record } from './test-support/container-record.js';

let work: string;
let root: string;
/** Stands for an image layer: on the same filesystem as the containers, so `--one-file-system` would not see a bind of it. */
let layer: string;

beforeEach(() => {
  work = mkdtempSync(join(tmpdir(), 'berth-store-mounts-'));
  root = join(work, 'containers');
  layer = join(work, 'layer');
  mkdirSync(root);
  mkdirSync(join(layer, 'bin'), { recursive: true });
  writeFileSync(join(layer, 'bin', 'sh'), 'canary');
});

afterEach(() => {
  const points = readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((line) => line.split(' ')[4])
    .filter((point) => point?.startsWith(`${work}/`))
    .reverse();
  for (const point of points) execFileSync('umount', ['-l', point]);
  rmSync(work, { recursive: true, force: true });
});

const onUnreadable = (dir: string, err: unknown) => {
  throw new Error(`unreadable ${dir}: ${String(err)}`);
};

/** A layer bound in a container's dir, as a remapped root's idmapped lower dirs are while its overlay is mounted. */
function bindLayerIn(dir: string): void {
  const target = join(dir, 'idmapped', '0');
  mkdirSync(target, { recursive: true });
  execFileSync('mount', ['--bind', layer, target]);
}

describe('ContainerStore removing a dir with a mount in it', () => {
  it('delete: detaches the layer instead of deleting its files', async () => {
    const store = await ContainerStore.open(root, onUnreadable);
    const c = record('a');
    await store.add(c);
    bindLayerIn(store.dirOf(c.id));

    await store.delete(c.id);
    await store.deletionsDone();

    expect(readFileSync(join(layer, 'bin', 'sh'), 'utf8')).toBe('canary');
    expect(await readdir(join(root, '.trash'))).toEqual([]);
  });

  it('emptyTrash: a dir a crash left in the trash with a layer attached', async () => {
    const store = await ContainerStore.open(root, onUnreadable);
    bindLayerIn(join(root, '.trash', `${'c'.repeat(64)}-0badf00d`));

    await store.emptyTrash();

    expect(readFileSync(join(layer, 'bin', 'sh'), 'utf8')).toBe('canary');
    expect(await readdir(join(root, '.trash'))).toEqual([]);
  });
});
