/**
 * Read names interned once from their bytes: {@link NameTable}.
 * @module
 */
import { byteHash } from "../core/hash.ts";
import { DECODER } from "./paf_input.ts";

const ENCODER = new TextEncoder();

/**
 * Read names interned once: an open-addressing table over the names' bytes (FNV-1a of the
 * bytes, which equals hashId of lib/core/hash.ts for ASCII names), each name decoded to a string once.
 * A slot holds (hash, index + 1, arena offset, length) side by side, so a probe touches one
 * cache line before the bytes are compared.
 */
export class NameTable {
  /** Decoded names by index. */
  readonly names: string[] = [];
  private slots = new Int32Array(4 << 12);
  private arena = new Uint8Array(1 << 16);
  private arenaLen = 0;

  /** Number of names. */
  get size(): number {
    return this.names.length;
  }

  /** Index of the name `buf[s..e)` with byte hash `h`, or -1. */
  find(buf: Uint8Array, s: number, e: number, h: number): number {
    const slots = this.slots, arena = this.arena;
    const mask = (slots.length >> 2) - 1;
    const len = e - s, hh = h | 0;
    for (let i = h & mask;; i = (i + 1) & mask) {
      const at = i << 2;
      const id = slots[at + 1];
      if (id === 0) return -1;
      if (slots[at] !== hh || slots[at + 3] !== len) continue;
      const o = slots[at + 2];
      let j = 0;
      while (j < len && arena[o + j] === buf[s + j]) j++;
      if (j === len) return id - 1;
    }
  }

  /** Add the name `buf[s..e)` (not yet in the table) with byte hash `h`; returns its index. */
  add(buf: Uint8Array, s: number, e: number, h: number, name?: string): number {
    const idx = this.names.length;
    const len = e - s;
    if (this.arenaLen + len > this.arena.length) {
      const b = new Uint8Array(Math.max(this.arena.length * 2, this.arenaLen + len));
      b.set(this.arena.subarray(0, this.arenaLen));
      this.arena = b;
    }
    this.arena.set(buf.subarray(s, e), this.arenaLen);
    this.names.push(name ?? DECODER.decode(buf.subarray(s, e)));
    if ((idx + 1) * 2 > this.slots.length >> 2) this.grow();
    this.place(this.slots, h | 0, idx + 1, this.arenaLen, len);
    this.arenaLen += len;
    return idx;
  }

  /** Add a name given as a string (when not there yet); returns its index. */
  addString(name: string): number {
    const b = ENCODER.encode(name);
    const h = byteHash(b, 0, b.length);
    const found = this.find(b, 0, b.length, h);
    return found >= 0 ? found : this.add(b, 0, b.length, h, name);
  }

  private place(slots: Int32Array, h: number, id: number, off: number, len: number): void {
    const mask = (slots.length >> 2) - 1;
    let i = h & mask;
    while (slots[(i << 2) + 1] !== 0) i = (i + 1) & mask;
    const at = i << 2;
    slots[at] = h;
    slots[at + 1] = id;
    slots[at + 2] = off;
    slots[at + 3] = len;
  }

  private grow(): void {
    const old = this.slots;
    const slots = new Int32Array(old.length * 2);
    for (let at = 0; at < old.length; at += 4) {
      if (old[at + 1] !== 0) this.place(slots, old[at], old[at + 1], old[at + 2], old[at + 3]);
    }
    this.slots = slots;
  }
}
