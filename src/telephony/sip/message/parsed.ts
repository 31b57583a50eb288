// Parsed header values kept with the message they belong to, so that the layers a message goes
// through (validation, the transport's Via stamp, transaction and dialog keys, the call's parties)
// parse each value once. Entries are keyed by the value itself: a header that changes (setHeader,
// the stamped Via, any direct edit of `headers`) has a new value, which is simply parsed anew, so
// nothing ever needs invalidating. The parsed forms are shared: read them, never change them.

import { parseCSeq } from './cseq.ts';
import { parseNameAddr } from './nameaddr.ts';
import type { CSeq, NameAddr, SipMessage, SipUri, Via } from './types.ts';
import { parseUri } from './uri.ts';
import { parseVia } from './via.ts';

/** A parsed form as shared by the memo: readonly all the way down. */
export type Shared<T> = { readonly [K in keyof T]: T[K] extends object ? Shared<T[K]> : T[K] };

/**
 * The parsers whose results are kept; their index in this list tells the entries apart, so that
 * one text read in two ways (a URI, a name-addr) keeps both.
 */
const PARSERS: readonly ((text: string) => unknown)[] = [parseUri, parseNameAddr, parseVia, parseCSeq];

/**
 * Parser index, text, result, one triple after the other: a message has a handful of values worth
 * keeping, and a scan over so few costs less than making maps. The text is nearly always the very
 * string the message holds, so comparing is comparing references.
 */
type Memo = unknown[];

/** Past this many entries new ones are not kept: a message whose headers keep changing does not grow it. */
const MAX_ENTRIES = 32;

const MEMO = Symbol('parsed header values');
type WithMemo = SipMessage & { [MEMO]?: Memo };

/** The message's memo, made on first use; undefined for a message that cannot take one (frozen). */
function memoOf(msg: SipMessage): Memo | undefined {
  const existing = (msg as WithMemo)[MEMO];
  if (existing !== undefined) return existing;
  if (!Object.isExtensible(msg)) return undefined;
  const memo: Memo = [];
  // Not enumerable: copies (`{ ...msg }`), deep comparisons and logs of the message do not see it.
  Object.defineProperty(msg, MEMO, { value: memo });
  return memo;
}

/** The kept result of `PARSERS[parser](text)`, or the result computed and kept. A failure throws and is not kept. */
function cached(msg: SipMessage, parser: number, text: string): unknown {
  const memo = memoOf(msg);
  if (memo === undefined) return PARSERS[parser](text);
  for (let i = 0; i < memo.length; i += 3) {
    if (memo[i + 1] === text && memo[i] === parser) return memo[i + 2];
  }
  const value = PARSERS[parser](text);
  if (memo.length < MAX_ENTRIES * 3) memo.push(parser, text, value);
  return value;
}

/** parseUri(text), once per message (text: its Request-URI, or a URI from one of its headers). */
export function parsedUri(msg: SipMessage, text: string): Shared<SipUri> {
  return cached(msg, 0, text) as SipUri;
}

/** parseNameAddr(value) for a From, To, Contact, Route… value of the message, once per message. */
export function parsedNameAddr(msg: SipMessage, value: string): Shared<NameAddr> {
  return cached(msg, 1, value) as NameAddr;
}

/** parseVia(value) for one of the message's Via values, once per message. */
export function parsedVia(msg: SipMessage, value: string): Shared<Via> {
  return cached(msg, 2, value) as Via;
}

/** parseCSeq(value) for the message's CSeq value, once per message. */
export function parsedCSeq(msg: SipMessage, value: string): Shared<CSeq> {
  return cached(msg, 3, value) as CSeq;
}
