/**
 * A key just revealed can be handed to the playground without ever being
 * written down: it stays in this module's memory, and only an opaque id travels
 * in the router's history state (never the URL, never local/session storage).
 * A reload forgets it, as it should.
 */
const keys = new Map<string, string>();

export function stashKey(key: string): string {
  const id = crypto.randomUUID();
  keys.set(id, key);
  return id;
}

export function peekKey(id: string | undefined): string | undefined {
  return id ? keys.get(id) : undefined;
}

export function forgetAllKeys(): void {
  keys.clear();
}
