/** Docker's error body: `{"message":…}` and a newline (Go's JSON encoder), as bytes so no charset is added to its type. */
export function errorBody(message: string): Buffer {
  return Buffer.from(`${JSON.stringify({ message })}\n`);
}
