/**
 * Which ids name a model. Free of tfjs, so the page checks ids against the worker's list with the same rule the
 * registry resolves them by: the listed ids, and `light-kN` for any rank N ≥ 1, listed or not.
 */

const LIGHT_ID = /^light-k([1-9][0-9]*)$/;

/** The rank N of a `light-kN` id, or null for any other id. */
export function lightRankOf(id: string): number | null {
  const match = LIGHT_ID.exec(id);
  return match ? Number(match[1]) : null;
}

/** The refusal of an unknown id; with `knownIds`, it lists them. */
export function unknownModelMessage(id: string, knownIds?: readonly string[]): string {
  const known = knownIds ? `; known ids: ${knownIds.join(', ')} (light-kN works for any rank N ≥ 1)` : '';
  return `unknown model id "${id}"${known}`;
}

/** Why `id` names none of `knownIds` (nor a `light-kN`), or null. */
export function modelIdProblem(id: string, knownIds: readonly string[]): string | null {
  return knownIds.includes(id) || lightRankOf(id) != null ? null : unknownModelMessage(id);
}

/** A check of model ids against `knownIds`, or none while that list is empty (the worker has not sent it yet). */
export function modelIdCheck(knownIds: readonly string[]): ((id: string) => string | null) | undefined {
  return knownIds.length > 0 ? (id) => modelIdProblem(id, knownIds) : undefined;
}
