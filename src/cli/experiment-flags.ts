/**
 * The command line's flags, read from the experiment schema: every setting has the flag, bounds and default the
 * page uses (the CLI's own defaults are in CLI_DEFAULTS), plus each command's other options (--data, --out, …).
 * A small parser of our own rather than node:util's parseArgs, which reads `--epochs -1` as an ambiguous option
 * instead of a value to refuse with its bound.
 */
import { CliError } from './cli-error';
import { EXPERIMENT_FIELDS, findField, type Experiment, type FieldSpec } from '../lab/experiment/schema';
import { describeBound, parseFieldText } from '../lab/experiment/validate';

/** A command's own option: a value (`--out DIR`), a switch (`--json`), or a value given any number of times. */
export type OtherOption = { kind: 'value' | 'switch' | 'values'; help: string; value?: string };

export interface ParsedCommandLine {
  /** Settings given on the command line, already checked against their bounds. */
  readonly settings: Partial<Experiment>;
  readonly options: Record<string, string | boolean | string[] | undefined>;
  readonly positionals: string[];
}

/** Aliases for flags people type from older docs: `--seed 4` is `--seeds 4`. */
const ALIASES: Record<string, string> = { seed: 'seeds' };

/**
 * Parses `argv`: `--flag value`, `--flag=value`, bare switches. A setting's value is checked at once (the message
 * names the flag and its bound); an unknown flag, a missing value or a repeated setting is refused.
 */
export function parseCommandLine(
  argv: readonly string[],
  others: Record<string, OtherOption>,
  command: string,
): ParsedCommandLine {
  const settings: Record<string, unknown> = {};
  const options: Record<string, string | boolean | string[] | undefined> = {};
  const positionals: string[] = [];
  const args = new ArgReader(argv);
  while (!args.done()) {
    const token = args.take();
    if (!token.startsWith('--')) {
      positionals.push(token);
      continue;
    }
    const eq = token.indexOf('=');
    const typed = token.slice(2, eq < 0 ? undefined : eq);
    const name = ALIASES[typed] ?? typed;
    const inline = eq < 0 ? undefined : token.slice(eq + 1);
    const value = (): string => {
      if (inline !== undefined) return inline;
      if (args.done()) throw new CliError(`--${typed} needs a value`);
      return args.take();
    };
    const field = findField(name);
    if (field && field.flag === name) {
      if (field.key in settings) throw new CliError(`--${name} is given twice`);
      settings[field.key] = readSetting(field, typed, inline, args, value);
      continue;
    }
    const other = others[name];
    if (!other) throw new CliError(`unknown option --${typed} (see xray-lab ${command} --help)`);
    if (other.kind === 'switch') {
      if (inline !== undefined) throw new CliError(`--${typed} takes no value`);
      options[name] = true;
    } else if (other.kind === 'values') {
      options[name] = [...((options[name] as string[] | undefined) ?? []), value()];
    } else {
      if (name in options) throw new CliError(`--${name} is given twice`);
      options[name] = value();
    }
  }
  return { settings: settings as Partial<Experiment>, options, positionals };
}

/** Walks the arguments one at a time. */
class ArgReader {
  private at = 0;
  constructor(private readonly argv: readonly string[]) {}
  done(): boolean {
    return this.at >= this.argv.length;
  }
  peek(): string | undefined {
    return this.argv[this.at];
  }
  take(): string {
    return this.argv[this.at++];
  }
}

function readSetting(
  field: FieldSpec,
  typed: string,
  inline: string | undefined,
  args: ArgReader,
  value: () => string,
): unknown {
  let text: string;
  if (field.kind === 'bool') {
    if (inline === undefined) return true;
    text = inline;
  } else if (field.kind === 'choice' && field.bare !== undefined && inline === undefined) {
    // `--class-weights` alone means its bare value; `--class-weights none` picks one.
    const following = args.peek();
    if (following === undefined || !field.options.map(String).includes(following)) return field.bare;
    text = args.take();
  } else {
    text = value();
  }
  const parsed = parseFieldText(field, text);
  if ('problem' in parsed) throw new CliError(`--${typed} ${parsed.problem}`);
  return parsed.value;
}

/** The settings lines of a command's --help, from the table: flag, what it takes, help, default. */
export function settingsUsage(defaults: Experiment): string {
  return EXPERIMENT_FIELDS.map((f) => {
    const takes = f.kind === 'bool' ? '' : ` ${valueName(f)}`;
    const value = defaults[f.key];
    const shown = Array.isArray(value) ? value.join(',') : value === null ? 'auto' : String(value);
    const fallback = f.kind === 'bool' ? '' : ` [${shown}]`;
    return `    --${f.flag}${takes}  ${f.help}${fallback}; ${describeBound(f)}`;
  }).join('\n');
}

function valueName(f: FieldSpec): string {
  switch (f.kind) {
    case 'int':
      return 'N';
    case 'number':
      return 'X';
    case 'choice':
      return f.options.join('|');
    case 'ints':
      return 'N,N,…';
    case 'models':
      return 'ID,ID,…';
    case 'class':
      return 'CLASS';
    default:
      return '';
  }
}
