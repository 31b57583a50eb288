// Plumbing between an RTP session and the things that want its audio: a source that lets the
// whole-call recorder hear what Ringflow sends, and a sink that hands received frames to several
// listeners (a recording, the whole-call mix).

import { FRAME_SAMPLES, type AudioSink, type AudioSource } from '../audio-frame.ts';

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

/**
 * Received frames fanned out to every attached sink. `onListening` is told when the first sink comes
 * and the last one goes, so the RTP session decodes the caller's audio only while someone listens
 * (most of a call nobody records: 50 decoded frames a second per call saved).
 */
export class SinkFanout implements AudioSink {
  readonly #sinks = new Set<AudioSink>();
  readonly #onListening: (listening: boolean) => void;

  constructor(onListening: (listening: boolean) => void = () => {}) {
    this.#onListening = onListening;
  }

  get listening(): boolean {
    return this.#sinks.size > 0;
  }

  add(sink: AudioSink): void {
    const was = this.listening;
    this.#sinks.add(sink);
    if (!was) this.#onListening(true);
  }

  delete(sink: AudioSink): void {
    if (this.#sinks.delete(sink) && !this.listening) this.#onListening(false);
  }

  write(frame: Int16Array): void {
    for (const sink of this.#sinks) sink.write(frame);
  }
}
