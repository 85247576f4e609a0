/** Small textbook data sets, shared by the tests that use them. */

/** Walsh & Lynch Example 10.10: offspring of three sires in two environments. */
export const WALSH_SIRES = [
  { sire: 1, env: 1, y: 9 },
  { sire: 1, env: 2, y: 12 },
  { sire: 2, env: 1, y: 11 },
  { sire: 2, env: 1, y: 6 },
  { sire: 3, env: 1, y: 7 },
  { sire: 3, env: 2, y: 14 },
];
