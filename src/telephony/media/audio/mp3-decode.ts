// MP3 prompts (MPEG-1/2 layer I–III) through mpg123 compiled to WASM: no native build, no ffmpeg.
// Decoded in a worker thread: two minutes of MP3 take ~0.25 s of CPU, which on the main thread
// would stall the 20 ms RTP pacing of every other call. A worker per file is ~30 ms more, paid
// once since prompts are cached.

import { MPEGDecoderWebWorker } from 'mpg123-decoder';
import { AudioFormatError, type DecodedAudio } from './wav-decode.ts';

/** An ID3v2 tag, or an MPEG audio frame sync (11 set bits) with a valid layer. */
export function isMp3(bytes: Uint8Array): boolean {
  if (bytes.length >= 3 && bytes[0] === 0x49 && bytes[1] === 0x44 && bytes[2] === 0x33) return true; // "ID3"
  return bytes.length >= 2 && bytes[0] === 0xff && (bytes[1] & 0xe0) === 0xe0 && (bytes[1] & 0x06) !== 0;
}

export async function decodeMp3(bytes: Uint8Array): Promise<DecodedAudio> {
  const decoder = new MPEGDecoderWebWorker();
  try {
    await decoder.ready;
    const decoded = await decoder.decode(bytes);
    if (decoded.samplesDecoded === 0 || decoded.channelData.length === 0) {
      throw new AudioFormatError(`no MP3 audio could be decoded${decoded.errors.length ? ` (${decoded.errors[0].message})` : ''}`);
    }
    return { sampleRate: decoded.sampleRate, channels: decoded.channelData.map((ch) => ch.subarray(0, decoded.samplesDecoded)) };
  } finally {
    await decoder.free();
  }
}
