// The state of a dialog (RFC 3261 §12): its identifier, the CSeq counters, the route set and the
// remote target, as established by the UAC (§12.1.2) or the UAS (§12.1.1), and where each
// in-dialog request goes (§12.2.1.1).

import { header, headers } from '../message/headers.ts';
import { formatNameAddr, parseNameAddr } from '../message/nameaddr.ts';
import { parsedCSeq, parsedNameAddr } from '../message/parsed.ts';
import type { SipMessage, SipRequest, SipResponse } from '../message/types.ts';
import { formatUri } from '../message/uri.ts';
import { nextHop } from '../transport/locate.ts';
import type { SendTarget, TransportName } from '../transport/transport.ts';

export interface DialogState {
  callId: string;
  localTag: string;
  remoteTag: string;
  /** Our From (UAC) / To (UAS) header value, tag included. */
  localParty: string;
  remoteParty: string;
  localSeq: number;
  /** Null until the peer sends a request in this dialog (UAC side). */
  remoteSeq: number | null;
  /** Route values for requests we send, outermost first. */
  routeSet: string[];
  /** The peer's Contact URI. */
  remoteTarget: string;
  /** The transport the dialog was set up over: the default for its requests. */
  transport: TransportName;
}

export function dialogKey(callId: string, localTag: string, remoteTag: string): string {
  return `${callId}|${localTag}|${remoteTag}`;
}

/** The key of the dialog an incoming request belongs to (the To tag is ours). */
export function incomingRequestKey(req: SipRequest): string | null {
  const toTag = tagIn(req, header(req, 'to'));
  if (toTag === undefined) return null;
  return dialogKey(header(req, 'call-id') ?? '', toTag, tagIn(req, header(req, 'from')) ?? '');
}

/** The key of the dialog a response to our request belongs to (the From tag is ours). */
export function incomingResponseKey(res: SipResponse): string | null {
  const toTag = tagIn(res, header(res, 'to'));
  if (toTag === undefined) return null;
  return dialogKey(header(res, 'call-id') ?? '', tagIn(res, header(res, 'from')) ?? '', toTag);
}

export function tagOf(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  try {
    return parseNameAddr(value).params.tag ?? undefined;
  } catch {
    return undefined;
  }
}

/** tagOf for a From or To value of `msg`, read from the forms the message layer already parsed. */
function tagIn(msg: SipMessage, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  try {
    return parsedNameAddr(msg, value).params.tag ?? undefined;
  } catch {
    return undefined;
  }
}

/** §12.1.2: the UAC's dialog from its INVITE and the 2xx that answered it. */
export function uacDialogState(invite: SipRequest, response: SipResponse, transport: TransportName): DialogState {
  const from = header(invite, 'from') ?? '';
  const to = header(response, 'to') ?? '';
  return {
    callId: header(invite, 'call-id') ?? '',
    localTag: tagIn(invite, from) ?? '',
    remoteTag: tagIn(response, to) ?? '',
    localParty: from,
    remoteParty: to,
    localSeq: parsedCSeq(invite, header(invite, 'cseq') ?? '').seq,
    remoteSeq: null,
    routeSet: headers(response, 'record-route').reverse(),
    remoteTarget: contactUri(response) ?? invite.uri,
    transport,
  };
}

/** §12.1.1: the UAS's dialog from the INVITE it answers with a 2xx carrying `localTag`. */
export function uasDialogState(invite: SipRequest, localTag: string, transport: TransportName): DialogState {
  const to = header(invite, 'to') ?? '';
  const from = header(invite, 'from') ?? '';
  return {
    callId: header(invite, 'call-id') ?? '',
    localTag,
    remoteTag: tagIn(invite, from) ?? '',
    localParty: tagIn(invite, to) === undefined ? `${to};tag=${localTag}` : to,
    remoteParty: from,
    localSeq: 0,
    remoteSeq: parsedCSeq(invite, header(invite, 'cseq') ?? '').seq,
    routeSet: headers(invite, 'record-route'),
    remoteTarget: contactUri(invite) ?? formatUri(parsedNameAddr(invite, from).uri),
    transport,
  };
}

/** The URI of the first Contact, or undefined. */
export function contactUri(msg: SipRequest | SipResponse): string | undefined {
  const c = header(msg, 'contact');
  if (c === undefined || c === '*') return undefined;
  try {
    return formatUri(parsedNameAddr(msg, c).uri);
  } catch {
    return undefined;
  }
}

/**
 * §12.2.1.1: the Request-URI and Route of a request in the dialog. With a loose router first (`lr`)
 * the Request-URI is the remote target; with a strict router it is that router, and the remote
 * target goes last in the Route.
 */
export function inDialogRouting(state: DialogState): { uri: string; routes: string[]; target: SendTarget } {
  const routes = state.routeSet;
  if (routes.length === 0 || isLoose(routes[0])) {
    return { uri: state.remoteTarget, routes: [...routes], target: nextHop(state.remoteTarget, routes, state.transport) };
  }
  const first = parseNameAddr(routes[0]).uri;
  const uri = formatUri({ ...first, params: Object.fromEntries(Object.entries(first.params).filter(([k]) => k !== 'method')), headers: {} });
  const rest = [...routes.slice(1), formatNameAddr({ displayName: null, uri: parseNameAddr(`<${state.remoteTarget}>`).uri, params: {} })];
  return { uri, routes: rest, target: nextHop(uri, [], state.transport) };
}

function isLoose(route: string): boolean {
  try {
    return 'lr' in parseNameAddr(route).uri.params;
  } catch {
    return true;
  }
}
