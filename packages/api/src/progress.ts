/** One line of Docker's JSON-lines progress stream (pull, push, load, build). */
export interface ProgressMessage {
  status?: string;
  id?: string;
  progress?: string;
  progressDetail?: { current?: number; total?: number };
  stream?: string;
  error?: string;
  errorDetail?: { message: string; code?: number };
  aux?: unknown;
}

export function progressLine(message: ProgressMessage): string {
  return `${JSON.stringify(message)}\r\n`;
}
