import { describe, expect, it } from 'vitest';
import { formatTable, tabwrite } from './tabwriter.js';

describe('formatTable', () => {
  it('pads every column but the last to its longest cell plus three, at least ten', () => {
    expect(
      formatTable([
        ['REPOSITORY', 'TAG', 'IMAGE ID', 'CREATED', 'SIZE'],
        ['busybox', 'latest', 'beae173ccac6', '2 years ago', '1.24MB'],
      ]),
    ).toBe(
      'REPOSITORY   TAG       IMAGE ID       CREATED       SIZE\n' +
        'busybox      latest    beae173ccac6   2 years ago   1.24MB\n',
    );
  });

  it('pads empty cells and leaves the last column unpadded', () => {
    expect(formatTable([['CONTAINER ID', 'PORTS', 'NAMES'], ['abc', '', 'web']])).toBe(
      'CONTAINER ID   PORTS     NAMES\n' + 'abc                      web\n',
    );
  });

  it('counts code points, so an ellipsis is one column wide', () => {
    expect(formatTable([['"sh -c \'while true…"', 'x'], ['a', 'y']])).toBe('"sh -c \'while true…"   x\n' + 'a                      y\n');
  });
});

describe('tabwrite', () => {
  it('aligns columns per block of lines, as Go does for docker version', () => {
    const text = tabwrite(['Client:', ' Version:\t0.1.0', ' API version:\t1.47', '', 'Server:', '  Version:\t27.5.0'], { minWidth: 20, padding: 1 });
    expect(text).toBe(
      'Client:\n' + ' Version:           0.1.0\n' + ' API version:       1.47\n' + '\n' + 'Server:\n' + '  Version:          27.5.0\n',
    );
  });

  it('lets a longer cell widen only its own block', () => {
    expect(tabwrite(['a\tb', 'longer-than-min\tc', '', 'd\te'], { minWidth: 0, padding: 1 })).toBe(
      'a               b\n' + 'longer-than-min c\n' + '\n' + 'd e\n',
    );
  });
});
