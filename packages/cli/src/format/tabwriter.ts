/**
 * Go's text/tabwriter (left-aligned, space padding, no flags), which docker uses for every table.
 * Cells are separated by tabs; only tab-terminated cells form columns, so the last cell of a line
 * is written as is. A column's width is set per block of consecutive lines that have that column.
 */
export interface TabwriterOptions {
  minWidth: number;
  padding: number;
}

/** docker/cli's table formatter: tabwriter.NewWriter(out, 10, 1, 3, ' ', 0). */
export const DOCKER_TABLE: TabwriterOptions = { minWidth: 10, padding: 3 };

export function tabwrite(lines: string[], options: TabwriterOptions): string {
  const cells = lines.map((line) => line.split('\t'));
  const out: string[] = [];
  const widths: number[] = [];

  const writeLines = (from: number, to: number): void => {
    for (let i = from; i < to; i++) {
      out.push(cells[i].map((cell, column) => (column < widths.length ? cell.padEnd(widths[column] - textWidth(cell) + cell.length) : cell)).join(''));
    }
  };

  const hasColumn = (row: number, column: number): boolean => column < cells[row].length - 1;

  const format = (line0: number, line1: number): void => {
    const column = widths.length;
    let start = line0;
    let row = line0;
    while (row < line1) {
      if (!hasColumn(row, column)) {
        row++;
        continue;
      }
      writeLines(start, row);
      start = row;
      let width = options.minWidth;
      for (; row < line1 && hasColumn(row, column); row++) {
        width = Math.max(width, textWidth(cells[row][column]) + options.padding);
      }
      widths.push(width);
      format(start, row);
      widths.pop();
      start = row;
    }
    writeLines(start, line1);
  };

  format(0, cells.length);
  return out.map((line) => `${line}\n`).join('');
}

/** Formats rows as docker prints tables: header first, columns padded by three spaces. */
export function formatTable(rows: string[][]): string {
  return tabwrite(
    rows.map((row) => row.join('\t')),
    DOCKER_TABLE,
  );
}

/** tabwriter measures cells in code points (UTF-8 runes), not UTF-16 units. */
function textWidth(text: string): number {
  return Array.from(text).length;
}
