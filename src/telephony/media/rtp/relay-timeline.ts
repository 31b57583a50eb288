// Maps a relayed stream (another leg's SSRC, sequence and timestamps) onto the sequence and
// timestamp line of the session that re-sends it, so the far end sees one continuous stream across
// the switch from the session's own audio to relayed audio and back. Offsets are fixed at the first
// relayed packet (and again whenever the relayed stream restarts), so the relayed stream's own
// timing, gaps and reordering pass through unchanged.

import { addSeq, addTs, seqDelta } from './seq.ts';

export interface StreamPosition {
  /** Next sequence number the session would send. */
  seq: number;
  /** Timestamp the session would put on its next frame. */
  timestamp: number;
}

export interface Mapped {
  seq: number;
  timestamp: number;
  /** First packet after a realignment: tells the far end's jitter buffer to resync. */
  marker: boolean;
}

/** A sequence jump beyond this in the relayed stream is a restart, not loss. */
const MAX_JUMP = 100;

export class RelayTimeline {
  #ssrc: number | null = null;
  #lastSeq = 0;
  #seqOffset = 0;
  #tsOffset = 0;

  /** Forget the alignment: the next packet is aligned afresh to where the session stands. */
  reset(): void {
    this.#ssrc = null;
  }

  map(ssrc: number, seq: number, timestamp: number, position: StreamPosition): Mapped {
    let marker = false;
    if (this.#ssrc !== ssrc || Math.abs(seqDelta(this.#lastSeq, seq)) > MAX_JUMP) {
      this.#ssrc = ssrc;
      this.#seqOffset = (position.seq - seq) & 0xffff;
      this.#tsOffset = (position.timestamp - timestamp) >>> 0;
      marker = true;
    }
    if (seqDelta(this.#lastSeq, seq) > 0 || marker) this.#lastSeq = seq;
    return { seq: addSeq(seq, this.#seqOffset), timestamp: addTs(timestamp, this.#tsOffset), marker };
  }
}
