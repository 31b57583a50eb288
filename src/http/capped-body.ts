// Reads a response body without ever holding more than the cap: a CRM that answers with a 50 MB
// export must cost us at most the cap in memory, never the whole thing.

export type CappedBody =
  | { readonly complete: true; readonly bytes: Buffer }
  | { readonly complete: false; readonly received: number };

/**
 * Collects `stream` up to `maxBytes`. Past the cap it stops reading at once (leaving the loop
 * destroys the stream) and reports how much had arrived; the caller closes the connection.
 */
export async function readCapped(stream: AsyncIterable<Uint8Array>, maxBytes: number): Promise<CappedBody> {
  const chunks: Uint8Array[] = [];
  let received = 0;
  for await (const chunk of stream) {
    received += chunk.byteLength;
    if (received > maxBytes) return { complete: false, received };
    chunks.push(chunk);
  }
  return { complete: true, bytes: Buffer.concat(chunks, received) };
}
