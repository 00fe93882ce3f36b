import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useTestDaemon } from './harness.js';

const d = useTestDaemon();

/** Writes a profile in Docker's format where the docker CLI can read it. */
async function profileFile(name: string, profile: unknown): Promise<string> {
  const path = join(d.root, name);
  await writeFile(path, typeof profile === 'string' ? profile : JSON.stringify(profile, null, 2));
  return path;
}

const DENY_MKDIR = {
  defaultAction: 'SCMP_ACT_ALLOW',
  archMap: [{ architecture: 'SCMP_ARCH_X86_64', subArchitectures: ['SCMP_ARCH_X86', 'SCMP_ARCH_X32'] }],
  syscalls: [{ names: ['mkdir', 'mkdirat'], action: 'SCMP_ACT_ERRNO', errnoRet: 1, comment: 'EPERM for new directories' }],
};

describe('--security-opt seccomp', () => {
  it('applies a custom profile: mkdir fails with EPERM inside the container', async () => {
    const profile = await profileFile('deny-mkdir.json', DENY_MKDIR);
    const denied = await d.dockerCli(['run', '--rm', '--security-opt', `seccomp=${profile}`, 'busybox', 'mkdir', '/x']);
    expect(denied.code).toBe(1);
    expect(denied.stderr).toContain("mkdir: can't create directory '/x': Operation not permitted");
    expect(await d.dockerCli(['run', '--rm', 'busybox', 'mkdir', '/x'])).toMatchObject({ code: 0 });
  });

  it('keeps the profile for execs and shows it in inspect', async () => {
    const profile = await profileFile('deny-mkdir-exec.json', DENY_MKDIR);
    expect((await d.dockerCli(['run', '-d', '--name', 'confined', '--security-opt', `seccomp=${profile}`, 'busybox', 'sleep', '600'])).code).toBe(0);
    const exec = await d.dockerCli(['exec', 'confined', 'mkdir', '/y']);
    expect(exec.stderr).toContain('Operation not permitted');
    const inspect = await d.docker.getContainer('confined').inspect();
    expect(inspect.HostConfig.SecurityOpt?.[0]).toMatch(/^seccomp=\{"defaultAction":"SCMP_ACT_ALLOW"/);
  });

  it('takes seccomp=builtin as the default profile', async () => {
    const out = await d.dockerCli(['run', '--rm', '--security-opt', 'seccomp=builtin', 'busybox', 'grep', '^Seccomp:', '/proc/self/status']);
    expect(out.stdout).toMatch(/Seccomp:\s+2/);
  });

  it('refuses an invalid profile at create with a clear 400', async () => {
    const profile = await profileFile('bad-action.json', { defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['mkdir'], action: 'SCMP_ACT_DENY' }] });
    const refused = await d.dockerCli(['create', '--security-opt', `seccomp=${profile}`, 'busybox', 'true']);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/invalid seccomp profile: syscalls\[0\]\.action must be a seccomp action \(SCMP_ACT_KILL, .*\), not the string "SCMP_ACT_DENY"/);
    const pathNotJson = await d.docker
      .createContainer({ Image: 'busybox', Cmd: ['true'], HostConfig: { SecurityOpt: ['seccomp=/etc/seccomp.json'] } })
      .catch((err: { statusCode: number; json: { message: string } }) => err);
    expect(pathNotJson).toMatchObject({ statusCode: 400, json: { message: expect.stringMatching(/^Decoding seccomp profile failed: .*reads the file for you\)$/) } });
  });
});

describe('--security-opt apparmor, label and unknown keys', () => {
  it('accepts apparmor=unconfined and label=disable, which ask for nothing this host lacks', async () => {
    const out = await d.dockerCli(['run', '--rm', '--security-opt', 'apparmor=unconfined', '--security-opt', 'label=disable', 'busybox', 'echo', 'ran']);
    expect(out).toMatchObject({ code: 0, stdout: 'ran\n' });
  });

  it('refuses an AppArmor profile on a host without AppArmor instead of dropping it', async () => {
    const refused = await d.dockerCli(['run', '--rm', '--security-opt', 'apparmor=docker-default', 'busybox', 'true']);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('AppArmor is not enabled on this host: cannot apply the profile "docker-default" (only apparmor=unconfined is accepted)');
  });

  it('refuses SELinux labels on a host without SELinux', async () => {
    const refused = await d.dockerCli(['run', '--rm', '--security-opt', 'label=type:container_t', 'busybox', 'true']);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('SELinux is not enabled on this host: cannot apply label=type:container_t (only label=disable is accepted)');
  });

  it("refuses unknown and malformed options with moby's messages", async () => {
    const unknown = await d.dockerCli(['create', '--security-opt', 'selinux=off', 'busybox', 'true']);
    expect(unknown.stderr).toContain('invalid --security-opt 2: "selinux=off"');
    const malformed = await d.docker
      .createContainer({ Image: 'busybox', Cmd: ['true'], HostConfig: { SecurityOpt: ['seccomp'] } })
      .catch((err: { statusCode: number; json: { message: string } }) => err);
    expect(malformed).toMatchObject({ statusCode: 400, json: { message: 'invalid --security-opt 1: "seccomp"' } });
  });
});
