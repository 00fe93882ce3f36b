import { describe, expect, it } from 'vitest';
import { StdStream, StdStreamDemuxer, frameStdStream, type StdFrame } from './stdcopy.js';

async function demux(chunks: Buffer[]): Promise<StdFrame[]> {
  const demuxer = new StdStreamDemuxer();
  const frames: StdFrame[] = [];
  demuxer.on('data', (f: StdFrame) => frames.push(f));
  const done = new Promise<void>((resolve, reject) => {
    demuxer.on('end', resolve);
    demuxer.on('error', reject);
  });
  for (const c of chunks) demuxer.write(c);
  demuxer.end();
  await done;
  return frames;
}

describe('stdcopy framing', () => {
  it('writes the 8-byte header with stream id and big-endian length', () => {
    const framed = frameStdStream(StdStream.Stderr, Buffer.from('hi'));
    expect([...framed.subarray(0, 8)]).toEqual([2, 0, 0, 0, 0, 0, 0, 2]);
    expect(framed.subarray(8).toString()).toBe('hi');
  });

  it('reassembles frames split across arbitrary chunk boundaries', async () => {
    const all = Buffer.concat([frameStdStream(StdStream.Stdout, Buffer.from('hello\n')), frameStdStream(StdStream.Stderr, Buffer.from('oops'))]);
    const chunks = [...all].map((b) => Buffer.from([b]));
    const frames = await demux(chunks);
    expect(frames.map((f) => [f.stream, f.payload.toString()])).toEqual([
      [StdStream.Stdout, 'hello\n'],
      [StdStream.Stderr, 'oops'],
    ]);
  });

  it('fails when the stream stops inside a frame', async () => {
    await expect(demux([frameStdStream(StdStream.Stdout, Buffer.from('abc')).subarray(0, 9)])).rejects.toThrow(/inside a frame/);
  });
});
