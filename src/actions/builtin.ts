// The actions every engine knows. Adding an action: its file, and one line here.

import type { ActionDefinition } from './action.ts';
import { createActionRegistry, type ActionRegistry } from './registry.ts';
import { answer } from './answer.ts';
import { bridge } from './bridge.ts';
import { dial } from './dial.ts';
import { fetch } from './fetch.ts';
import { gather } from './gather.ts';
import { hangup } from './hangup.ts';
import { javascript } from './javascript.ts';
import { log } from './log.ts';
import { memcache } from './memcache.ts';
import { play } from './play.ts';
import { record } from './record.ts';
import { ringing } from './ringing.ts';
import { say } from './say.ts';
import { startRecording } from './start-recording.ts';

export const BUILTIN_ACTIONS: readonly ActionDefinition[] = [
  ringing, answer, hangup, say, play, gather, record, startRecording, dial, bridge, fetch, javascript, memcache, log,
] as unknown as readonly ActionDefinition[];

/** Part of the Callr language, planned for later releases: refused with "not supported yet". */
export const ANNOUNCED_ACTIONS = ['voicebot@v1', 'http-request@v1'] as const;

export function builtinRegistry(): ActionRegistry {
  return createActionRegistry(BUILTIN_ACTIONS, ANNOUNCED_ACTIONS);
}
