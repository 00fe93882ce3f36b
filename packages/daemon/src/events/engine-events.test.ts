import { describe, expect, it } from 'vitest';
import { EventLog } from './event-log.js';
import { engineEvents, execAction } from './engine-events.js';

const container = { id: 'c'.repeat(64), name: '/web', imageRef: 'busybox', config: { Labels: { team: 'blue', exitCode: 'label' } } };

function recorder(labels: Record<string, Record<string, string>> = {}) {
  const log = new EventLog();
  return { log, events: engineEvents(log, { imageLabels: (id) => labels[id] }) };
}

describe('engineEvents', () => {
  it('gives container events the labels over the event attributes, and image and name over both (moby order)', () => {
    const { log, events } = recorder();
    events.container('die', container, { exitCode: '0', image: 'spoofed' });
    expect(log.replay(0)[0]).toMatchObject({
      Type: 'container',
      Action: 'die',
      Actor: { ID: container.id, Attributes: { exitCode: 'label', team: 'blue', image: 'busybox', name: 'web' } },
      from: 'busybox',
    });
  });

  it("copies an image's labels while it exists, with the name given", () => {
    const { log, events } = recorder({ 'sha256:a': { tier: 'db', name: 'label' } });
    events.image('tag', 'sha256:a', 'busybox:new');
    events.image('delete', 'sha256:gone', 'sha256:gone');
    expect(log.replay(0).map((e) => e.Actor)).toEqual([
      { ID: 'sha256:a', Attributes: { tier: 'db', name: 'busybox:new' } },
      { ID: 'sha256:gone', Attributes: { name: 'sha256:gone' } },
    ]);
  });

  it('reports volumes by name and prunes with what they reclaimed and no actor', () => {
    const { log, events } = recorder();
    events.volume('unmount', 'data', { driver: 'local', container: 'c1' });
    events.pruned('image', 1234);
    expect(log.replay(0).map(({ Type, Action, Actor }) => ({ Type, Action, Actor }))).toEqual([
      { Type: 'volume', Action: 'unmount', Actor: { ID: 'data', Attributes: { driver: 'local', container: 'c1' } } },
      { Type: 'image', Action: 'prune', Actor: { ID: '', Attributes: { reclaimed: '1234' } } },
    ]);
  });
});

describe('execAction', () => {
  it('joins the command as moby does, keeping the space when there are no arguments', () => {
    expect(execAction('exec_create', ['sh', '-c', 'exit 3'])).toBe('exec_create: sh -c exit 3');
    expect(execAction('exec_start', ['true'])).toBe('exec_start: true ');
  });
});
