/**
 * Unit test files left out of `npm run test:quick` (the inner loop: typecheck and the rest of the unit files in
 * under two minutes). The rule: a file goes here when it takes more than about 5 s alone on a 2-core machine —
 * it trains networks for real, runs the CLI end to end, or drives Python, R or a large network. `npm test` runs
 * every file, these included.
 */
export const SLOW_UNIT_FILES: readonly string[] = [
];
