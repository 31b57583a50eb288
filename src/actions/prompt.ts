// The prompt object shared by gather@v2 and record@v1: text to speak, or a file to play.

import { Type, type Static } from 'typebox';
import type { Media } from '../telephony/port.ts';

export const PromptSchema = Type.Object(
  {
    what: Type.Optional(Type.String({ description: 'Text to speak (a small SSML subset is allowed).' })),
    url: Type.Optional(Type.String({ pattern: '^(https?://\\S+|[^:/\\\\]+)$', description: 'Audio to play instead: an http(s) URL or a media file name (WAV/MP3).' })),
    language: Type.Optional(Type.String({ description: 'Language of the text (default: defaults.language).' })),
    voice: Type.Optional(Type.String({ description: 'Voice name (default: defaults.voice).' })),
  },
  { additionalProperties: false, description: 'Played before listening: { what } or { url }.' },
);
export type Prompt = Static<typeof PromptSchema>;

export function promptMedia(prompt: Prompt, defaults: { language: string; voice: string | undefined }): Media | undefined {
  if (prompt.url) return { type: 'play', url: prompt.url };
  if (prompt.what !== undefined && prompt.what !== '') {
    return { type: 'say', text: prompt.what, language: prompt.language ?? defaults.language, voice: prompt.voice ?? defaults.voice };
  }
  return undefined;
}
