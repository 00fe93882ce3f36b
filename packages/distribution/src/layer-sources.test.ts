import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LayerSources } from './layer-sources.js';

const diffId = `sha256:${'a'.repeat(64)}`;
const blob = (n: number) => ({ digest: `sha256:${String(n).repeat(64).slice(0, 64)}`, size: n, mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip', registry: '127.0.0.1:5000', repository: `repo${n}` });

describe('LayerSources', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'berth-sources-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('keeps sightings most recent first, a repeated one moved to the front, across a reopen', async () => {
    const file = join(dir, 'sources.json');
    const sources = await LayerSources.open(file);
    await sources.record([{ diffId, source: blob(1) }]);
    await sources.record([{ diffId, source: blob(2) }]);
    await sources.record([{ diffId, source: blob(1) }]);
    expect(sources.sourcesOf(diffId).map((source) => source.repository)).toEqual(['repo1', 'repo2']);
    const reopened = await LayerSources.open(file);
    expect(reopened.sourcesOf(diffId)).toEqual([blob(1), blob(2)]);
    expect(reopened.sourcesOf(`sha256:${'b'.repeat(64)}`)).toEqual([]);
  });

  it('removes at open the temp file of a write the daemon died in, keeping what was saved', async () => {
    const file = join(dir, 'sources.json');
    await (await LayerSources.open(file)).record([{ diffId, source: blob(1) }]);
    await writeFile(join(dir, '.sources.json.0123456789ab.tmp'), '{"sha256:');

    const reopened = await LayerSources.open(file);

    expect(await readdir(dir)).toEqual(['sources.json']);
    expect(reopened.sourcesOf(diffId)).toEqual([blob(1)]);
  });

  it('forgets the oldest beyond ten per layer', async () => {
    const sources = await LayerSources.open();
    for (let n = 1; n <= 12; n++) await sources.record([{ diffId, source: { ...blob(1), repository: `r${n}` } }]);
    expect(sources.sourcesOf(diffId).map((source) => source.repository)).toEqual(['r12', 'r11', 'r10', 'r9', 'r8', 'r7', 'r6', 'r5', 'r4', 'r3']);
  });

  it('records several sightings in one write, and a write that fails fails nothing', async () => {
    const sources = await LayerSources.open(join(dir, 'no-such-dir', 'x', 'sources.json'));
    await writeFile(join(dir, 'no-such-dir'), 'a file where a directory should be');
    const other = `sha256:${'c'.repeat(64)}`;
    await expect(sources.record([{ diffId, source: blob(1) }, { diffId: other, source: blob(2) }])).resolves.toBeUndefined();
    expect(sources.sourcesOf(other)).toEqual([blob(2)]);
  });

  it('starts empty from a missing or damaged file, and drops malformed entries', async () => {
    expect((await LayerSources.open(join(dir, 'missing.json'))).sourcesOf(diffId)).toEqual([]);
    const damaged = join(dir, 'damaged.json');
    await writeFile(damaged, '{"sha256:');
    expect((await LayerSources.open(damaged)).sourcesOf(diffId)).toEqual([]);
    const mixed = join(dir, 'mixed.json');
    await writeFile(mixed, JSON.stringify({ [diffId]: [blob(1), { digest: 'nope', size: 1, mediaType: 'x', registry: 'r', repository: 'x' }], 'not-a-digest': [blob(2)] }));
    const sources = await LayerSources.open(mixed);
    expect(sources.sourcesOf(diffId)).toEqual([blob(1)]);
    await sources.record([{ diffId, source: blob(3) }]);
    expect(Object.keys(JSON.parse(await readFile(mixed, 'utf8')) as object)).toEqual([diffId]);
  });
});
