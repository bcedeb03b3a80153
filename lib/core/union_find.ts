/**
 * Disjoint sets over numbers or strings, the root of each set being its smallest member (so
 * components come out the same whatever the order of the unions).
 * @module
 */

/** Union-find with path compression; a key never seen is its own set. */
export class UnionFind<K extends number | string> {
  #parent = new Map<K, K>();

  /** The root (smallest member) of `x`'s set. */
  find(x: K): K {
    let root = x;
    for (
      let p = this.#parent.get(root);
      p !== undefined && p !== root;
      p = this.#parent.get(root)
    ) {
      root = p;
    }
    for (let y = x; y !== root;) {
      const next = this.#parent.get(y)!;
      this.#parent.set(y, root);
      y = next;
    }
    return root;
  }

  /** Merge the sets of `a` and `b` under the smaller root. */
  union(a: K, b: K): void {
    const ra = this.find(a), rb = this.find(b);
    if (ra === rb) return;
    if (ra < rb) this.#parent.set(rb, ra);
    else this.#parent.set(ra, rb);
  }
}
