#!/usr/bin/env node
// Run the Anchore engine double in the foreground.
//
//   node js/engine-double/main.js --api v1|v2 [--port 8228] [--host 127.0.0.1] [--scenario FILE.json|demo]
//
// Prints the base URL and the credentials, then serves until SIGINT/SIGTERM.
// A scenario file is JSON in the format described in scenarios.js (faults,
// being functions, can only be given programmatically).

import { readFile } from 'node:fs/promises';
import { startEngineDouble } from './server.js';
import { demoScenario } from './scenarios.js';

const USAGE = 'usage: node js/engine-double/main.js --api v1|v2 [--port 8228] [--host 127.0.0.1] [--scenario FILE.json|demo]';

function parseArgs(argv) {
  const opts = { api: 'v1', port: 8228, host: '127.0.0.1', scenario: 'demo' };
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i];
    const [flag, inline] = arg.startsWith('--') && arg.includes('=') ? arg.split(/=(.*)/s) : [arg, undefined];
    const value = () => {
      if (inline !== undefined) return inline;
      if (i + 1 >= argv.length) throw new Error(`${flag} needs a value`);
      i += 1;
      return argv[i];
    };
    switch (flag) {
      case '--api': opts.api = value(); break;
      case '--port': opts.port = Number(value()); break;
      case '--host': opts.host = value(); break;
      case '--scenario': opts.scenario = value(); break;
      case '-h': case '--help': opts.help = true; break;
      default: throw new Error(`unknown argument ${arg}`);
    }
  }
  if (!['v1', 'v2'].includes(opts.api)) throw new Error('--api must be v1 or v2');
  if (!Number.isInteger(opts.port) || opts.port < 0 || opts.port > 65535) throw new Error('--port must be 0..65535');
  return opts;
}

async function main() {
  let opts;
  try {
    opts = parseArgs(process.argv.slice(2));
  } catch (err) {
    console.error(`error: ${err.message}\n${USAGE}`);
    process.exit(2);
  }
  if (opts.help) {
    console.log(USAGE);
    return;
  }
  const scenario = opts.scenario === 'demo'
    ? demoScenario()
    : JSON.parse(await readFile(opts.scenario, 'utf8'));
  const double = await startEngineDouble({ api: opts.api, host: opts.host, port: opts.port, scenario });

  console.log(`anchore engine double (${opts.api} API) listening`);
  console.log(`  url:         ${double.url}`);
  for (const [user, pass] of Object.entries(double.scenario.users)) console.log(`  credentials: ${user} / ${pass}`);
  console.log(`  accounts:    ${double.scenario.accounts.join(', ')}`);
  console.log('  images:');
  for (const [ref, img] of Object.entries(double.scenario.images)) {
    console.log(`    ${ref}  (${img.outcome ?? 'analyzed'} after ${img.analysisMs ?? 2000} ms)`);
  }
  if (opts.api === 'v1') {
    console.log(`  try:         ANCHORE_CLI_URL=${double.url} ANCHORE_CLI_USER=admin ANCHORE_CLI_PASS=foobar anchore-cli image add docker.io/alpine:3.9`);
  }

  const stop = async () => {
    await double.close();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
