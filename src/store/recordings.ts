// Recordings' metadata; the audio is a WAV file under the server's data folder.

export interface RecordingRecord {
  sid: string;
  tenantId: string;
  runSid: string;
  callSid: string | null;
  /** Path of the WAV file, relative to the recordings folder; null when the audio is not kept. */
  path: string | null;
  durationMs: number;
  format: 'wav';
  created: string;
}

export interface RecordingsRepository {
  create(recording: RecordingRecord): Promise<void>;
  get(tenantId: string, sid: string): Promise<RecordingRecord | undefined>;
  forRun(runSid: string): Promise<RecordingRecord[]>;
}
