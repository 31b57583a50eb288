// baresip (Debian baresip-core 1.0.0) as a headless softphone on loopback: a generated config
// folder in a temporary directory, commands written to its stdin (the stdio + menu modules), call
// states read from its stdout, and the sndfile module recording what it sent (enc) and heard (dec).
//
// Quirks of 1.0.0 this helper absorbs (see ../shared/notes/dependencies.md §6):
// - stdio prints "could not setup terminal" on a pipe but still reads commands; stdin must stay open
//   (it is closed only by stop());
// - ctrl_tcp has no DTMF command, so digits are typed on stdin one by one while a call is up (each is
//   sent as RFC 4733 telephone-event); they are spaced out so baresip sees key press/release per digit;
// - `net_interface lo` fails ("could not get network address"): the address 127.0.0.1 is used, and
//   without it the SDP would advertise eth0;
// - aufile is a source only and needs a WAV with exactly ausrc_srate/channels in S16LE (8 kHz mono);
//   aubridge,nil is the null player;
// - sndfile writes dump-<time>-enc.wav (sent) and dump-<time>-dec.wav (heard), 8 kHz mono, one pair per
//   call, named to the second: a call starting within the same second as the previous one overwrites
//   its pair (wait > 1 s between calls when the recordings matter);
// - its RTP jitter buffer drops repeated RFC 4733 packets: SIPp replaying the same digit pcap twice
//   (identical seq/timestamp/SSRC) is seen only once ("received event" lines in dtmfReceived()).

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './sipp.ts';

export const BARESIP_MODULES = '/usr/lib/baresip/modules';

export interface BaresipOptions {
  /** SIP port on 127.0.0.1 (UDP and TCP). Default: a free one. */
  sipPort?: number;
  /** First RTP port; 20 ports are reserved from there. Default: a free range. */
  rtpPort?: number;
  /** User of the account (the AOR is sip:<user>@127.0.0.1). Default 'tester'. */
  user?: string;
  /** Answer incoming calls by itself (;answermode=auto). Default false. */
  autoAnswer?: boolean;
  /** Codec preference, baresip names. Default 'PCMU,PCMA'. */
  codecs?: string;
  /** WAV played as the microphone: 8 kHz, mono, 16-bit. Default: a generated 3 s two-tone signal. */
  audioSource?: string;
  /** Print the SIP trace (-s) into output(). */
  sipTrace?: boolean;
  /** Extra config lines. */
  extraConfig?: string[];
  /** SIGKILL after this long whatever happens. Default 60 s. */
  lifetimeMs?: number;
}

export type BaresipCallState = 'connecting' | 'progress' | 'ringing' | 'incoming' | 'established' | 'terminated';

const STATE_PATTERNS: Record<BaresipCallState, RegExp> = {
  connecting: /call: connecting to /,
  progress: /call: SIP Progress: (\d{3})/,
  ringing: /call: SIP Progress: 18[03]|Call ringing/i,
  incoming: /Incoming call from|call: answering call on line/,
  established: /Call established: /,
  terminated: /Call with \S+ terminated|call: SIP Failure|session closed/,
};

export interface Baresip {
  readonly child: ChildProcess;
  /** sip:<user>@127.0.0.1:<port>, to call it. */
  readonly uri: string;
  readonly port: number;
  /** The generated config folder (config, accounts, recordings in rec/). */
  readonly dir: string;
  /** Places a call ("/dial <uri>"). */
  dial(uri: string): void;
  /** Answers a ringing incoming call ('a'), when autoAnswer is off. */
  accept(): void;
  /** Types digits while a call is up; each becomes an RFC 4733 event. Resolves after the last one. */
  sendDigits(digits: string, gapMs?: number): Promise<void>;
  /** Hangs up the current call ('b'). */
  hangup(): void;
  /** Writes a raw line to baresip's stdin (e.g. "/listcalls"). */
  command(line: string): void;
  /**
   * Resolves when the state has been printed `occurrence` times in total (default 1; counts from the
   * start, so a second call waits for 2). Rejects on timeout or exit, with the output.
   */
  waitForCallState(state: BaresipCallState, timeoutMs?: number, occurrence?: number): Promise<void>;
  /** Resolves with the match once `re` appears in the output. */
  waitForOutput(re: RegExp, timeoutMs?: number): Promise<RegExpExecArray>;
  /** RFC 4733 digits baresip received (one per "received event: 'X' (end=0)" line). */
  dtmfReceived(): string;
  /** Everything printed so far (status-line redraws removed). */
  output(): string;
  /** The WAV files written so far: enc = what baresip sent, dec = what it heard. */
  recordings(): Promise<{ enc: string[]; dec: string[] }>;
  /** Quits ('q'), SIGKILL after 3 s; resolves with the exit code. Keeps the folder unless removeDir. */
  stop(removeDir?: boolean): Promise<number | null>;
}

