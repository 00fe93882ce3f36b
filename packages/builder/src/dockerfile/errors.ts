import { InvalidArgumentError } from '@berth/api';

/**
 * A Dockerfile Docker refuses to build, worded as the classic builder words it: an instruction's error as
 * `dockerfile parse error on line N: <reason>`, a syntax error of the file as `failed to parse Dockerfile: <reason>`.
 */
export class DockerfileParseError extends InvalidArgumentError {
  constructor(
    message: string,
    /** 1-based line the error is about; 0 for the file as a whole and for an ONBUILD trigger. */
    readonly line: number,
  ) {
    super(message);
  }

  /** An instruction's error (BuildKit's instructions.Parse). */
  static instruction(line: number, reason: string): DockerfileParseError {
    return new DockerfileParseError(`dockerfile parse error on line ${line}: ${reason}`, line);
  }

  /** A syntax error of the file (BuildKit's parser.Parse, which moby prefixes with the file's name). */
  static syntax(name: string, line: number, reason: string): DockerfileParseError {
    return new DockerfileParseError(`failed to parse ${name}: ${reason}`, line);
  }
}
