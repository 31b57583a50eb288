// The simulated network's public entry point (for the CLI, scenario tests and the testing kit).

export { SimNetwork, type CallListener, type InboundOptions, type SimNetworkOptions } from './sim-network.ts';
export { SimCall, type SimCallInit } from './sim-call.ts';
export {
  DEFAULT_ANSWER_AFTER_MS,
  DEFAULT_SPEECH_MS,
  DIAL_DELAYS_MS,
  DIAL_FAILURES,
  LISTEN_PRESS_DELAY_MS,
  PRESS_GAP_MS,
  isDialable,
  normalizeDigits,
  planDial,
  type CalleeBehaviour,
  type DialPlan,
  type PartyScript,
  type Press,
} from './party-script.ts';
export { BEEP_MS, PLAY_URL_MS, SAY_MIN_MS, SAY_MS_PER_CHAR, mediaDurationMs } from './media-timing.ts';
export {
  Transcript,
  type MediaKind,
  type RecordEndReason,
  type TranscriptDetails,
  type TranscriptEntry,
  type TranscriptKind,
  type TranscriptListener,
} from './transcript.ts';
export { createTranscriptPrinter, describeEntry, formatTranscript } from './transcript-format.ts';
export { WAV_SAMPLE_RATE, wavHeader, writeWavFile } from './wav-file.ts';
