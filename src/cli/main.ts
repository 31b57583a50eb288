// The `ringflow` command line: one file per command, wired here.

import { Command, CommanderError } from 'commander';
import { formatLocated, isRingflowError } from '../errors.ts';
import { createEngine } from '../runtime/engine.ts';
import { SimNetwork } from '../telephony/sim/index.ts';
import { SystemClock } from '../time/clock.ts';
import { simulateCommand, type SimulateFlags } from './simulate.ts';
import { validateFiles } from './validate.ts';
import type { ServeFlags } from './serve.ts';
import type { StoreFlags } from './accounts.ts';
import type { CallInFlags } from './call-in.ts';
import type { CallFlags } from './call.ts';

const collect = (value: string, previous: string[]) => [...previous, value];

/** Runs the command line and returns the exit code (0 ok, 1 failed, 2 usage). */
export async function main(argv: readonly string[]): Promise<number> {
  const out = (line: string) => process.stdout.write(`${line}\n`);
  const err = (line: string) => process.stderr.write(`${line}\n`);
  let code = 0;
  const program = new Command()
    .name('ringflow')
    .description('Self-hostable engine for programmable voice calls (Callr Actions-compatible scenarios).')
    .exitOverride()
    .showHelpAfterError();

  program
    .command('validate')
    .description('check scenario files; prints file:line:col: CODE: message for each problem')
    .argument('<files...>', 'scenario YAML files')
    .action(async (files: string[]) => {
      const clock = new SystemClock();
      const engine = await createEngine({ clock, network: new SimNetwork({ clock }) });
      try {
        code = await validateFiles(engine, files, { out, err });
      } finally {
        await engine.close();
      }
    });

  program
    .command('simulate')
    .description('run a scenario on the simulated network and show the transcript')
    .argument('<file>', 'scenario YAML file')
    .option('--branch <name>', 'branch to start (default: inbound-call, else api-initiated)')
    .option('--from <number>', 'caller number (default +15550001111)')
    .option('--to <number>', 'called number (default +15550009999)')
    .option('--var <$name=value>', 'run variable, JSON or text (repeatable)', collect, [])
    .option('--press <keys[@seconds]>', 'keys the caller presses: after the next prompt, or at a time (repeatable)', collect, [])
    .option('--callee <behaviour>', 'how dialed numbers answer: answer, answer@3s, busy, no-answer, reject, invalid, unavailable, error')
    .option('--hangup-at <seconds>', 'the party hangs up at this time')
    .option('--http-allow <hosts>', 'hosts/CIDRs fetch@v2 may reach besides the internet (default: $RINGFLOW_HTTP_ALLOW)')
    .option('--integrations <file>', 'JSON/YAML file giving `integrations` (OAuth tokens and metadata per provider)')
    .option('--recordings <dir>', 'write recordings as WAV files in this folder')
    .option('--start <iso-date>', 'simulated start time (default: now)')
    .option('--verbose', 'also print every step and branch')
    .option('--json', 'print one JSON document (transcript, variables, run, calls, timeline) instead')
    .action(async (file: string, flags: SimulateFlags) => {
      code = await simulateCommand(file, flags, { out, err, keys: process.stdin.isTTY ? process.stdin : undefined });
    });

  const storeOptions = (command: Command) =>
    command
      .option('--config <file>', 'configuration file (default: $RINGFLOW_CONFIG)')
      .option('--database <url>', 'sqlite:PATH or postgres://… (default: $DATABASE_URL, else the data folder)')
      .option('--data-dir <dir>', 'data folder (default ./data)');

  storeOptions(
    program
      .command('serve')
      .description('run the server: HTTP API, runs, deliveries (telephony simulated for now)')
      .option('--host <address>', 'address to listen on (default 127.0.0.1)')
      .option('--port <port>', 'API port (default 8080)')
      .option('--outbound-port <port>', 'also serve the Outbound Call Trigger API on this port (e.g. 22222)'),
  ).action(async (flags: ServeFlags) => {
    // Each command loads what it needs: `validate` does not pay for the HTTP server.
    const { serveCommand } = await import('./serve.ts');
    code = await serveCommand(flags, out);
  });

  const tenants = program.command('tenants').description('manage tenants (accounts)');
  storeOptions(tenants.command('create').description('create a tenant').argument('<name>')).action(async (name: string, flags: StoreFlags) => {
    const { createTenant } = await import('./accounts.ts');
    code = await createTenant(name, flags, out);
  });
  storeOptions(tenants.command('list').description('list tenants')).action(async (flags: StoreFlags) => {
    const { listTenants } = await import('./accounts.ts');
    code = await listTenants(flags, out);
  });

  const keys = program.command('keys').description('manage API keys');
  storeOptions(
    keys.command('create').description('create an API key (printed once)').requiredOption('--tenant <name>', 'tenant name or sid').option('--name <label>', 'a label for the key'),
  ).action(async (flags: StoreFlags & { tenant: string; name?: string }) => {
    const { createKey } = await import('./accounts.ts');
    code = await createKey(flags.tenant, flags.name, flags, out);
  });

  program
    .command('call')
    .description('place a real call through the SIP trunk and run a scenario on it once answered')
    .argument('<number>', 'E.164 number (through telephony.sip.trunks) or sip: address')
    .requiredOption('--scenario <file>', 'scenario YAML file (its outbound-call branch runs)')
    .option('--config <file>', 'configuration file with the trunk (default: $RINGFLOW_CONFIG)')
    .option('--from <number>', 'caller id (default: telephony.callerId)')
    .option('--branch <name>', 'branch to run once answered (default: outbound-call)')
    .option('--var <$name=value>', 'run variable, JSON or text (repeatable)', collect, [])
    .option('--ring-seconds <seconds>', 'how long to let it ring', '30')
    .option('--sip-port <port>', 'local SIP port (default: a free one)')
    .option('--http-allow <hosts>', 'hosts/CIDRs fetch@v2 may reach besides the internet')
    .option('--verbose', 'print every step, and SIP logs')
    .action(async (number: string, flags: CallFlags) => {
      const { callCommand } = await import('./call.ts');
      code = await callCommand(number, flags, out, err);
    });

  program
    .command('call-in')
    .description('place a simulated call into a running server and follow it')
    .argument('<number>', 'the number called (assigned to a scenario)')
    .option('--from <number>', 'caller number', '+15550001111')
    .option('--press <keys[@seconds]>', 'keys the caller presses: after the next prompt, or at a time (repeatable)', collect, [])
    .option('--hangup-at <seconds>', 'the caller hangs up then')
    .option('--api <url>', 'the server', 'http://127.0.0.1:8080')
    .option('--key <key>', 'API key (default: $RINGFLOW_API_KEY)')
    .action(async (number: string, flags: CallInFlags) => {
      const { callInCommand } = await import('./call-in.ts');
      code = await callInCommand(number, flags, out);
    });

  try {
    await program.parseAsync([...argv]);
    return code;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 2;
    if (isRingflowError(e)) {
      err(formatLocated(e));
      return e.code === 'RF_CLI_USAGE' ? 2 : 1;
    }
    throw e;
  }
}
