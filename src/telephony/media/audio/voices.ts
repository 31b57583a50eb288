// Which engine and voice speak a say@v2 `language` (BCP-47: en-US, fr-FR…) or an explicit `voice`
// param (`flite:slt`, `espeak:fr`). flite sounds better and is faster but only speaks English, so
// English goes to flite and every other language to espeak-ng when it is installed. When it is not,
// the English flite voice reads the text (badly, but the call goes on) and the caller is warned.
// docs/voices.md is the user-facing version of these tables: keep the two in step.

import { MediaError } from './media-error.ts';

export type TtsEngine = 'flite' | 'espeak';

export interface VoiceChoice {
  readonly engine: TtsEngine;
  readonly voice: string;
  /** Set when the choice is a fallback the operator should hear about (log it). */
  readonly warning?: string;
}

/** The flite voices (US English unless noted). */
export const FLITE_VOICES: readonly string[] = ['slt', 'kal', 'kal16', 'rms', 'awb'];

/** The default flite voice: slt (US English, female) is the clearest of them on the phone. */
export const DEFAULT_FLITE_VOICE = 'slt';

/** English language tags with a flite voice closer than the default. awb is Scottish English. */
const FLITE_BY_LANGUAGE: Readonly<Record<string, string>> = {
  'en-gb': 'awb',
  'en-ie': 'awb',
};

/** Tags whose espeak-ng voice has another name than the tag itself or its primary language. */
const ESPEAK_ALIASES: Readonly<Record<string, string>> = {
  'es-mx': 'es-419',
  'es-us': 'es-419',
  'es-ar': 'es-419',
  'es-co': 'es-419',
  'es-cl': 'es-419',
  'es-pe': 'es-419',
  'es-ve': 'es-419',
  'es-419': 'es-419',
  'pt-pt': 'pt',
  'zh': 'cmn',
  'zh-cn': 'cmn',
  'zh-tw': 'cmn',
  'zh-hk': 'yue',
  'no': 'nb',
  'nn': 'nb',
};

const ENGINE_PREFIXES: Readonly<Record<string, TtsEngine>> = { flite: 'flite', espeak: 'espeak', 'espeak-ng': 'espeak' };

export const DEFAULT_LANGUAGE = 'en-US';

/**
 * Picks the engine and voice.
 * @param language BCP-47 tag; empty means en-US.
 * @param voice the `voice` param, if any: `engine:name` or a bare flite voice name.
 * @param espeakVoices the voices of the installed espeak-ng (see EspeakProvider.listVoices), or null when it is absent.
 */
export function chooseVoice(language: string | undefined, voice: string | undefined, espeakVoices: readonly string[] | null): VoiceChoice {
  const tag = (language?.trim() || DEFAULT_LANGUAGE).toLowerCase().replace(/_/g, '-');
  if (voice?.trim()) {
    const picked = parseVoiceParam(voice.trim(), espeakVoices);
    if (picked.engine === 'espeak' && !espeakVoices) {
      const fallback = chooseForLanguage(tag, null);
      return { ...fallback, warning: `the voice "${voice}" needs espeak-ng, which is not installed; using flite:${fallback.voice} instead (apt-get install espeak-ng)` };
    }
    return picked;
  }
  return chooseForLanguage(tag, espeakVoices);
}

function chooseForLanguage(tag: string, espeakVoices: readonly string[] | null): VoiceChoice {
  const primary = tag.split('-')[0];
  if (primary === 'en') return { engine: 'flite', voice: FLITE_BY_LANGUAGE[tag] ?? DEFAULT_FLITE_VOICE };
  if (!espeakVoices) {
    return { engine: 'flite', voice: DEFAULT_FLITE_VOICE, warning: `no voice for "${tag}": espeak-ng is not installed, so the English flite voice reads this text (apt-get install espeak-ng)` };
  }
  const espeak = espeakVoiceFor(tag, espeakVoices);
  if (espeak) return { engine: 'espeak', voice: espeak };
  return { engine: 'flite', voice: DEFAULT_FLITE_VOICE, warning: `no voice for "${tag}": espeak-ng has no such language, so the English flite voice reads this text` };
}

/** The espeak-ng voice for a lower-case tag: the tag itself (pt-br), an alias (es-mx), its primary language (de-de → de). */
export function espeakVoiceFor(tag: string, espeakVoices: readonly string[]): string | null {
  for (const candidate of [tag, ESPEAK_ALIASES[tag], ESPEAK_ALIASES[tag.split('-')[0]], tag.split('-')[0]]) {
    if (candidate && espeakVoices.includes(candidate)) return candidate;
  }
  return null;
}

function parseVoiceParam(voice: string, espeakVoices: readonly string[] | null): VoiceChoice {
  const colon = voice.indexOf(':');
  if (colon < 0) {
    // A bare name: a flite voice, else an espeak-ng language.
    if (FLITE_VOICES.includes(voice)) return { engine: 'flite', voice };
    if (espeakVoices?.includes(voice.toLowerCase().split('+')[0])) return { engine: 'espeak', voice: voice.toLowerCase() };
    throw unknown(voice);
  }
  const engine = ENGINE_PREFIXES[voice.slice(0, colon).toLowerCase()];
  const name = voice.slice(colon + 1);
  if (!engine || !name) throw unknown(voice);
  return { engine, voice: engine === 'espeak' ? name.toLowerCase() : name };
}

function unknown(voice: string): MediaError {
  return new MediaError('RF_MEDIA_VOICE', 'unknown-voice', `unknown voice "${voice}": use flite:NAME (${FLITE_VOICES.join(', ')}) or espeak:LANGUAGE (fr, de, es, …)`);
}
