// The readable form of a transcript, one line per entry:
//    3.250  +33612345678  say "Hello there" (1.8 s)
// Time in seconds since the origin, then the far party's number, then what happened.

import type { TranscriptEntry } from './transcript.ts';

/** Minimum width of the number column: an E.164 number with its +. */
const NUMBER_WIDTH = 12;

/**
 * Returns a function that formats entries one by one, in order, remembering which number each
 * call sid belongs to (learnt from its `call` or `dial` entry). For printing a transcript live.
 */
export function createTranscriptPrinter(): (entry: TranscriptEntry) => string {
  const numbers = new Map<string, string>();
  return (entry) => {
    if (entry.kind === 'call') numbers.set(entry.callSid, entry.from);
    if (entry.kind === 'dial') numbers.set(entry.callSid, entry.to);
    const time = (entry.at / 1000).toFixed(3).padStart(6);
    const number = (numbers.get(entry.callSid) ?? entry.callSid).padEnd(NUMBER_WIDTH);
    return `${time}  ${number}  ${describeEntry(entry, (sid) => numbers.get(sid) ?? sid)}`;
  };
}

/** The whole transcript as text, one line per entry. */
export function formatTranscript(entries: readonly TranscriptEntry[]): string {
  const print = createTranscriptPrinter();
  return entries.map((entry) => `${print(entry)}\n`).join('');
}

/** What happened, without time or number. `numberOf` names another call (bridges). */
export function describeEntry(entry: TranscriptEntry, numberOf: (sid: string) => string): string {
  switch (entry.kind) {
    case 'call': return `call from ${entry.from} to ${entry.to}`;
    case 'ringing': return 'ringing';
    case 'answered': return 'answered';
    case 'ended': return `ended (${entry.status}): hung up by ${entry.hangupSource}, Q.850 ${entry.hangupCause}`;
    case 'say': return `say ${JSON.stringify(entry.text)} (${secs(entry.durationMs)})${loops(entry.loop)}`;
    case 'play': return `play ${entry.text} (${secs(entry.durationMs)})${loops(entry.loop)}`;
    case 'beep': return 'beep';
    case 'waiting': return 'waiting sound';
    case 'stop': {
      const why = entry.reason === 'key' ? `by key ${entry.key ?? ''}` : entry.reason === 'hangup' ? 'by the hang-up' : 'by the engine';
      return `${entry.media} stopped ${why} after ${secs(entry.playedMs)}`;
    }
    case 'press':
      if (entry.forwardedFrom !== undefined) return `hears key ${entry.text} from ${numberOf(entry.forwardedFrom)}`;
      return entry.lost ? `press ${entry.text} (lost: not answered yet)` : `press ${entry.text}`;
    case 'record':
      if (entry.phase === 'start') {
        if (entry.background) return 'recording the call';
        return `record (max ${secs(entry.maxDurationMs ?? 0)}, silence ${secs(entry.silenceTimeoutMs ?? 0)}` +
          `${entry.finishOnKey ? `, finish on ${entry.finishOnKey}` : ''})`;
      }
      return `recorded ${secs(entry.durationMs)} (${entry.reason})${entry.url ? ` ${entry.url}` : ''}`;
    case 'bridge': return `bridged with ${numberOf(entry.other)}`;
    case 'unbridge': {
      const who = entry.endedBy === 'this' ? 'this side left' : entry.endedBy === 'other' ? 'the other side left' : 'stopped';
      return `unbridged from ${numberOf(entry.other)} (${who}) after ${secs(entry.durationMs)}`;
    }
    case 'dial': return `dial ${entry.to} from ${entry.from} (timeout ${secs(entry.timeoutMs)})`;
    case 'dial-result':
      return entry.hangupCause === undefined
        ? `${entry.outcome} after ${secs(entry.durationMs)}`
        : `${entry.outcome} after ${secs(entry.durationMs)} (Q.850 ${entry.hangupCause})`;
  }
}

/** 1800 → "1.8 s"; 650 → "0.65 s". */
function secs(ms: number): string {
  return `${Number((ms / 1000).toFixed(3))} s`;
}

function loops(loop: number): string {
  if (loop === 1) return '';
  return loop === 0 ? ', looping' : ` ×${loop}`;
}
