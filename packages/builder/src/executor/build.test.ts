import type { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { ImageConfig, ImageRunConfig } from '@berth/oci';
import type { BuildContext } from '../context/build-context.js';
import type { BuildBackend, NewStepImage, StepContainer, StepContainerSpec } from './backend.js';
import { buildImage } from './build.js';
import { BuildStepError, type BuildRequest } from './build-request.js';

/** An in-memory backend recording what the executor asks for (a unit test of the dispatch logic only). */
class RecordingBackend implements BuildBackend {
  readonly images = new Map<string, { config: ImageConfig; history: string[] }>();
  readonly keys = new Map<string, string>();
  readonly ran: string[][] = [];
  readonly removed: string[] = [];
  readonly published: Array<{ id: string; tags: string[] }> = [];
  failing = new Map<string, number>();
  private next = 0;

  constructor() {
    this.images.set('sha256:base', { config: { architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] }, config: { Env: ['PATH=/bin'], Cmd: ['sh'] } }, history: [] });
  }

  async baseImage(ref: string) {
    if (ref !== 'busybox' && ref !== 'sha256:base') throw new Error(`no image ${ref}`);
    return { id: 'sha256:base', config: this.images.get('sha256:base')!.config };
  }

  image(id: string) {
    const image = this.images.get(id);
    return image === undefined ? undefined : { id, config: image.config };
  }

  private store(parent: string | null, image: NewStepImage): string {
    const id = `sha256:${String(++this.next).padStart(4, '0')}`;
    const history = parent === null ? [] : (this.images.get(parent)?.history ?? []);
    this.images.set(id, {
      config: { architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] }, config: structuredClone(image.runConfig), ...(image.author ? { author: image.author } : {}) },
      history: [...history, image.history.created_by ?? ''],
    });
    this.keys.set(image.cacheKey, id);
    return id;
  }

  async createImage(parent: string | null, image: NewStepImage): Promise<string> {
    return this.store(parent, image);
  }

  async createContainer(spec: StepContainerSpec): Promise<StepContainer> {
    const id = `c${++this.next}`.padEnd(12, '0');
    const config: ImageRunConfig = spec.config;
    return {
      id,
      run: async (stdout: Writable) => {
        this.ran.push(config.Cmd ?? []);
        stdout.write(`ran ${(config.Cmd ?? []).at(-1)}\n`);
        return this.failing.get((config.Cmd ?? []).at(-1) ?? '') ?? 0;
      },
      stat: async () => undefined,
      put: async () => undefined,
      get: async () => {
        throw new Error('not used');
      },
      resolveOwner: async () => ({ uid: 0, gid: 0 }),
      commit: async (image) => this.store(spec.image, image),
      remove: async () => {
        this.removed.push(id);
      },
    };
  }

  cached(key: string): string | undefined {
    return this.keys.get(key);
  }

  async publish(id: string, tags: string[]): Promise<void> {
    this.published.push({ id, tags });
  }
}

function request(overrides: Partial<BuildRequest> = {}): BuildRequest {
  return { tags: [], buildArgs: {}, labels: {}, noCache: false, pull: false, networkMode: 'default', remove: true, forceRemove: false, ...overrides };
}

async function build(backend: RecordingBackend, dockerfile: string, overrides: Partial<BuildRequest> = {}) {
  let text = '';
  const context = { readDockerfile: async () => dockerfile } as unknown as BuildContext;
  const output = { write: (t: string) => (text += t), progress: () => undefined, built: (id: string) => (text += `aux ${id}\n`) };
  const result = await buildImage(request(overrides), context, backend, output, new AbortController().signal);
  return { ...result, text };
}

