/** The longest delay setTimeout takes: a longer one fires after 1 ms (with a TimeoutOverflowWarning). */
const MAX_TIMEOUT_MS = 2 ** 31 - 1;

/** Calls `callback` after `delayMs`, however long (an `until` months away); returns what cancels it. */
export function setLongTimeout(callback: () => void, delayMs: number): () => void {
  let timer: NodeJS.Timeout;
  const arm = (left: number): void => {
    timer = left > MAX_TIMEOUT_MS ? setTimeout(() => arm(left - MAX_TIMEOUT_MS), MAX_TIMEOUT_MS) : setTimeout(callback, left);
  };
  arm(delayMs);
  return () => clearTimeout(timer);
}
