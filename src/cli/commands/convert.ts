/**
 * `interlock convert MODEL --to xmile [--out FILE]`: read any model interlock reads and write it
 * as XMILE 1.0 (src/xmile/writer.ts). The file is written whole or not at all.
 */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Command } from 'commander';
import { readModelFile } from '../../node/files.js';
import { writeXmile } from '../../xmile/writer.js';
import { InputError, formatDiagnostic, parseChoice } from '../util.js';

export function registerConvertCommand(program: Command): void {
  program
    .command('convert')
    .description('Write a model (.xmile, .stmx) as XMILE 1.0: to FILE with --out, else to standard output.')
    .argument('<model>', 'the model file to read')
    .option('--to <format>', 'the format to write (xmile)', 'xmile')
    .option('--out <file>', 'where to write (default: standard output)')
    .action((file: string, flags: { to: string; out?: string }) => {
      parseChoice('--to', flags.to, ['xmile'] as const);
      const read = readModelFile(file);
      const errors = read.diagnostics.filter((d) => d.severity === 'error');
      if (!read.model || errors.length)
        throw new InputError(`cannot read ${file}`, errors.length ? errors : read.diagnostics);
      for (const d of read.diagnostics) process.stderr.write(formatDiagnostic(d) + '\n');
      const dyn = read.model.simSpecs.dynamic;
      const changing = [dyn?.stop, dyn?.dt, dyn?.saveStep].filter((n): n is string => !!n);
      if (changing.length)
        process.stderr.write(
          formatDiagnostic({
            severity: 'warning',
            code: 'dynamic-control',
            message: `XMILE's sim specs cannot change during a run: ${changing.join(', ')} written at their values at the start`,
            file,
          }) + '\n',
        );
      const text = writeXmile(read.model);
      if (!flags.out || flags.out === '-') {
        process.stdout.write(text);
        return;
      }
      // Beside the target, then renamed over it: an interrupted write never leaves half a file.
      mkdirSync(dirname(flags.out), { recursive: true });
      const tmp = `${flags.out}.${process.pid}.tmp`;
      writeFileSync(tmp, text);
      renameSync(tmp, flags.out);
    });
}
