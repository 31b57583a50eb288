// What the pieces of a user agent (incoming calls, outgoing INVITEs, registrations) need of it.

import type { Dialog, DialogHost } from '../dialog/dialog.ts';
import type { DialogState } from '../dialog/dialog-state.ts';
import type { TransportName } from '../transport/transport.ts';

export interface UaCore extends DialogHost {
  /** The sent-by host, also the Call-ID suffix. */
  readonly host: string;
  readonly defaultTransport: TransportName;
  /** Creates a dialog and lists it, so that requests and stray 2xx responses find it. */
  addDialog(state: DialogState, role: 'uac' | 'uas', sdp: { local: string | null; remote: string | null }): Dialog;
}
