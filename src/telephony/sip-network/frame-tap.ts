// Plumbing between an RTP session and the things that want its audio: a source that lets the
// whole-call recorder hear what Ringflow sends, and a sink that hands received frames to several
// listeners (a recording, the whole-call mix).

import { FRAME_SAMPLES, type AudioSink, type AudioSource } from '../media/audio-frame.ts';

const SILENCE = new Int16Array(FRAME_SAMPLES);

/** Wraps the source the RTP sender pulls: every frame sent (silence when none) also goes to `tap`. */
export class TappedSource implements AudioSource {
  readonly #source: AudioSource;
  tap: AudioSink | null = null;

  constructor(source: AudioSource) {
    this.#source = source;
  }

  read(): Int16Array | null {
    const frame = this.#source.read();
    this.tap?.write(frame ?? SILENCE);
    return frame;
  }
}

/** Received frames fanned out to every attached sink. */
export class SinkFanout implements AudioSink {
  readonly #sinks = new Set<AudioSink>();

  add(sink: AudioSink): void {
    this.#sinks.add(sink);
  }

  delete(sink: AudioSink): void {
    this.#sinks.delete(sink);
  }

  write(frame: Int16Array): void {
    for (const sink of this.#sinks) sink.write(frame);
  }
}