describe('buildImage', () => {
  it('numbers the steps of the stages the target needs, and only those run', async () => {
    const backend = new RecordingBackend();
    const dockerfile = 'FROM busybox AS a\nRUN one\nFROM busybox AS unused\nRUN two\nFROM busybox\nCOPY --from=a /x /x\nRUN three\n';
    const { text } = await build(backend, 'FROM busybox AS a\nRUN one\nFROM busybox AS unused\nRUN two\nFROM a\nRUN three\n');
    expect(text.match(/^Step .*$/gm)).toEqual(['Step 1/4 : FROM busybox AS a', 'Step 2/4 : RUN one', 'Step 3/4 : FROM a', 'Step 4/4 : RUN three']);
    expect(backend.ran.map((cmd) => cmd.at(-1))).toEqual(['one', 'three']);
    const target = await build(new RecordingBackend(), dockerfile, { target: 'unused' });
    expect(target.text.match(/^Step .*$/gm)).toEqual(['Step 1/2 : FROM busybox AS unused', 'Step 2/2 : RUN two']);
    await expect(build(new RecordingBackend(), dockerfile, { target: 'nope' })).rejects.toThrow('failed to reach build target nope in Dockerfile');
  });

  it('builds every earlier stage when a COPY --from names a stage through a variable', async () => {
    const backend = new RecordingBackend();
    // The recording backend has no files to copy: the COPY itself fails, after both stages ran.
    await expect(build(backend, 'FROM busybox AS a\nRUN one\nFROM busybox AS b\nRUN two\nFROM busybox\nARG S=a\nCOPY --from=$S /x /x\n')).rejects.toThrow('COPY failed');
    expect(backend.ran.map((cmd) => cmd.at(-1))).toEqual(['one', 'two']);
  });

  it('finds every step in the cache the second time, and none with --no-cache', async () => {
    const backend = new RecordingBackend();
    const dockerfile = 'FROM busybox\nENV A=1\nRUN echo hi\nCMD ["x"]\n';
    const first = await build(backend, dockerfile, { tags: ['app'] });
    const second = await build(backend, dockerfile, { tags: ['app'] });
    expect(second.imageId).toBe(first.imageId);
    expect(second.text.match(/Using cache/g)).toHaveLength(3);
    expect(backend.ran).toHaveLength(1);
    expect(second.text).toMatch(/aux sha256:\d+\nSuccessfully built \d+\nSuccessfully tagged app:latest\n$/);
    const fresh = await build(backend, dockerfile, { noCache: true });
    expect(fresh.text).not.toContain('Using cache');
    expect(fresh.imageId).not.toBe(first.imageId);
  });

  it('gives RUN the build args (ENV wins) and writes them in its history line, and warns of unused ones', async () => {
    const backend = new RecordingBackend();
    const { imageId, text } = await build(backend, 'ARG V=1\nFROM busybox\nARG A\nARG B=dflt\nENV B=env\nRUN echo $A\n', { buildArgs: { A: 'given', UNUSED: 'x', HTTP_PROXY: 'http://p' } });
    expect(backend.images.get(imageId)!.history.at(-1)).toBe('|1 A=given /bin/sh -c echo $A');
    expect(text).toContain('[Warning] One or more build-args [UNUSED] were not consumed\n');
    expect(backend.images.get(imageId)!.config.config?.Env).toEqual(['PATH=/bin', 'B=env']);
  });

  it('adds one LABEL step per --label, sorted, without expanding values', async () => {
    const backend = new RecordingBackend();
    const { imageId, text } = await build(backend, 'FROM busybox\n', { labels: { z: 'last', a: '$HOME it\'s' } });
    expect(text.match(/^Step .*$/gm)).toEqual(['Step 1/3 : FROM busybox', "Step 2/3 : LABEL a=$HOME it's", 'Step 3/3 : LABEL z=last']);
    expect(backend.images.get(imageId)!.config.config?.Labels).toEqual({ a: "$HOME it's", z: 'last' });
  });

  it('fails a RUN with its exit code in moby words and removes its container', async () => {
    const backend = new RecordingBackend();
    backend.failing.set('exit 3', 3);
    const failure = build(backend, 'FROM busybox\nRUN exit 3\n');
    await expect(failure).rejects.toBeInstanceOf(BuildStepError);
    await expect(failure).rejects.toMatchObject({ code: 3, message: "The command '/bin/sh -c exit 3' returned a non-zero code: 3" });
    expect(backend.removed).toHaveLength(1);
    const kept = new RecordingBackend();
    kept.failing.set('exit 3', 3);
    await expect(build(kept, 'FROM busybox\nRUN exit 3\n', { remove: false })).rejects.toThrow();
    expect(kept.removed).toHaveLength(0);
  });

  it('writes moby\'s history lines and applies each instruction to the config', async () => {
    const backend = new RecordingBackend();
    const { imageId } = await build(
      backend,
      'FROM busybox\nMAINTAINER me\nWORKDIR /app\nWORKDIR sub\nUSER 1000\nEXPOSE 80 53/udp\nVOLUME /data\nSTOPSIGNAL SIGINT\nHEALTHCHECK --interval=5s --retries=2 CMD true\nSHELL ["/bin/ash", "-c"]\nONBUILD RUN x\nENTRYPOINT echo\n',
    );
    const image = backend.images.get(imageId)!;
    expect(image.config.author).toBe('me');
    expect(image.config.config).toMatchObject({
      WorkingDir: '/app/sub',
      User: '1000',
      ExposedPorts: { '80/tcp': {}, '53/udp': {} },
      Volumes: { '/data': {} },
      StopSignal: 'SIGINT',
      Healthcheck: { Test: ['CMD-SHELL', 'true'], Interval: 5e9, Retries: 2 },
      Shell: ['/bin/ash', '-c'],
      OnBuild: ['RUN x'],
      Entrypoint: ['/bin/ash', '-c', 'echo'],
      Cmd: null,
    });
    expect(image.history).toEqual([
      '/bin/sh -c #(nop)  MAINTAINER me',
      '/bin/sh -c #(nop) WORKDIR /app',
      '/bin/sh -c #(nop) WORKDIR /app/sub',
      '/bin/sh -c #(nop)  USER 1000',
      '/bin/sh -c #(nop)  EXPOSE 53/udp 80',
      '/bin/sh -c #(nop)  VOLUME [/data]',
      '/bin/sh -c #(nop)  STOPSIGNAL SIGINT',
      '/bin/sh -c #(nop)  HEALTHCHECK &{["CMD-SHELL" "true"] "5s" "0s" "0s" \'\\x02\'}',
      '/bin/ash -c #(nop)  SHELL [/bin/ash -c]',
      '/bin/ash -c #(nop)  ONBUILD RUN x',
      '/bin/ash -c #(nop)  ENTRYPOINT ["/bin/ash" "-c" "echo"]',
    ]);
  });

  it('runs the base image\'s ONBUILD triggers first and does not keep them', async () => {
    const backend = new RecordingBackend();
    backend.images.get('sha256:base')!.config.config!.OnBuild = ['RUN triggered'];
    const child = await build(backend, 'FROM busybox\nRUN after\n');
    expect(child.text).toContain('# Executing 1 build trigger\n');
    expect(backend.ran.map((cmd) => cmd.at(-1))).toEqual(['triggered', 'after']);
    expect(backend.images.get(child.imageId)!.config.config?.OnBuild).toBeNull();
  });

  it('refuses a build that makes no image', async () => {
    await expect(build(new RecordingBackend(), 'FROM scratch\n')).rejects.toThrow('No image was generated. Is your Dockerfile empty?');
  });
});
