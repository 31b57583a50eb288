// Reads a WAV file of any common layout into float channels: PCM 8/16/24/32-bit, IEEE float 32/64,
// G.711 A-law and µ-law, WAVE_FORMAT_EXTENSIBLE. A small reader of our own rather than `wavefile`:
// it yields float channels for the resampler in one pass, without wavefile's per-depth conversions,
// and it reads streamed WAVs whose sizes are placeholders (espeak-ng --stdout writes 0x7FFFF000)
// by stopping at the end of the file.

import alawmulaw from 'alawmulaw';

/** Decoded audio: one Float32Array per channel, samples in [-1, 1]. */
export interface DecodedAudio {
  readonly sampleRate: number;
  readonly channels: Float32Array[];
}

/** The bytes are not audio this decoder can read; the message says why. */
export class AudioFormatError extends Error {
  override name = 'AudioFormatError';
}

const FORMAT_PCM = 1;
const FORMAT_FLOAT = 3;
const FORMAT_ALAW = 6;
const FORMAT_MULAW = 7;
const FORMAT_EXTENSIBLE = 0xfffe;

function ascii(bytes: Uint8Array, at: number): string {
  return String.fromCharCode(bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]);
}

export function isWav(bytes: Uint8Array): boolean {
  return bytes.length >= 12 && ascii(bytes, 0) === 'RIFF' && ascii(bytes, 8) === 'WAVE';
}

interface Format {
  code: number;
  channels: number;
  sampleRate: number;
  bits: number;
}

export function decodeWav(bytes: Uint8Array): DecodedAudio {
  if (!isWav(bytes)) throw new AudioFormatError('not a WAV file (no RIFF/WAVE header)');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let format: Format | undefined;
  let at = 12;
  while (at + 8 <= bytes.length) {
    const id = ascii(bytes, at);
    const declared = view.getUint32(at + 4, true);
    const start = at + 8;
    const size = Math.min(declared, bytes.length - start);
    if (id === 'fmt ') {
      if (size < 16) throw new AudioFormatError('WAV fmt chunk is too short');
      format = {
        code: view.getUint16(start, true),
        channels: view.getUint16(start + 2, true),
        sampleRate: view.getUint32(start + 4, true),
        bits: view.getUint16(start + 14, true),
      };
      if (format.code === FORMAT_EXTENSIBLE) {
        if (size < 26) throw new AudioFormatError('WAV extensible fmt chunk is too short');
        // The first two bytes of the SubFormat GUID are the plain format code.
        format.code = view.getUint16(start + 24, true);
      }
    } else if (id === 'data') {
      if (!format) throw new AudioFormatError('WAV data chunk comes before the fmt chunk');
      return decodeSamples(bytes.subarray(start, start + size), format);
    }
    at = start + declared + (declared & 1); // chunks are padded to an even length
  }
  throw new AudioFormatError(format ? 'WAV file has no data chunk' : 'WAV file has no fmt chunk');
}

function decodeSamples(data: Uint8Array, f: Format): DecodedAudio {
  if (f.channels < 1 || f.channels > 8) throw new AudioFormatError(`WAV with ${f.channels} channels is not supported`);
  if (f.sampleRate < 4000 || f.sampleRate > 384000) throw new AudioFormatError(`WAV sample rate ${f.sampleRate} Hz is not supported`);
  const read = sampleReader(f);
  const width = f.bits / 8;
  const frames = Math.floor(data.length / (width * f.channels));
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const channels = Array.from({ length: f.channels }, () => new Float32Array(frames));
  let at = 0;
  for (let i = 0; i < frames; i++) {
    for (let c = 0; c < f.channels; c++) {
      channels[c][i] = read(view, at);
      at += width;
    }
  }
  return { sampleRate: f.sampleRate, channels };
}

type SampleReader = (view: DataView, at: number) => number;

function sampleReader(f: Format): SampleReader {
  if (f.code === FORMAT_PCM) {
    switch (f.bits) {
      case 8: return (v, at) => (v.getUint8(at) - 128) / 128; // 8-bit WAV is unsigned
      case 16: return (v, at) => v.getInt16(at, true) / 32768;
      case 24: return (v, at) => ((v.getInt8(at + 2) << 16) | (v.getUint8(at + 1) << 8) | v.getUint8(at)) / 8388608;
      case 32: return (v, at) => v.getInt32(at, true) / 2147483648;
    }
  } else if (f.code === FORMAT_FLOAT) {
    if (f.bits === 32) return (v, at) => v.getFloat32(at, true);
    if (f.bits === 64) return (v, at) => v.getFloat64(at, true);
  } else if ((f.code === FORMAT_ALAW || f.code === FORMAT_MULAW) && f.bits === 8) {
    const decode = f.code === FORMAT_ALAW ? alawmulaw.alaw.decodeSample : alawmulaw.mulaw.decodeSample;
    const table = new Float32Array(256).map((_, b) => decode(b) / 32768);
    return (v, at) => table[v.getUint8(at)];
  }
  throw new AudioFormatError(`WAV format ${f.code} with ${f.bits} bits per sample is not supported (use PCM, float, A-law or µ-law)`);
}
