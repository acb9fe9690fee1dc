// Fresh, collision-free names for per-test isolation on shared services
// (key prefixes, schemas, exchanges, subjects, topics, indices).
let counter = 0;

/** e.g. `t_4821_7_k3x9` — lower case, digits and `_` only, so valid in every service. */
export function uniqueName(prefix = 't'): string {
  counter += 1;
  const random = Math.random().toString(36).slice(2, 6);
  return `${prefix}_${process.pid}_${counter}_${random}`;
}
