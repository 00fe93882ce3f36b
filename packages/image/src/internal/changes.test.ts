import { describe, expect, it } from 'vitest';
import { applyChanges } from './changes.js';

describe('applyChanges', () => {
  it('reads exec and shell forms of CMD and ENTRYPOINT', () => {
    expect(applyChanges({}, ['CMD ["echo","hi"]']).Cmd).toEqual(['echo', 'hi']);
    expect(applyChanges({}, ['CMD echo hi']).Cmd).toEqual(['/bin/sh', '-c', 'echo hi']);
    expect(applyChanges({ Cmd: ['sh'] }, ['ENTRYPOINT ["top"]'])).toEqual({ Cmd: null, Entrypoint: ['top'] });
    expect(applyChanges({}, ['CMD ["-b"]', 'ENTRYPOINT ["top"]'])).toEqual({ Cmd: ['-b'], Entrypoint: ['top'] });
  });

  it('merges ENV, LABEL, EXPOSE and VOLUME into what the image had', () => {
    const result = applyChanges({ Env: ['PATH=/bin', 'A=1'], Labels: { x: 'y' } }, [
      'ENV A=2 B="two words"',
      'env C 3',
      'LABEL version=1.0',
      'EXPOSE 80 53/udp 8000-8001',
      'VOLUME ["/data"]',
      'WORKDIR /srv',
      'USER nobody',
      'STOPSIGNAL SIGINT',
    ]);
    expect(result).toEqual({
      Env: ['PATH=/bin', 'A=2', 'B=two words', 'C=3'],
      Labels: { x: 'y', version: '1.0' },
      ExposedPorts: { '80/tcp': {}, '53/udp': {}, '8000/tcp': {}, '8001/tcp': {} },
      Volumes: { '/data': {} },
      WorkingDir: '/srv',
      User: 'nobody',
      StopSignal: 'SIGINT',
    });
  });

  it('refuses instructions that need a build', () => {
    expect(() => applyChanges({}, ['RUN echo'])).toThrow('run is not a valid change command');
  });

  it('leaves the base untouched', () => {
    const base = { Env: ['A=1'] };
    applyChanges(base, ['ENV A=2']);
    expect(base).toEqual({ Env: ['A=1'] });
  });
});
