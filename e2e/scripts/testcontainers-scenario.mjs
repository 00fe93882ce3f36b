#!/usr/bin/env node
// Drives berthd through testcontainers for Node, as a project's test suite would. Run by
// e2e/src/compat/testcontainers.test.ts inside the test daemon's network namespace (mapped ports answer on
// its 127.0.0.1 only), with DOCKER_HOST set to the daemon's socket and Ryuk disabled. Prints one JSON
// line per step: {"step": name, ...what it saw} or {"step": name, "error": message}.
import { GenericContainer, Network, PullPolicy, Wait, getContainerRuntimeClient } from 'testcontainers';
import { extract } from 'tar-stream';

const IMAGE = 'busybox:latest';
// Built beforehand from tools/debian-image.mjs's context: busybox httpd on 8080 serving /etc/debian_version.
const DEBIAN_IMAGE = 'berth-debian:test';

/** A busybox httpd on 8080 serving `text`, announcing "httpd ready" in its log once the page exists. */
const httpd = (text) =>
  new GenericContainer(IMAGE)
    // The image is loaded beforehand: fail rather than ever reach for a registry.
    .withPullPolicy(PullPolicy.neverPull())
    .withExposedPorts(8080)
    .withCommand(['sh', '-c', `mkdir -p /www && echo ${text} > /www/index.html && echo httpd ready && exec httpd -f -p 8080 -h /www`]);

/** The page a started httpd serves on its mapped port, fetched from here (the daemon's host). */
const page = async (container) => (await fetch(`http://${container.getHost()}:${container.getMappedPort(8080)}/`)).text();

/** Starts an httpd container, takes its page from the host, and stops it. */
const served = async (container) => {
  const started = await container.start();
  try {
    return { body: await page(started), host: started.getHost() };
  } finally {
    await started.stop();
  }
};

/** The files of a tar stream, by name, as text. */
const untar = (stream) =>
  new Promise((resolve, reject) => {
    const files = {};
    const tar = extract();
    tar.on('entry', (header, entry, next) => {
      let body = '';
      entry.on('data', (chunk) => (body += chunk.toString()));
      entry.on('end', () => {
        if (header.type === 'file') files[header.name] = body;
        next();
      });
    });
    tar.on('finish', () => resolve(files));
    tar.on('error', reject);
    stream.on('error', reject);
    stream.pipe(tar);
  });

const steps = {
  async runtime() {
    const { containerRuntime } = (await getContainerRuntimeClient()).info;
    return { host: containerRuntime.host, serverVersion: containerRuntime.serverVersion };
  },

  'wait-log': () => served(httpd('by-log').withWaitStrategy(Wait.forLogMessage('httpd ready'))),

  'wait-port': () => served(httpd('by-port').withWaitStrategy(Wait.forListeningPorts())),

  'wait-health': () =>
    served(
      httpd('by-health')
        .withHealthCheck({ test: ['CMD-SHELL', 'wget -qO- http://127.0.0.1:8080/ >/dev/null'], interval: 200, timeout: 2000, retries: 20 })
        .withWaitStrategy(Wait.forHealthCheck()),
    ),

  async 'exec-copy-stop'() {
    const container = await httpd('copied')
      .withCopyContentToContainer([{ content: 'before start\n', target: '/data/early.txt' }])
      .withWaitStrategy(Wait.forListeningPorts())
      .start();
    let stopped = false;
    try {
      const exec = await container.exec(['sh', '-c', 'echo out; echo err >&2; exit 3']);
      await container.copyContentToContainer([{ content: 'after start\n', target: '/data/late.txt', mode: 0o640 }]);
      const copiedIn = await container.exec(['sh', '-c', 'cat /data/early.txt /data/late.txt; stat -c %a /data/late.txt']);
      const copiedOut = await untar(await container.copyArchiveFromContainer('/www/index.html'));
      const id = container.getId();
      await container.stop({ timeout: 1000 });
      stopped = true;
      return { exec: { exitCode: exec.exitCode, stdout: exec.stdout, stderr: exec.stderr }, copiedIn: copiedIn.output, copiedOut, id };
    } finally {
      if (!stopped) await container.stop();
    }
  },

  async debian() {
    const container = await new GenericContainer(DEBIAN_IMAGE)
      .withPullPolicy(PullPolicy.neverPull())
      .withExposedPorts(8080)
      // The port check runs Debian's sh, cat, awk and grep inside the container.
      .withWaitStrategy(Wait.forAll([Wait.forListeningPorts(), Wait.forHealthCheck()]))
      .start();
    try {
      const osRelease = await container.exec(['cat', '/etc/os-release']);
      return { body: await page(container), osRelease: osRelease.output };
    } finally {
      await container.stop();
    }
  },

  async network() {
    const network = await new Network().start();
    const started = [];
    try {
      const server = await httpd('by-alias').withNetwork(network).withNetworkAliases('web').withWaitStrategy(Wait.forListeningPorts()).start();
      started.push(server);
      const client = await new GenericContainer(IMAGE).withPullPolicy(PullPolicy.neverPull()).withNetwork(network).withCommand(['sleep', '300']).start();
      started.push(client);
      const fetched = await client.exec(['wget', '-qO-', 'http://web:8080/']);
      return { name: network.getName(), networks: client.getNetworkNames(), exitCode: fetched.exitCode, body: fetched.stdout };
    } finally {
      for (const container of started) await container.stop();
      await network.stop();
    }
  },
};

for (const [step, body] of Object.entries(steps)) {
  try {
    console.log(JSON.stringify({ step, ...(await body()) }));
  } catch (error) {
    console.log(JSON.stringify({ step, error: error instanceof Error ? error.message : String(error) }));
  }
}
