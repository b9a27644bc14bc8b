/**
 * Command-line arguments for the CLIs: node:util parseArgs with `--help` / `-h`,
 * the usage printed to stdout on --help (exit 0) and after the error on stderr
 * for a bad argument (exit 2).
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';

type Options = NonNullable<ParseArgsConfig['options']>;
type Parsed<O extends Options> = ReturnType<typeof parseArgs<{ options: O; allowPositionals: true }>>;

export function parseCli<const O extends Options>(usage: string, options: O, allowPositionals = false): Parsed<O> {
  let args: Parsed<O>;
  try {
    args = parseArgs({ allowPositionals, options: { ...options, help: { type: 'boolean', short: 'h', default: false } } }) as unknown as Parsed<O>;
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n${usage}\n`);
    process.exit(2);
  }
  if ((args.values as { help?: boolean }).help) {
    process.stdout.write(usage + '\n');
    process.exit(0);
  }
  return args;
}
