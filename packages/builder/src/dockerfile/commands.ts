/**
 * A Dockerfile as typed commands, before variable expansion (BuildKit's `instructions` model):
 * the executor expands words when it dispatches a command, with the build args and ENV in effect then.
 */

/** Where a command came from: the line `Step N/M :` prints and errors name. */
export interface SourceLocation {
  /** 1-based first line of the instruction. */
  line: number;
  /** The instruction as written, continuation lines joined (Docker's `node.Original`). */
  original: string;
}

/** A here-document (`RUN <<EOF`, `COPY <<EOF /dest`). */
export interface Heredoc {
  /** The delimiter word, quotes removed (also the file name of a COPY heredoc). */
  name: string;
  /** The body, ending with a newline; `<<-` already strips leading tabs. */
  content: string;
  /** False when the delimiter was quoted: the body is taken as is, without expansion. */
  expand: boolean;
}

/**
 * `--name=value` flags of an instruction that takes them, unexpanded (quotes removed); a boolean flag (`--link`) that is
 * on has the value `true` and one set to false is left out.
 */
export type Flags = Record<string, string | true>;

export interface CommandBase extends SourceLocation {
  flags: Flags;
}

/** RUN, CMD and ENTRYPOINT: the JSON (exec) form as the array, the shell form as one string. */
export interface CommandLine {
  /** Exec form: the argv; shell form: one element, the text after the keyword (and flags), continuations joined. */
  args: string[];
  /** True for the shell form: the executor prepends the stage's SHELL. */
  prependShell: boolean;
  heredocs: Heredoc[];
}

export interface KeyValue {
  key: string;
  /** Unexpanded: quotes still in place, removed by expansion. */
  value: string;
}

/** HEALTHCHECK's flags as Docker parses them when reading the Dockerfile (never expanded); 0 where not given. */
export interface HealthcheckOptions {
  /** Nanoseconds, as the image config's Healthcheck stores them. */
  interval: number;
  timeout: number;
  startPeriod: number;
  startInterval: number;
  retries: number;
}

export type Command =
  | (CommandBase & { kind: 'RUN' } & CommandLine)
  | (CommandBase & { kind: 'CMD' } & CommandLine)
  | (CommandBase & { kind: 'ENTRYPOINT' } & CommandLine)
  | (CommandBase & { kind: 'SHELL'; shell: string[] })
  | (CommandBase & { kind: 'ENV'; pairs: KeyValue[] })
  | (CommandBase & { kind: 'LABEL'; pairs: KeyValue[] })
  /** `ARG name` or `ARG name=default` (several per line allowed); `value` undefined without a default. */
  | (CommandBase & { kind: 'ARG'; args: { key: string; value?: string }[] })
  /** COPY and ADD: sources and destination unexpanded; heredoc sources in `heredocs`. */
  | (CommandBase & { kind: 'COPY' | 'ADD'; sources: string[]; dest: string; heredocs: Heredoc[] })
  | (CommandBase & { kind: 'EXPOSE'; ports: string[] })
  | (CommandBase & { kind: 'VOLUME'; volumes: string[] })
  | (CommandBase & { kind: 'USER'; user: string })
  | (CommandBase & { kind: 'WORKDIR'; path: string })
  | (CommandBase & { kind: 'STOPSIGNAL'; signal: string })
  | (CommandBase & { kind: 'MAINTAINER'; maintainer: string })
  /** HEALTHCHECK NONE, or CMD with its flags (`--interval` … kept in `flags` as written, and parsed in `options`). */
  | (CommandBase & { kind: 'HEALTHCHECK'; none: true })
  | (CommandBase & { kind: 'HEALTHCHECK'; none: false; test: CommandLine; options: HealthcheckOptions })
  /** ONBUILD: the trigger as written after the keyword (stored in the image's OnBuild as is). */
  | (CommandBase & { kind: 'ONBUILD'; expression: string });

export type CommandKind = Command['kind'];

/** One `FROM … [AS name]` and the commands up to the next FROM. */
export interface Stage extends SourceLocation {
  /** The image, `scratch`, or an earlier stage's name, unexpanded (meta ARGs expand it). */
  base: string;
  /** Lower-cased, as Docker compares stage names; undefined without `AS`. */
  name?: string;
  /** `--platform`, unexpanded. */
  platform?: string;
  commands: Command[];
}

export interface Dockerfile {
  /** Parser directives at the top (`# syntax=`, `# escape=`, `# check=`), keys lower-cased. */
  directives: Record<string, string>;
  /** The escape character in effect (`\` unless `# escape=`). */
  escape: '\\' | '`';
  /** ARGs before the first FROM (their values are usable only in FROM lines, and by a re-declaring ARG). */
  metaArgs: Extract<Command, { kind: 'ARG' }>[];
  stages: Stage[];
}
