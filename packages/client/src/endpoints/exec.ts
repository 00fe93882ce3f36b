import type { ExecCreateRequest, ExecStartRequest } from '@berth/api';
import { outputCopier } from '../output-copy.js';
import { pathParam } from '../query.js';
import { isMultiplexed } from '../response.js';
import type { Transport } from '../transport.js';
import type { ContainerAttachment } from './container-io.js';

export interface ExecState {
  ExitCode: number | null;
  Running: boolean;
  Pid: number;
}

export function createExec(transport: Transport, containerId: string, config: ExecCreateRequest): Promise<{ Id: string }> {
  return transport.json('POST', `/containers/${pathParam(containerId)}/exec`, { body: config });
}

export async function startExec(transport: Transport, execId: string, options: { tty: boolean }): Promise<ContainerAttachment> {
  const body = { Detach: false, Tty: options.tty } satisfies ExecStartRequest;
  const { socket, response } = await transport.hijack('POST', `/exec/${pathParam(execId)}/start`, { body });
  const multiplexed = isMultiplexed(response, options.tty);
  return { socket, multiplexed, copyOutput: outputCopier(socket, multiplexed) };
}

export function startExecDetached(transport: Transport, execId: string): Promise<void> {
  return transport.call('POST', `/exec/${pathParam(execId)}/start`, { body: { Detach: true, Tty: false } satisfies ExecStartRequest });
}

export function inspectExec(transport: Transport, execId: string): Promise<ExecState> {
  return transport.json('GET', `/exec/${pathParam(execId)}/json`);
}
