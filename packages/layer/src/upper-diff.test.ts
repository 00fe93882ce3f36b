import { mkdtempSync, rmSync } from 'node:fs';
import { mkdir, readFile, readdir, readlink, symlink, writeFile, link, lstat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LayerStore } from './layer-store.js';
import { makeNode, setXattr } from './system-tools.js';
import { unmountAllUnder } from './test-support/mounts.js';
import { buildTar, streamOf } from './test-support/tar-builder.js';
import { upperDirTar } from './upper-diff.js';

let work: string;

beforeEach(() => {
  work = mkdtempSync(join(tmpdir(), 'berth-upper-'));
});

afterEach(() => {
  unmountAllUnder(work);
  rmSync(work, { recursive: true, force: true });
});

describe('upperDirTar', () => {
  it('turns a container upper dir into a layer that reproduces the container view', async () => {
    const store = await LayerStore.open(join(work, 'layers'));
    const base = await store.register(
      streamOf(
        await buildTar([
          { name: 'gone', type: 'file', content: 'deleted later' },
          { name: 'dir/', type: 'directory' },
          { name: 'dir/old', type: 'file', content: 'hidden by opaque' },
          { name: 'kept', type: 'file', content: 'kept' },
        ]),
      ),
      null,
    );
    const container = join(work, 'c1');
    const rootfs = await store.mountContainerRoot(container, base.chainId);
    await writeFile(join(rootfs, 'new'), 'hello');
    await link(join(rootfs, 'new'), join(rootfs, 'new-link'));
    await symlink('new', join(rootfs, 'sym'));
    await (await import('node:fs/promises')).rm(join(rootfs, 'gone'));
    await (await import('node:fs/promises')).rm(join(rootfs, 'dir'), { recursive: true });
    await mkdir(join(rootfs, 'dir'));
    await writeFile(join(rootfs, 'dir', 'fresh'), 'fresh');
    await store.unmountContainerRoot(container);

    const top = await store.register(await upperDirTar(join(container, 'upper')), base.chainId);
    const second = join(work, 'c2');
    const view = await store.mountContainerRoot(second, top.chainId);
    expect((await readdir(view)).sort()).toEqual(['dir', 'kept', 'new', 'new-link', 'sym']);
    expect(await readdir(join(view, 'dir'))).toEqual(['fresh']);
    expect(await readFile(join(view, 'new'), 'utf8')).toBe('hello');
    expect((await lstat(join(view, 'new'))).ino).toBe((await lstat(join(view, 'new-link'))).ino);
    expect(await readlink(join(view, 'sym'))).toBe('new');
    await store.unmountContainerRoot(second);
  });

  it('writes whiteouts and opaque markers found directly in an upper dir', async () => {
    const upper = join(work, 'upper');
    await mkdir(join(upper, 'opq'), { recursive: true });
    await setXattr(join(upper, 'opq'), 'trusted.overlay.opaque', Buffer.from('y'));
    await makeNode(join(upper, 'removed'), { kind: 'char', major: 0, minor: 0 });
    const { extract } = await import('tar-stream');
    const names: string[] = [];
    const reader = extract();
    (await upperDirTar(upper)).pipe(reader as unknown as NodeJS.WritableStream);
    for await (const entry of reader) {
      names.push(entry.header.name);
      entry.resume();
    }
    expect(names).toEqual(['opq/', 'opq/.wh..wh..opq', '.wh.removed']);
  });
});
