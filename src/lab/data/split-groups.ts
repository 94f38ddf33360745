import { patientId } from './patient-id';

/**
 * The group key of every file for a leak-free split: files of one patient share a key, and so do byte-identical
 * copies — and, transitively, everything linked to them (a duplicate saved under two patients joins both patients).
 * Union-find over patient ids (`patientKeys[i]` where a label table gave one).
 */
export function splitGroupKeys(
  paths: readonly string[],
  duplicateGroups: readonly (readonly string[])[] = [],
  patientKeys?: readonly (string | undefined)[],
): string[] {
  const parent = new Map<string, string>();
  const find = (key: string): string => {
    let root = key;
    while (parent.has(root) && parent.get(root) !== root) root = parent.get(root)!;
    // Path compression keeps later look-ups flat.
    let node = key;
    while (node !== root) {
      const next = parent.get(node)!;
      parent.set(node, root);
      node = next;
    }
    return root;
  };
  const union = (a: string, b: string) => {
    const ra = find(a);
    const rb = find(b);
    if (ra !== rb) parent.set(ra < rb ? rb : ra, ra < rb ? ra : rb);
  };
  // A label table's patient key where given, else the patient read from the file name.
  const patients = paths.map((p, i) => patientKeys?.[i] ?? patientId(p));
  for (const p of patients) if (!parent.has(p)) parent.set(p, p);
  const patientOf = new Map(paths.map((p, i) => [p, patients[i]]));
  for (const group of duplicateGroups) {
    const members = group.map((p) => patientOf.get(p)).filter((p): p is string => p != null);
    for (let i = 1; i < members.length; i++) union(members[0], members[i]);
  }
  return patients.map(find);
}
