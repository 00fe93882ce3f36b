import { describe, expect, it } from 'vitest';
import type { ProgressMessage } from '@berth/api';
import { ProgressDisplay } from './progress-display.js';

function shown(messages: ProgressMessage[], width: number | undefined): string {
  let text = '';
  const display = new ProgressDisplay({ write: (chunk) => (text += chunk), terminalWidth: () => width });
  for (const message of messages) display.show(message);
  return text;
}

const pull: ProgressMessage[] = [
  { status: 'Pulling from library/busybox', id: 'latest' },
  { status: 'Pulling fs layer', progressDetail: {}, id: 'aaa' },
  { status: 'Pulling fs layer', progressDetail: {}, id: 'bbb' },
  { status: 'Downloading', progressDetail: { current: 500, total: 1000 }, id: 'aaa' },
  { status: 'Pull complete', progressDetail: {}, id: 'aaa' },
  { status: 'Digest: sha256:00' },
  { progressDetail: {}, aux: { Tag: 'v1' } },
];

describe('ProgressDisplay', () => {
  it('prints one line per status without a terminal, leaving out counts and aux messages', () => {
    expect(shown(pull, undefined)).toBe('latest: Pulling from library/busybox\naaa: Pulling fs layer\nbbb: Pulling fs layer\naaa: Pull complete\nDigest: sha256:00\n');
  });

  it('keeps a line per layer on a terminal, redrawn with cursor moves as the docker CLI does', () => {
    const bar = `[${'='.repeat(25)}>${' '.repeat(25)}]     500B/1kB`;
    expect(shown(pull, 120)).toBe(
      'latest: Pulling from library/busybox\n' +
        '\n\x1b[1A\x1b[2K\raaa: Pulling fs layer \r\x1b[1B' +
        '\n\x1b[1A\x1b[2K\rbbb: Pulling fs layer \r\x1b[1B' +
        `\x1b[2A\x1b[2K\raaa: Downloading ${bar}\r\x1b[2B` +
        '\x1b[2A\x1b[2K\raaa: Pull complete \r\x1b[2B' +
        'Digest: sha256:00\n',
    );
  });

  it('starts a new block after a line without a layer id', () => {
    const messages: ProgressMessage[] = [
      { status: 'Pulling fs layer', progressDetail: {}, id: 'aaa' },
      { status: 'Status: done' },
      { status: 'Waiting', progressDetail: {}, id: 'aaa' },
    ];
    expect(shown(messages, 80)).toBe('\n\x1b[1A\x1b[2K\raaa: Pulling fs layer \r\x1b[1BStatus: done\n\n\x1b[1A\x1b[2K\raaa: Waiting \r\x1b[1B');
  });
});
