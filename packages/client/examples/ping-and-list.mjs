// Pings the engine at BERTH_HOST or DOCKER_HOST (unix:///run/berth/berth.sock by default) and lists its containers.
// Usage: DOCKER_HOST=unix:///run/berth/berth.sock node ping-and-list.mjs
import { BerthClient } from '@berth/client';

const client = new BerthClient();
try {
  console.log(`ping ${client.host}: ${await client.ping()}`);
  const version = await client.version();
  console.log(`engine ${version.Version}, API ${await client.apiVersion()}`);
  const containers = await client.listContainers({ all: true });
  console.log(`${containers.length} container(s)`);
  for (const container of containers) {
    console.log(`${container.Id.slice(0, 12)} ${container.Names[0]?.slice(1)} ${container.Image} ${container.State}`);
  }
} catch (err) {
  console.error(`error: ${err.message}`);
  process.exitCode = 1;
} finally {
  client.close();
}
