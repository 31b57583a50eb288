/** 8 kHz mono signed 16-bit PCM; one frame = 20 ms = 160 samples. */
export const SAMPLE_RATE = 8000;
export const FRAME_SAMPLES = 160;
export const FRAME_MS = 20;
/**
 * Pulled once per 20 ms by the RTP sender: the next 160 samples, or null when it has nothing to say
 * now (silence is sent). The frame is only good until the next read (a source hands out views of
 * its audio and reuses its buffers, so 50 frames a second per call cost no allocation): read it,
 * or copy it to keep it, and never write into it.
 */
export interface AudioSource { read(): Int16Array | null; }
/** Receives each decoded frame of what the remote party sends, in order (missing frames as silence); a sink that keeps a frame copies it. */
export interface AudioSink { write(frame: Int16Array): void; }
