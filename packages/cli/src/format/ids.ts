/** docker's stringid.TruncateID: drops the algorithm prefix and keeps 12 hex digits. */
export function truncateId(id: string): string {
  const hex = id.includes(':') ? id.slice(id.indexOf(':') + 1) : id;
  return hex.slice(0, 12);
}
