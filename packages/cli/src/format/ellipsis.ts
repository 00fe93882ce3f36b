/** docker/cli's Ellipsis for text of single-width characters: cut to `max` columns ending in "…". */
export function ellipsis(text: string, max: number): string {
  const chars = Array.from(text);
  if (chars.length <= max) return text;
  return `${chars.slice(0, max - 1).join('')}…`;
}
