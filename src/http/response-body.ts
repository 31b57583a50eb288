// What a response body means to a scenario: its text, and its decoded JSON when it is JSON
// (SPEC §2.1: by content-type, or by shape when the server did not say).

/** The media type without parameters, lower-case; '' when absent. */
export function mediaType(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0]!.trim().toLowerCase();
}

/**
 * The body as text. UTF-8 unless the content-type names another charset this runtime knows (a
 * legacy CRM answering in ISO-8859-1 still yields readable names); a byte-order mark is dropped.
 */
export function decodeText(bytes: Uint8Array, contentType: string | undefined): string {
  const charset = /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(contentType ?? '')?.[1];
  if (charset) {
    try {
      return new TextDecoder(charset).decode(bytes);
    } catch {
      // Unknown charset label: fall back to UTF-8 below.
    }
  }
  return new TextDecoder('utf-8').decode(bytes);
}

function isJsonType(type: string): boolean {
  return type === 'application/json' || type === 'text/json' || type.endsWith('+json');
}

/**
 * `{ json }` when the body is JSON: any JSON value when the content-type says JSON; only an object
 * or array when the content-type is absent or text/plain (servers that mislabel their JSON), since
 * a bare `42` or `"yes"` there is more likely plain text. Undefined when not JSON or not parsable.
 */
export function parseJsonBody(text: string, contentType: string | undefined): { json: unknown } | undefined {
  const type = mediaType(contentType);
  const declared = isJsonType(type);
  if (!declared && type !== '' && type !== 'text/plain') return undefined;
  if (!declared && !/^\s*[[{]/.test(text)) return undefined;
  try {
    const json: unknown = JSON.parse(text);
    if (!declared && (typeof json !== 'object' || json === null)) return undefined;
    return { json };
  } catch {
    return undefined;
  }
}
