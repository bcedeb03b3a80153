/**
 * The rasteriser of the pile charts: a polyline stroked with exact anti-aliasing (each segment a
 * rectangle with square caps whose pixel-area coverage is accumulated edge by edge).
 * @module
 */

/**
 * Anti-aliased stroke of a polyline: per-pixel ink coverage in [0,1] (row-major width x height),
 * clipped to the box [cx0,cx1) x [cy0,cy1). Each segment is a rectangle (square caps) whose
 * exact pixel-area coverage is accumulated; segments combine by maximum.
 */
export function strokePolyline(
  pts: ArrayLike<number>,
  width: number,
  height: number,
  lineWidth: number,
  clip: [number, number, number, number] = [0, 0, width, height],
): Float32Array {
  const ink = new Float32Array(width * height);
  const [cx0, cy0, cx1, cy1] = clip;
  const hw = lineWidth / 2;
  const acc = new Float32Array(4096);
  const quad = new Float64Array(8);
  const np = pts.length >> 1;
  for (let s = 0; s + 1 < Math.max(np, 2); s++) {
    const ax = pts[2 * s], ay = pts[2 * s + 1];
    const bx = np > 1 ? pts[2 * s + 2] : ax, by = np > 1 ? pts[2 * s + 3] : ay;
    let dx = bx - ax, dy = by - ay;
    const len = Math.hypot(dx, dy);
    if (len < 1e-9) {
      dx = hw;
      dy = 0;
    } else {
      dx *= hw / len;
      dy *= hw / len;
    }
    // rectangle corners: a - d + n, b + d + n, b + d - n, a - d - n  with n = (-dy, dx)
    quad[0] = ax - dx - dy, quad[1] = ay - dy + dx;
    quad[2] = bx + dx - dy, quad[3] = by + dy + dx;
    quad[4] = bx + dx + dy, quad[5] = by + dy - dx;
    quad[6] = ax - dx + dy, quad[7] = ay - dy - dx;
    let minx = Infinity, maxx = -Infinity, miny = Infinity, maxy = -Infinity;
    for (let k = 0; k < 8; k += 2) {
      minx = Math.min(minx, quad[k]);
      maxx = Math.max(maxx, quad[k]);
      miny = Math.min(miny, quad[k + 1]);
      maxy = Math.max(maxy, quad[k + 1]);
    }
    const bx0 = Math.max(cx0, Math.floor(minx)), bx1 = Math.min(cx1, Math.ceil(maxx));
    const by0 = Math.max(cy0, Math.floor(miny)), by1 = Math.min(cy1, Math.ceil(maxy));
    if (bx1 <= bx0 || by1 <= by0) continue;
    const bw = bx1 - bx0, bh = by1 - by0;
    const stride = bw + 2;
    let buf = acc;
    if (stride * bh > acc.length) buf = new Float32Array(stride * bh);
    for (let k = 0; k < 8; k += 2) {
      const k2 = (k + 2) & 7;
      accumulateEdge(
        buf,
        stride,
        bw,
        bh,
        quad[k] - bx0,
        quad[k + 1] - by0,
        quad[k2] - bx0,
        quad[k2 + 1] - by0,
      );
    }
    for (let y = 0; y < bh; y++) {
      let a = 0;
      const row = y * stride;
      const out = (by0 + y) * width + bx0;
      for (let x = 0; x < bw; x++) {
        a += buf[row + x];
        buf[row + x] = 0;
        const c = a < 0 ? (a < -1 ? 1 : -a) : (a > 1 ? 1 : a);
        if (c > ink[out + x]) ink[out + x] = c;
      }
      buf[row + bw] = 0;
      buf[row + bw + 1] = 0;
    }
  }
  return ink;
}

/** Signed-area accumulation of one polygon edge into `buf` (font-rs style exact coverage). */
function accumulateEdge(
  buf: Float32Array,
  stride: number,
  w: number,
  h: number,
  x0: number,
  y0: number,
  x1: number,
  y1: number,
): void {
  if (Math.abs(y0 - y1) < 1e-12) return;
  // x is clamped into [0, w]: ink left of the box then counts as entering at column 0.
  x0 = x0 < 0 ? 0 : x0 > w ? w : x0;
  x1 = x1 < 0 ? 0 : x1 > w ? w : x1;
  let dir = 1;
  if (y0 > y1) {
    dir = -1;
    [x0, y0, x1, y1] = [x1, y1, x0, y0];
  }
  const dxdy = (x1 - x0) / (y1 - y0);
  let x = x0;
  if (y0 < 0) x -= y0 * dxdy;
  const yStart = Math.max(0, Math.floor(y0));
  const yEnd = Math.min(h, Math.ceil(y1));
  for (let y = yStart; y < yEnd; y++) {
    const line = y * stride;
    const dy = Math.min(y + 1, y1) - Math.max(y, y0);
    const xnext = x + dxdy * dy;
    const d = dy * dir;
    const xa = x < xnext ? x : xnext;
    const xb = x < xnext ? xnext : x;
    const xaf = Math.floor(xa);
    const xai = xaf;
    const xbc = Math.ceil(xb);
    const xbi = xbc;
    if (xbi <= xai + 1) {
      const xmf = 0.5 * (x + xnext) - xaf;
      buf[line + xai] += d - d * xmf;
      buf[line + xai + 1] += d * xmf;
    } else {
      const s = 1 / (xb - xa);
      const x0f = xa - xaf;
      const a0 = 0.5 * s * (1 - x0f) * (1 - x0f);
      const x1f = xb - xbc + 1;
      const am = 0.5 * s * x1f * x1f;
      buf[line + xai] += d * a0;
      if (xbi === xai + 2) {
        buf[line + xai + 1] += d * (1 - a0 - am);
      } else {
        const a1 = s * (1.5 - x0f);
        buf[line + xai + 1] += d * (a1 - a0);
        for (let xi = xai + 2; xi < xbi - 1; xi++) buf[line + xi] += d * s;
        const a2 = a1 + (xbi - xai - 3) * s;
        buf[line + xbi - 1] += d * (1 - a2 - am);
      }
      buf[line + xbi] += d * am;
    }
    x = xnext;
  }
}
