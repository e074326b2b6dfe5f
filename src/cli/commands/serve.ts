import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import { InputError, UsageError, budgetsFromFlags, parseNumberFlag } from '../util.js';
import { checkBindHost, startServer } from '../../server/app.js';
import { HttpError } from '../../server/http.js';
import { StoreError } from '../../store/store.js';

const DEFAULT_MODEL = 'models/north-korea-russia';

/** `interlock serve`: the browser workbench and its JSON API, on loopback unless told otherwise. */
export function registerServeCommand(program: Command): void {
  program
    .command('serve')
    .description('serve the browser workbench (web app + JSON API, see /api/openapi.json)')
    .argument('[model-or-dir]', `model file or folder to open first (default: ${DEFAULT_MODEL} when present)`)
    .option('--port <n>', 'port to listen on (0 picks a free one)', '4321')
    .option('--host <addr>', 'address to bind (loopback unless you say otherwise)', '127.0.0.1')
    .option('--root <dir>', 'folder from which model paths may be opened (default: the working directory)')
    .option('--db <file|url>', 'evidence store (SQLite file or postgres:// URL) to use for the case evidence')
    .option(
      '--allow-host <name>',
      'a host name clients may address this server by (repeatable; loopback names are always allowed)',
      (v: string, prev: string[]) => [...prev, v],
      [],
    )
    .option(
      '--token <token>',
      'the API token clients must send (default off loopback: a random one, printed)',
    )
    .option(
      '--budget <name=n>',
      'raise or lower a resource budget for the models and experiments served; repeatable',
      (v: string, prev: string[]) => [...prev, v],
      [],
    )
    .action(
      async (
        modelArg: string | undefined,
        opts: {
          port: string;
          host: string;
          root?: string;
          db?: string;
          allowHost: string[];
          token?: string;
          budget: string[];
        },
      ) => {
        const budgets = budgetsFromFlags(opts.budget);
        const refused = checkBindHost(opts.host);
        if (refused) throw new UsageError(refused);
        for (const h of opts.allowHost) {
          if (!/^[a-z0-9.:[\]-]+$/i.test(h) || h === '*' || h.startsWith('.'))
            throw new UsageError(`--allow-host '${h}' is not a host name (no wildcards)`);
        }
        if (opts.token !== undefined && !/^[\x21-\x7e]{16,200}$/.test(opts.token))
          throw new UsageError('--token must be 16 to 200 printable characters without spaces');
        const port = parseNumberFlag('--port', opts.port);
        if (!Number.isInteger(port) || port < 0 || port > 65535)
          throw new UsageError('--port must be 0-65535');
        if (opts.root && !existsSync(opts.root))
          throw new UsageError(`--root: no such folder '${opts.root}'`);
        const model = modelArg ?? (existsSync(DEFAULT_MODEL) ? DEFAULT_MODEL : undefined);
        let running;
        try {
          running = await startServer({
            model,
            port,
            host: opts.host,
            root: opts.root,
            db: opts.db,
            allowHosts: opts.allowHost,
            token: opts.token,
            budgets,
            // The landing page's answers take an ensemble of several thousand runs: start now.
            precomputeAnswers: true,
          });
        } catch (err) {
          if (err instanceof HttpError)
            throw new InputError(
              `${model}: ${err.message}${err.details ? `\n  ${err.details.join('\n  ')}` : ''}`,
            );
          const e = err as NodeJS.ErrnoException;
          if (e.code === 'EADDRINUSE') throw new UsageError(`port ${port} is already in use (try --port 0)`);
          if (e.code === 'EACCES') throw new UsageError(`not allowed to listen on ${opts.host}:${port}`);
          if (e.code === 'EADDRNOTAVAIL' || e.code === 'ENOTFOUND')
            throw new UsageError(`cannot bind to ${opts.host}`);
          if (e.message?.startsWith('no such model') || e.message?.startsWith('no .xmile'))
            throw new InputError(e.message);
          if (err instanceof StoreError) throw new InputError(`--db: ${err.message}`);
          throw err;
        }
        const { url, close, token } = running;
        // The browser app reads the token from the address once, then drops it from the address bar.
        const shown = token ? `${url}?token=${encodeURIComponent(token)}` : url;
        process.stdout.write(`interlock workbench: ${shown}\n(press Ctrl+C to stop)\n`);
        if (!running.workbench.loopbackOnly) {
          process.stderr.write(
            `interlock serve: listening on ${opts.host}, not loopback. API clients must send the token ` +
              `(header x-interlock-token) and address the server as one of: ${[...running.workbench.allowedHosts].join(', ')} ` +
              '(more with --allow-host).\n',
          );
        }
        await new Promise<void>((done) => {
          const stop = () => {
            void close().then(done);
          };
          process.once('SIGINT', stop);
          process.once('SIGTERM', stop);
        });
      },
    );
}
