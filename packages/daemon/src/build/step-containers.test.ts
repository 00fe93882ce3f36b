import { mkdtempSync, rmSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LinkableFiles } from '@berth/layer';
import type { NewImageSpec } from '@berth/image';
import { createStepContainer, type StepContainerServices } from './step-containers.js';

let upper: string;

beforeEach(async () => {
  upper = mkdtempSync(join(tmpdir(), 'berth-step-upper-'));
  await mkdir(join(upper, 'app'));
  await writeFile(join(upper, 'app', 'data'), Buffer.alloc(128 * 1024, 1));
});

afterEach(() => rmSync(upper, { recursive: true, force: true }));

/** The engine's services as the commit uses them: what it marks, and what it asks the image store to create. */
function services(options: { marked?: boolean; createFails?: boolean } = {}) {
  const marks: string[] = [];
  const creates: NewImageSpec[] = [];
  const fake = {
    lifecycle: {
      create: async () => ({ Id: 'step', Warnings: [] }),
      markForRemoval: async (id: string) => {
        marks.push(id);
        return options.marked ?? true;
      },
    },
    inspection: { inspect: () => ({ GraphDriver: { Data: { UpperDir: upper } } }), userNamespace: () => undefined },
    archives: { dropRuntimePlaceholders: async () => undefined },
    images: {
      findCached: () => undefined,
      create: async (spec: NewImageSpec) => {
        creates.push(spec);
        if (options.createFails) throw new Error('the store failed');
        return 'sha256:new';
      },
    },
  } as unknown as StepContainerServices;
  return { fake, marks, creates };
}

const SPEC = { image: 'sha256:base', config: {}, networkMode: 'none', imageVolumes: false };
const IMAGE = { runConfig: {}, history: { created_by: 'COPY' }, cacheKey: 'key' };

describe("a step container's commit", () => {
  it('marks a container the build removes for removal, and offers its files to the layer', async () => {
    const { fake, marks, creates } = services();
    const step = await createStepContainer(fake, { ...SPEC, removed: true }, (id) => id);
    await expect(step.commit(IMAGE)).resolves.toBe('sha256:new');
    expect(marks).toEqual(['step']);
    expect(creates[0]!.layerFiles).toBeInstanceOf(LinkableFiles);
  });

  it('neither marks nor links a container the build keeps, or one whose mark could not be recorded', async () => {
    const kept = services();
    await (await createStepContainer(kept.fake, { ...SPEC, removed: false }, (id) => id)).commit(IMAGE);
    expect(kept.marks).toEqual([]);
    expect(kept.creates[0]!.layer).toBeDefined();
    expect(kept.creates[0]!.layerFiles).toBeUndefined();

    const unmarked = services({ marked: false });
    await (await createStepContainer(unmarked.fake, { ...SPEC, removed: true }, (id) => id)).commit(IMAGE);
    expect(unmarked.creates[0]!.layerFiles).toBeUndefined();
  });

  it('ends the walk of the upper dir when the image store fails before reading it', async () => {
    const { fake, creates } = services({ createFails: true });
    const step = await createStepContainer(fake, { ...SPEC, removed: true }, (id) => id);
    await expect(step.commit(IMAGE)).rejects.toThrow('the store failed');
    expect((creates[0]!.layer as Readable).destroyed).toBe(true);
  });
});
