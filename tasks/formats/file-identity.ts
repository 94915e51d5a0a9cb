// What a worker keeps between nodes, known by the content hash the engine computed for
// the input (ctx.inputHashes) — never by a path or a file's stat, which a file rewritten
// in place (rsync --inplace -t, a fix-up followed by touch -r) may keep: a memo can only
// serve the bytes the node's key names.

const kept = new Map<string, { id: string; value: unknown }>();

/**
 * What `read` gives for the content `identity` names, kept by the worker for its next
 * node: one value per `slot` (a session's ten bin nodes run one after another in one
 * worker, and each would otherwise read the same arrays again). Without an identity
 * nothing is kept: the value is read and returned. The value is shared between nodes:
 * callers must not change it.
 */
export function keptPerFile<T>(slot: string, identity: string | undefined, read: () => T): T {
  const hit = kept.get(slot);
  if (identity !== undefined && hit?.id === identity) return hit.value as T;
  kept.delete(slot); // let the last file's value go before reading the next
  const value = read();
  if (identity !== undefined) kept.set(slot, { id: identity, value });
  return value;
}
