import { describe, expect, it } from 'vitest';
import { parseProcLimits, readHostRlimits } from './host-rlimits.js';

const LIMITS = `Limit                     Soft Limit           Hard Limit           Units     
Max cpu time              unlimited            unlimited            seconds   
Max stack size            8388608              unlimited            bytes     
Max processes             96365                96365                processes 
Max open files            1024                 20000                files     
Max nice priority         0                    0                    
Max realtime timeout      unlimited            unlimited            us        
`;

describe('parseProcLimits', () => {
  it('maps descriptions to RLIMIT names and unlimited to Infinity', () => {
    expect(parseProcLimits(LIMITS)).toEqual({
      RLIMIT_CPU: { soft: Infinity, hard: Infinity },
      RLIMIT_STACK: { soft: 8388608, hard: Infinity },
      RLIMIT_NPROC: { soft: 96365, hard: 96365 },
      RLIMIT_NOFILE: { soft: 1024, hard: 20000 },
      RLIMIT_NICE: { soft: 0, hard: 0 },
      RLIMIT_RTTIME: { soft: Infinity, hard: Infinity },
    });
  });

  it('reads this process', () => {
    expect(readHostRlimits().RLIMIT_NOFILE.hard).toBeGreaterThan(0);
  });
});
