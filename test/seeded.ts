// Choices drawn from a fixed seed (a small LCG), for the fuzz and storm tests: the same seed
// draws the same sequence, so a failure can be replayed. Not for anything secret.
export function seeded (seed: number) {
  let state = seed
  const next = (): number => {
    state = (Math.imul(state, 1103515245) + 12345) & 0x7fffffff
    return state / 0x7fffffff
  }
  return {
    /** True with probability `p`. */
    chance: (p: number) => next() < p,
    pick: <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!
  }
}
