/** An IPv4 address in 127.0.0.0/8, or ::1. */
export function isLoopbackAddress(address: string): boolean {
  return /^127\./.test(address) || address === '::1';
}
