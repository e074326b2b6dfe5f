#!/usr/bin/env node
// `npm run loadtest`: a bounded load test of `interlock serve` on loopback (it starts its own
// server from dist/ on a free port and stops it at the end; nothing else is contacted).
//   1. requests/s and p50/p99 per endpoint at 50 connections (--seconds each, default 5);
//   2. /api/health latency while 20 experiments are started and two model bombs are uploaded;
//   3. the server's resident memory before and after.
// Prints a Markdown table for docs/results.md.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const secondsArg = args.indexOf('--seconds');
const SECONDS = secondsArg >= 0 ? Number(args[secondsArg + 1]) : 5;
const CONNECTIONS = 50;

const server = spawn(
  process.execPath,
  ['bin/interlock.js', 'serve', 'models/north-korea-russia', '--port', '0'],
  {
    cwd: repo,
    stdio: ['ignore', 'pipe', 'inherit'],
  },
);
const stopServer = () => {
  if (server.exitCode === null) server.kill('SIGTERM');
};
process.on('exit', stopServer);
const base = await new Promise((done, fail) => {
  let out = '';
  const timer = setTimeout(() => fail(new Error('the server did not start within 60 s')), 60_000);
  server.stdout.on('data', (d) => {
    out += d;
    const m = /(http:\/\/127\.0\.0\.1:\d+)\//.exec(out);
    if (m) {
      clearTimeout(timer);
      done(m[1]);
    }
  });
});
const agent = new Agent({ keepAlive: true, maxSockets: CONNECTIONS * 2 });
const { hostname, port } = new URL(base);

function call(method, path, body, headers = {}) {
  const t0 = performance.now();
  return new Promise((done) => {
    const req = request({ host: hostname, port, method, path, agent, headers }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () =>
        done({
          status: res.statusCode,
          ms: performance.now() - t0,
          body: Buffer.concat(chunks).toString('utf8'),
        }),
      );
    });
    req.on('error', (err) => done({ status: 0, ms: performance.now() - t0, body: err.message }));
    if (body !== undefined) req.write(body);
    req.end();
  });
}

// Without spreading: a long stress period collects more samples than a call's arguments hold.
const maxOf = (xs) => xs.reduce((m, x) => (x > m ? x : m), -Infinity);
const quantile = (xs, q) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor(q * s.length))] : NaN;
};
const rssMb = () => {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${server.pid}/status`, 'utf8'));
    return m ? Math.round(Number(m[1]) / 1024) : NaN;
  } catch {
    return NaN;
  }
};

/** `connections` loops calling `path` until `until()` is true; latencies and failures. */
async function hammer(path, connections, until) {
  const ms = [];
  let failed = 0;
  await Promise.all(
    Array.from({ length: connections }, async () => {
      while (!until()) {
        const r = await call('GET', path);
        if (r.status === 200) ms.push(r.ms);
        else failed++;
      }
    }),
  );
  return { ms, failed };
}

const rows = [];
const rssBefore = rssMb();
await call('GET', '/api/health');
for (const path of ['/api/health', '/api/models', '/api/models/default', '/api/openapi.json']) {
  const end = performance.now() + SECONDS * 1000;
  const { ms, failed } = await hammer(path, CONNECTIONS, () => performance.now() > end);
  rows.push({
    what: `GET ${path}`,
    rps: Math.round(ms.length / SECONDS),
    p50: quantile(ms, 0.5),
    p99: quantile(ms, 0.99),
    max: maxOf(ms),
    failed,
  });
  process.stderr.write(`loadtest: ${path} done\n`);
}

// Under load: 20 experiment starts and two bombs (one over the elements budget, one within it
// but too heavy for the model worker's limits), while 10 connections poll /api/health.
const heavy = (size, eqn) => `<?xml version="1.0" encoding="utf-8"?>
<xmile version="1.0" xmlns="http://docs.oasis-open.org/xmile/ns/XMILE/v1.0">
<header><name>bomb</name></header>
<sim_specs><start>0</start><stop>1</stop><dt>1</dt></sim_specs>
<dimensions>${size}</dimensions>
<model><variables><aux name="x"><dimensions><dim name="A"/></dimensions><eqn>${eqn}</eqn></aux></variables></model>
</xmile>`;
let stressing = true;
const health = hammer('/api/health', 10, () => !stressing);
const t0 = performance.now();
const posts = [];
const started = [];
for (let i = 0; i < 20; i++) {
  posts.push(
    call('POST', '/api/experiments', JSON.stringify({ model: 'default', samples: 200, seed: i + 1 }), {
      'content-type': 'application/json',
    }).then((r) => {
      if (r.status === 202) started.push(JSON.parse(r.body).id);
      return r.status;
    }),
  );
}
const bombs = [
  call('POST', '/api/models', heavy('<dim name="A" size="1000000"/>', '1'), {
    'content-type': 'application/xml',
  }),
  call(
    'POST',
    '/api/models',
    heavy('<dim name="A" size="190000"/>', 'SMTH1(TIME * A, 2) + SIN(A) * COS(A)'),
    {
      'content-type': 'application/xml',
    },
  ),
];
const postStatuses = await Promise.all(posts);
const bombAnswers = await Promise.all(bombs);
// Wait (bounded: 5 minutes) for the experiments to finish.
const statuses = {};
for (;;) {
  const states = await Promise.all(started.map((id) => call('GET', `/api/experiments/${id}`)));
  // A kept-alive socket the server has just closed resets: that poll says nothing; ask again.
  if (states.some((s) => s.status !== 200)) {
    await new Promise((r) => setTimeout(r, 250));
    continue;
  }
  const parsed = states.map((s) => JSON.parse(s.body).status);
  for (const k of Object.keys(statuses)) delete statuses[k];
  for (const p of parsed) statuses[p] = (statuses[p] ?? 0) + 1;
  if (parsed.every((p) => p !== 'running' && p !== 'queued') || performance.now() - t0 > 300_000) break;
  await new Promise((r) => setTimeout(r, 250));
}
stressing = false;
const stressSeconds = (performance.now() - t0) / 1000;
const h = await health;
const rssAfter = rssMb();
stopServer();

const fmt = (x) => (Number.isFinite(x) ? x.toFixed(1) : '-');
const lines = [
  `| request | requests/s | p50 ms | p99 ms | max ms | failed |`,
  `| --- | ---: | ---: | ---: | ---: | ---: |`,
  ...rows.map(
    (r) =>
      `| ${r.what} (${CONNECTIONS} connections) | ${r.rps} | ${fmt(r.p50)} | ${fmt(r.p99)} | ${fmt(r.max)} | ${r.failed} |`,
  ),
  `| GET /api/health during 20 experiment starts + 2 bombs (10 connections, ${stressSeconds.toFixed(0)} s) | ${Math.round(h.ms.length / stressSeconds)} | ${fmt(quantile(h.ms, 0.5))} | ${fmt(quantile(h.ms, 0.99))} | ${fmt(maxOf(h.ms))} | ${h.failed} |`,
];
process.stdout.write(lines.join('\n') + '\n\n');
process.stdout.write(
  `experiment starts: ${postStatuses.filter((s) => s === 202).length} accepted (202), others ${JSON.stringify(postStatuses.filter((s) => s !== 202))}; ` +
    `final states ${JSON.stringify(statuses)}\n` +
    `bombs: ${bombAnswers.map((b) => `${b.status} ${JSON.parse(b.body).error ?? ''} (${(b.ms / 1000).toFixed(1)} s)`).join('; ')}\n` +
    `server RSS: ${rssBefore} MB before, ${rssAfter} MB after\n`,
);
process.exit(0);
