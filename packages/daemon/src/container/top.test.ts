import { describe, expect, it } from 'vitest';
import { filterPsOutput } from './top.js';

const PS = `UID          PID    PPID  C STIME TTY          TIME CMD
root           1       0  0 07:00 ?        00:00:01 /sbin/init
root         200       1  0 07:01 ?        00:00:00 sh -c sleep 61 & sleep 62
root         201     200  0 07:01 ?        00:00:00 sleep 61
`;

describe('filterPsOutput', () => {
  it("keeps the container's rows and the command with its spaces", () => {
    expect(filterPsOutput(PS, [200, 201])).toEqual({
      Titles: ['UID', 'PID', 'PPID', 'C', 'STIME', 'TTY', 'TIME', 'CMD'],
      Processes: [
        ['root', '200', '1', '0', '07:01', '?', '00:00:00', 'sh -c sleep 61 & sleep 62'],
        ['root', '201', '200', '0', '07:01', '?', '00:00:00', 'sleep 61'],
      ],
    });
  });

  it('needs a PID column', () => {
    expect(() => filterPsOutput('USER COMMAND\nroot sh\n', [1])).toThrow("Couldn't find PID field in ps output");
  });
});
