import { describe, expect, it } from 'vitest';
import { hostFacts } from './host-facts.js';

describe('hostFacts', () => {
  const facts = hostFacts();

  it("names the machine as docker info does, never Node's x64", () => {
    expect(facts.architecture()).not.toBe('x64');
    expect(facts.architecture()).toMatch(/^[a-z0-9_]+$/);
  });

  it("counts the daemon process's open files and threads from /proc", async () => {
    expect(await facts.openFiles()).toBeGreaterThan(2);
    expect(await facts.threadCount()).toBeGreaterThanOrEqual(1);
  });

  it('gives the cgroup version as 1 or 2', () => {
    expect([1, 2]).toContain(facts.cgroupVersion());
  });
});
