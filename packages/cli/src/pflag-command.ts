import { Command, type Option, type ParseOptionsResult } from 'commander';
import { FlagValueError } from './flag-value-error.js';
import { goParseBool } from './go-bool.js';
import { FLAG_VALUE_ERROR, USAGE_ERROR_EXIT_CODE } from './usage-error.js';

/** Go's strconv.ParseBool, with its error as pflag reports it for `flag`. */
export function parseBool(flag: string, text: string): boolean {
  const value = goParseBool(text);
  if (value === undefined) throw new FlagValueError(flag, text, `strconv.ParseBool: parsing ${JSON.stringify(text)}: invalid syntax`);
  return value;
}

/** The flag as pflag names it in errors: `-s, --size` or `--no-trunc`. */
export function pflagName(option: Option): string {
  return option.short && option.long ? `${option.short}, ${option.long}` : (option.long ?? option.short ?? '');
}

const takesValue = (option: Option) => option.required || option.optional;

/** An explicit value given to a boolean flag: which, the value, and where it was written. */
interface BoolAssignment {
  option: Option;
  value: boolean;
  at: number;
}

/**
 * A commander command that also reads the flag forms of docker's parser (pflag) commander lacks: a boolean flag
 * given a value (`--size=false`, `-d=true`, `-as=0`) and a short flag with `=` before its value (`-n=5`).
 */
export class PflagCommand extends Command {
  private stopsAtOperand = false;

  override createCommand(name?: string): Command {
    return new PflagCommand(name);
  }

  override passThroughOptions(passThrough = true): this {
    this.stopsAtOperand = passThrough;
    return super.passThroughOptions(passThrough);
  }

  override parseOptions(args: string[]): ParseOptionsResult {
    const assignments: BoolAssignment[] = [];
    let rewritten: string[];
    try {
      rewritten = this.rewrite(args, assignments);
    } catch (err) {
      if (!(err instanceof FlagValueError)) throw err;
      this.error(err.message, { code: FLAG_VALUE_ERROR, exitCode: USAGE_ERROR_EXIT_CODE });
    }
    const parsed = super.parseOptions(rewritten);
    // As pflag, the last mention of a flag wins: an explicit value holds unless the bare flag comes after it.
    for (const { option, value, at } of assignments) {
      const later = rewritten.slice(at + 1).some((arg) => arg === option.long || arg === option.short);
      if (!later) this.setOptionValueWithSource(option.attributeName(), option.negate ? !value : value, 'cli');
    }
    return parsed;
  }

  private find(flag: string): Option | undefined {
    return this.options.find((option) => option.long === flag || option.short === flag);
  }

  /** `args` in commander's forms, up to where commander stops reading this command's flags; boolean values go to `assignments`. */
  private rewrite(args: string[], assignments: BoolAssignment[]): string[] {
    const out: string[] = [];
    for (let i = 0; i < args.length; i++) {
      const arg = args[i]!;
      if (arg === '--' || (!arg.startsWith('-') && (this.stopsAtOperand || this.commands.length))) return [...out, ...args.slice(i)];
      if (!arg.startsWith('-') || arg === '-') {
        out.push(arg);
        continue;
      }
      const eq = arg.indexOf('=');
      if (arg.startsWith('--')) {
        const option = this.find(eq < 0 ? arg : arg.slice(0, eq));
        if (option && eq >= 0 && !takesValue(option)) {
          assignments.push({ option, value: parseBool(pflagName(option), arg.slice(eq + 1)), at: out.length });
          out.push(option.long!);
          continue;
        }
        out.push(arg);
        // A value in the next argument is the value, whatever it looks like.
        if (option?.required && eq < 0 && i + 1 < args.length) out.push(args[++i]!);
        continue;
      }
      i += this.rewriteShorts(arg, args[i + 1], out, assignments);
    }
    return out;
  }

  /** One `-abc` group as pflag reads it; returns 1 when its last flag took the next argument as its value. */
  private rewriteShorts(arg: string, next: string | undefined, out: string[], assignments: BoolAssignment[]): number {
    for (let at = 1; at < arg.length; at++) {
      const option = this.find(`-${arg[at]}`);
      if (!option) {
        out.push(`-${arg.slice(at)}`);
        return 0;
      }
      const inline = arg[at + 1] === '=' && arg.length > at + 2 ? arg.slice(at + 2) : undefined;
      if (!takesValue(option)) {
        if (inline !== undefined) assignments.push({ option, value: parseBool(pflagName(option), inline), at: out.length });
        out.push(option.short!);
        if (inline !== undefined) return 0;
        continue;
      }
      const value = inline ?? arg.slice(at + 1);
      if (value !== '') {
        out.push(option.short!, value);
        return 0;
      }
      out.push(option.short!, ...(next === undefined ? [] : [next]));
      return next === undefined ? 0 : 1;
    }
    return 0;
  }
}
