/** `interlock export DIR --format arrow|parquet|csv --out FILE`: a results folder as one columnar file. */
import type { Command } from 'commander';
import { EXPORT_FORMATS, writeExport } from '../../experiments/export.js';
import { InputError, parseChoice } from '../util.js';

export function registerExportCommand(program: Command): void {
  program
    .command('export')
    .description(
      'Write a results directory (explore) as one Arrow, Parquet or CSV file for pandas, polars, R, DuckDB',
    )
    .argument('<dir>', 'results directory written by explore')
    .requiredOption('-f, --format <format>', `one of ${EXPORT_FORMATS.join(', ')}`)
    .requiredOption('-o, --out <file>', 'file to write')
    .action((dir: string, opts: { format: string; out: string }) => {
      const format = parseChoice('--format', opts.format, EXPORT_FORMATS);
      let written;
      try {
        written = writeExport(dir, format, opts.out);
      } catch (err) {
        const e = err as NodeJS.ErrnoException;
        if (e.code === 'ENOENT' && e.path && !String(e.path).startsWith(dir)) {
          throw new InputError(`cannot write ${opts.out}: no such directory`);
        }
        if (e.code === 'ENOENT')
          throw new InputError(`${dir}: not a complete results directory (${e.message})`);
        throw new InputError(e.message);
      }
      process.stderr.write(
        `export: ${written.rows.toLocaleString('en-US')} runs -> ${opts.out} (${format})\n`,
      );
    });
}
