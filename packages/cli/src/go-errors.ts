/** A file error in Go's words, as docker prints an os.PathError's reason ("no such file or directory"). */
export function systemMessage(err: unknown): string {
  switch ((err as NodeJS.ErrnoException).code) {
    case 'ENOENT':
      return 'no such file or directory';
    case 'EACCES':
      return 'permission denied';
    case 'EISDIR':
      return 'is a directory';
    case 'ENOTDIR':
      return 'not a directory';
    case 'EEXIST':
      return 'file exists';
    default:
      return (err as Error).message;
  }
}
