// `ringflow call-in NUMBER`: places a simulated call into a running server (telephony simulated) and
// prints what happens on it, live, from the server's event stream.

import { RingflowError } from '../errors.ts';

export interface CallInFlags {
  from: string;
  press: string[];
  hangupAt?: string;
  api: string;
  key?: string;
}

export async function callInCommand(number: string, flags: CallInFlags, out: (line: string) => void): Promise<number> {
  const key = flags.key ?? process.env.RINGFLOW_API_KEY;
  if (!key) throw new RingflowError('RF_CLI_USAGE', { detail: 'an API key is needed: --key KEY or RINGFLOW_API_KEY' });
  const base = flags.api.replace(/\/$/, '');
  const headers = { 'x-api-key': key, 'content-type': 'application/json' };
  // Listen before calling, so no event of the call is missed.
  const stream = await fetch(`${base}/v2.0/events`, { headers: { 'x-api-key': key } });
  if (!stream.ok || !stream.body) throw new RingflowError('RF_CLI_USAGE', { detail: `${base}/v2.0/events answered ${stream.status}: ${await stream.text()}` });
  const body = { from: flags.from, to: number, presses: flags.press, ...(flags.hangupAt === undefined ? {} : { hangupAt: Number(flags.hangupAt) }) };
  const placed = await fetch(`${base}/v2.0/simulator/calls`, { method: 'POST', headers, body: JSON.stringify(body) });
  const answer = (await placed.json()) as { call?: string; run?: string | null; code?: string; message?: string };
  if (!placed.ok) {
    await stream.body.cancel();
    throw new RingflowError('RF_CLI_USAGE', { detail: `${answer.code}: ${answer.message}` });
  }
  if (!answer.run) {
    await stream.body.cancel();
    out(`call ${answer.call}: the number is not routed to a scenario; the call was refused`);
    return 1;
  }
  out(`call ${answer.call} → run ${answer.run}`);
  const decoder = new TextDecoder();
  let buffer = '';
  let status: string | undefined;
  // Leaving the loop (break) releases and cancels the stream.
  reading: for await (const chunk of stream.body) {
    buffer += decoder.decode(chunk, { stream: true });
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const frame = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const data = /^data: (.*)$/m.exec(frame)?.[1];
      if (!data) continue;
      const { run, event } = JSON.parse(data) as { run: string; event: Record<string, any> };
      if (run !== answer.run) continue;
      const line = describe(event);
      if (line) out(`${(event.t / 1000).toFixed(3).padStart(7)}  ${line}`);
      if (event.type === 'run' && event.event === 'ended') {
        status = event.status as string;
        out(`run ${answer.run} ${status}: ${base}/v2.0/runs/${answer.run}`);
        break reading;
      }
    }
  }
  return status === 'completed' ? 0 : 1;
}

function describe(e: Record<string, any>): string | undefined {
  switch (e.type) {
    case 'call':
      return `call ${e.callSid} ${e.event}${e.cdr ? ` (${e.cdr.status}, hung up by ${e.cdr.hangupSource})` : ''}`;
    case 'step': {
      if (e.skipped || !String(e.step).includes('@')) return undefined;
      const text = e.params?.what ?? e.params?.prompt?.what;
      return `${e.step}${text ? ` "${text}"` : ''}${e.result ? ` → ${JSON.stringify(e.result)}` : ''}`;
    }
    case 'http':
      return `http ${e.request.method} ${e.request.url} → ${e.response ? e.response.status : e.error}`;
    case 'log':
    case 'warning':
      return `${e.type} ${e.message}`;
    case 'error':
      return `error ${e.code}: ${e.message}`;
    default:
      return undefined;
  }
}
