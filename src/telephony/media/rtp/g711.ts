// G.711 frames (RFC 3551 §4.5.14): µ-law is static payload type 0 (PCMU), A-law 8 (PCMA).

import alawmulaw from 'alawmulaw';

export type G711Codec = 'PCMU' | 'PCMA';

export const G711_PAYLOAD_TYPE = { PCMU: 0, PCMA: 8 } as const satisfies Record<G711Codec, number>;

/** The codec of a static payload type, or null. */
export function codecOfStaticPayloadType(payloadType: number): G711Codec | null {
  return payloadType === 0 ? 'PCMU' : payloadType === 8 ? 'PCMA' : null;
}

export function encodeG711(codec: G711Codec, pcm: Int16Array): Uint8Array {
  return codec === 'PCMU' ? alawmulaw.mulaw.encode(pcm) : alawmulaw.alaw.encode(pcm);
}

/**
 * Every 16-bit sample's code, indexed by the sample's bit pattern (sample & 0xffff): one table read
 * a sample instead of a function call with its branches, on the path every packet of every call
 * takes. 64 KiB a law, computed once when the module loads, never changed.
 */
function encodeTable(encodeSample: (sample: number) => number): Uint8Array {
  const table = new Uint8Array(65536);
  for (let bits = 0; bits < 65536; bits++) table[bits] = encodeSample(bits >= 32768 ? bits - 65536 : bits);
  return table;
}
const ENCODE = { PCMU: encodeTable(alawmulaw.mulaw.encodeSample), PCMA: encodeTable(alawmulaw.alaw.encodeSample) } as const;

/**
 * Encodes `pcm` into `out` at `offset` (one byte a sample), without allocating: a sender writes the
 * payload straight into its packet.
 */
export function encodeG711Into(codec: G711Codec, pcm: Int16Array, out: Uint8Array, offset: number): void {
  const table = ENCODE[codec];
  for (let i = 0; i < pcm.length; i++) out[offset + i] = table[pcm[i]! & 0xffff]!;
}

export function decodeG711(codec: G711Codec, bytes: Uint8Array): Int16Array {
  return codec === 'PCMU' ? alawmulaw.mulaw.decode(bytes) : alawmulaw.alaw.decode(bytes);
}

/** Re-encodes a payload for the other law; a copy-free no-op when the codecs match. */
export function transcodeG711(from: G711Codec, to: G711Codec, bytes: Uint8Array): Uint8Array {
  return from === to ? bytes : encodeG711(to, decodeG711(from, bytes));
}

/** The code of digital silence, sample value 0: 0xFF in µ-law, 0xD5 in A-law. */
export const G711_SILENCE = { PCMU: 0xff, PCMA: 0xd5 } as const satisfies Record<G711Codec, number>;

/** `samples` bytes of digital silence. */
export function silencePayload(codec: G711Codec, samples: number): Uint8Array {
  return new Uint8Array(samples).fill(G711_SILENCE[codec]);
}
