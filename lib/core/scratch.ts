/**
 * Reusable typed-array buffers for work done once per read. A loop over 10^5 reads that
 * allocates ten typed arrays a read spends much of its time allocating and collecting them; with
 * one `Scratch` for the loop each named buffer is allocated once and grown when needed.
 * @module
 */

type Typed = Float64Array | Float32Array | Int32Array | Uint32Array | Uint8Array;

/**
 * Named buffers of each type, grown on demand. A buffer's contents are unspecified when it is
 * handed out (fill what you read), and a view stays valid only until the next request for the
 * same name and type: results built on scratch must be used before the next read, never kept.
 */
export class Scratch {
  #f64 = new Map<string, Float64Array>();
  #f32 = new Map<string, Float32Array>();
  #i32 = new Map<string, Int32Array>();
  #u32 = new Map<string, Uint32Array>();
  #u8 = new Map<string, Uint8Array>();

  /** `n` doubles under `name`. */
  f64(name: string, n: number): Float64Array {
    return grown(this.#f64, name, n, (k) => new Float64Array(k));
  }

  /** `n` floats under `name`. */
  f32(name: string, n: number): Float32Array {
    return grown(this.#f32, name, n, (k) => new Float32Array(k));
  }

  /** `n` signed 32-bit integers under `name`. */
  i32(name: string, n: number): Int32Array {
    return grown(this.#i32, name, n, (k) => new Int32Array(k));
  }

  /** `n` unsigned 32-bit integers under `name`. */
  u32(name: string, n: number): Uint32Array {
    return grown(this.#u32, name, n, (k) => new Uint32Array(k));
  }

  /** `n` bytes under `name`. */
  u8(name: string, n: number): Uint8Array {
    return grown(this.#u8, name, n, (k) => new Uint8Array(k));
  }
}

/** `n` elements of the buffer under `name` in `buffers`, made (at least doubled) when too short. */
function grown<T extends Typed>(
  buffers: Map<string, T>,
  name: string,
  n: number,
  make: (n: number) => T,
): T {
  let b = buffers.get(name);
  if (!b || b.length < n) {
    b = make(Math.max(n, 2 * (b?.length ?? 0)));
    buffers.set(name, b);
  }
  return (b.length === n ? b : b.subarray(0, n)) as T;
}