const live = new Set<ChildProcess>();
export function killAllBaresip(): void {
  for (const c of live) c.kill('SIGKILL');
  live.clear();
}
process.once('exit', killAllBaresip);

export async function startBaresip(o: BaresipOptions = {}): Promise<Baresip> {
  const dir = await mkdtemp(join(tmpdir(), 'ringflow-baresip-'));
  const recDir = join(dir, 'rec');
  await mkdir(recDir);
  const port = o.sipPort ?? (await freePort());
  const rtpPort = o.rtpPort ?? (await freePort(20));
  const user = o.user ?? 'tester';
  const source = o.audioSource ?? join(dir, 'source.wav');
  if (!o.audioSource) await writeFile(source, toneWav(3, [440, 660]));
  const config = [
    `sip_listen 127.0.0.1:${port}`,
    'net_interface 127.0.0.1',
    `audio_source aufile,${source}`,
    'audio_player aubridge,nil',
    'audio_alert aubridge,nil',
    'ausrc_srate 8000',
    'auplay_srate 8000',
    'ausrc_channels 1',
    'auplay_channels 1',
    `snd_path ${recDir}`,
    `rtp_ports ${rtpPort}-${rtpPort + 19}`,
    'rtp_timeout 0',
    `module_path ${BARESIP_MODULES}`,
    'module stdio.so',
    'module g711.so',
    'module aufile.so',
    'module aubridge.so',
    'module sndfile.so',
    'module_tmp uuid.so',
    'module_tmp account.so',
    'module_app menu.so',
    ...(o.extraConfig ?? []),
  ];
  await writeFile(join(dir, 'config'), config.join('\n') + '\n');
  const answer = o.autoAnswer ? ';answermode=auto' : ';answermode=manual';
  await writeFile(join(dir, 'accounts'), `<sip:${user}@127.0.0.1>;regint=0;audio_codecs=${o.codecs ?? 'PCMU,PCMA'}${answer}\n`);

  const child = spawn('baresip', ['-f', dir, ...(o.sipTrace ? ['-s'] : [])], { cwd: dir, stdio: ['pipe', 'pipe', 'pipe'] });
  live.add(child);
  let out = '';
  const waiters = new Set<() => void>();
  const collect = (c: Buffer) => {
    // Drop the status line redrawn with \r every 100 ms ("[0:00:01] audio=…").
    out += c.toString('utf8').replace(/\[\d+:\d\d:\d\d\] audio=[^\r\n]*?\(bit\/s\)\s*/g, '');
    for (const w of [...waiters]) w();
  };
  child.stdout!.on('data', collect);
  child.stderr!.on('data', collect);
  child.stdin!.on('error', () => {});
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => {
    live.delete(child);
    for (const w of [...waiters]) w();
    r(code);
  }));
  const lifetime = setTimeout(() => child.kill('SIGKILL'), o.lifetimeMs ?? 60_000);
  void exited.then(() => clearTimeout(lifetime));

  const isRunning = () => child.exitCode === null && child.signalCode === null;
  const write = (s: string) => { if (isRunning()) child.stdin!.write(s); };

  const waitForOutput = (re: RegExp, timeoutMs = 10_000, count = 1): Promise<RegExpExecArray> =>
    new Promise((resolve, reject) => {
      const g = new RegExp(re.source, re.flags.includes('g') ? re.flags : re.flags + 'g');
      const check = () => {
        const all = [...out.matchAll(g)];
        if (all.length >= count) {
          done();
          resolve(all[count - 1] as RegExpExecArray);
        } else if (!isRunning()) {
          done();
          reject(new Error(`baresip exited before ${re}:\n${out.slice(-3000)}`));
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`baresip: no ${re} within ${timeoutMs} ms:\n${out.slice(-3000)}`));
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        waiters.delete(check);
      };
      waiters.add(check);
      check();
    });

  try {
    await waitForOutput(/baresip is ready\./, 10_000);
  } catch (e) {
    child.kill('SIGKILL');
    throw e;
  }

  return {
    child,
    uri: `sip:${user}@127.0.0.1:${port}`,
    port,
    dir,
    dial: (uri) => write(`/dial ${uri}\n`),
    accept: () => write('a'),
    hangup: () => write('b'),
    command: (line) => write(line.endsWith('\n') ? line : line + '\n'),
    async sendDigits(digits, gapMs = 300) {
      for (const d of digits) {
        if (!/^[0-9*#A-D]$/.test(d)) throw new Error(`sendDigits: not a DTMF digit: ${d}`);
        write(d);
        await new Promise((r) => setTimeout(r, gapMs));
      }
    },
    async waitForCallState(state, timeoutMs = 10_000, occurrence = 1) {
      await waitForOutput(STATE_PATTERNS[state], timeoutMs, occurrence);
    },
    waitForOutput: (re, timeoutMs) => waitForOutput(re, timeoutMs),
    dtmfReceived: () => [...out.matchAll(/received event: '(.)' \(end=0\)/g)].map((m) => m[1]).join(''),
    output: () => out,
    async recordings() {
      const files = (await readdir(recDir).catch(() => [] as string[])).sort();
      return {
        enc: files.filter((f) => f.endsWith('-enc.wav')).map((f) => join(recDir, f)),
        dec: files.filter((f) => f.endsWith('-dec.wav')).map((f) => join(recDir, f)),
      };
    },
    async stop(removeDir = false) {
      if (isRunning()) {
        write('q');
        const t = setTimeout(() => child.kill('SIGKILL'), 3000);
        void exited.finally(() => clearTimeout(t));
      }
      const code = await exited;
      if (removeDir) await rm(dir, { recursive: true, force: true });
      return code;
    },
  };
}

/** A 16-bit mono 8 kHz WAV of `seconds` of summed sines at −12 dBFS. */
export function toneWav(seconds: number, freqs: readonly number[], rate = 8000): Buffer {
  const n = Math.round(seconds * rate);
  const data = Buffer.alloc(n * 2);
  const amp = 0.25 / freqs.length;
  for (let i = 0; i < n; i++) {
    let v = 0;
    for (const f of freqs) v += Math.sin((2 * Math.PI * f * i) / rate);
    data.writeInt16LE(Math.round(v * amp * 32767), i * 2);
  }
  return Buffer.concat([wavHeader(data.length, rate), data]);
}

function wavHeader(bytes: number, rate: number): Buffer {
  const h = Buffer.alloc(44);
  h.write('RIFF', 0);
  h.writeUInt32LE(36 + bytes, 4);
  h.write('WAVEfmt ', 8);
  h.writeUInt32LE(16, 16);
  h.writeUInt16LE(1, 20);
  h.writeUInt16LE(1, 22);
  h.writeUInt32LE(rate, 24);
  h.writeUInt32LE(rate * 2, 28);
  h.writeUInt16LE(2, 32);
  h.writeUInt16LE(16, 34);
  h.write('data', 36);
  h.writeUInt32LE(bytes, 40);
  return h;
}

/** Reads a 16-bit PCM WAV (as sndfile writes it) and returns its length and RMS (0..1). */
export function wavStats(wav: Buffer): { seconds: number; rms: number; samples: number } {
  let off = 12;
  let rate = 8000;
  let channels = 1;
  while (off + 8 <= wav.length) {
    const id = wav.toString('ascii', off, off + 4);
    let size = wav.readUInt32LE(off + 4);
    if (id === 'fmt ') {
      channels = wav.readUInt16LE(off + 10);
      rate = wav.readUInt32LE(off + 12);
    } else if (id === 'data') {
      // sndfile may leave the size unpatched while the file is open: use what is there.
      if (size === 0 || off + 8 + size > wav.length) size = wav.length - off - 8;
      const samples = Math.floor(size / 2);
      let sum = 0;
      for (let i = 0; i < samples; i++) {
        const v = wav.readInt16LE(off + 8 + i * 2) / 32768;
        sum += v * v;
      }
      return { seconds: samples / channels / rate, rms: samples ? Math.sqrt(sum / samples) : 0, samples };
    }
    off += 8 + size + (size & 1);
  }
  return { seconds: 0, rms: 0, samples: 0 };
}
