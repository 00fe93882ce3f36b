import type { ContainerRecord } from '../../container/record.js';
import { initialRunState } from '../../container/state.js';

/** A minimal container record for the store's tests: its id is `id` repeated to 64 characters. */
export function testRecord(id: string, name = `/c${id}`): ContainerRecord {
  return {
    id: id.repeat(64),
    name,
    created: '2024-01-01T00:00:00Z',
    imageRef: 'busybox',
    imageId: `sha256:${'b'.repeat(64)}`,
    imageChainId: null,
    path: 'sh',
    args: [],
    config: {},
    hostConfig: {},
    state: initialRunState(),
    restartCount: 0,
    manuallyStopped: false,
  };
}
