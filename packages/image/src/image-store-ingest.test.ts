import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LayerStore } from '@berth/layer';
import { sha256Digest } from '@berth/reference';
import { ImageStore } from './image-store.js';
import type { ImageEvent } from './internal/store-context.js';
import { imageConfig, tarOf } from './test-support/archive-builder.js';

let dir: string;
let layers: LayerStore;
let store: ImageStore;
const events: ImageEvent[] = [];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'berth-image-ingest-'));
  layers = await LayerStore.open(join(dir, 'layers'));
  events.length = 0;
  store = await ImageStore.open(join(dir, 'image'), layers, { onEvent: (event) => events.push(event) });
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function twoLayers(): Promise<{ tars: Buffer[]; config: Buffer }> {
  const tars = [await tarOf([{ name: 'etc' }, { name: 'etc/os-release', content: 'ID=berth\n' }]), await tarOf([{ name: 'app' }, { name: 'app/x', content: 'x\n' }])];
  return { tars, config: Buffer.from(JSON.stringify(imageConfig(tars.map((tar) => sha256Digest(tar))))) };
}

/** Gzipped layer sources that count how often each is opened. */
function sources(tars: Buffer[], opened: number[]) {
  return tars.map((tar, index) => ({
    name: `layer ${index}`,
    open: async () => {
      opened.push(index);
      return { stream: Readable.from([gzipSync(tar)]) };
    },
  }));
}

describe('ImageStore.ingest', () => {
  it('registers the layers, the config and the references, and opens nothing it already has', async () => {
    const { tars, config } = await twoLayers();
    const opened: number[] = [];
    const digestRef = `127.0.0.1:5000/app@sha256:${'a'.repeat(64)}`;
    const result = await store.ingest({ configBytes: config, layers: sources(tars, opened), references: ['127.0.0.1:5000/app:1', digestRef] });
    expect(result).toEqual({ id: sha256Digest(config), updated: true });
    expect(opened).toEqual([0, 1]);
    const inspected = store.inspect('127.0.0.1:5000/app:1');
    expect(inspected.Id).toBe(result.id);
    expect(inspected.RepoDigests).toEqual([digestRef]);
    expect(events).toEqual([{ action: 'pull', id: '127.0.0.1:5000/app:1', name: '127.0.0.1:5000/app' }]);

    const seen: Array<[number, boolean]> = [];
    const again = await store.ingest({ configBytes: config, layers: sources(tars, opened), references: ['127.0.0.1:5000/app:1'], onLayer: (index, registered) => seen.push([index, registered]) });
    expect(again).toEqual({ id: result.id, updated: false });
    expect(opened).toEqual([0, 1]);
    expect(seen).toEqual([[0, false], [1, false]]);
  });

  it('refuses a layer whose content is not its diff ID, registering nothing', async () => {
    const { tars, config } = await twoLayers();
    const forged = [tars[0]!, await tarOf([{ name: 'evil', content: 'x' }])];
    await expect(store.ingest({ configBytes: config, layers: sources(forged, []), references: ['app:1'] })).rejects.toThrow(/invalid diffID for layer 1/);
    expect(() => store.inspect('app:1')).toThrow();
    expect(store.hasLayer(sha256Digest(tars[0]!))).toBe(false);
  });
});
