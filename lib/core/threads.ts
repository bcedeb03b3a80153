/**
 * Helper threads for CPU-bound work of our own: a module run in a Web Worker answers requests
 * ({@link serveRequests}) that the calling thread sends and awaits ({@link HelperThread}).
 * Typed arrays named in `transfer` move between the threads without a copy. (Deno's
 * node:worker_threads hands a message over only once the sending thread goes idle, so a
 * request sent before a long synchronous job would wait for it.) The wasm backend's
 * convolution helper, which must block synchronously inside a tfjs kernel, is the one other
 * thread (lib/backend/kernels/pool.ts).
 * @module
 */

/** The parts of a worker's global scope that {@link serveRequests} uses. */
interface WorkerScope {
  onmessage: ((e: MessageEvent) => void) | null;
  postMessage(message: unknown, transfer: Transferable[]): void;
}

/** A request as it travels to the helper. */
interface RequestMessage<Req> {
  id: number;
  request: Req;
}

/** An answer as it travels back: the result, or the helper's error message. */
interface AnswerMessage<Res> {
  id: number;
  result?: Res;
  error?: string;
}

/** What a handler returns: the result and the buffers to move (not copy) back. */
export interface Answer<Res> {
  /** The result. */
  result: Res;
  /** Buffers of the result to transfer. */
  transfer?: ArrayBuffer[];
}

/**
 * One helper thread running the module at `url`, which calls {@link serveRequests}. Requests
 * are answered in the order sent. Call {@link HelperThread.stop} when done (a running helper
 * keeps the process alive).
 */
export class HelperThread<Req, Res> {
  #worker: Worker;
  #next = 0;
  #waiting = new Map<number, { resolve: (r: Res) => void; reject: (e: Error) => void }>();
  #failed: Error | null = null;

  /** Start the helper; it loads its module while the caller goes on. */
  constructor(url: URL) {
    this.#worker = new Worker(url, { type: "module" });
    this.#worker.onmessage = (e: MessageEvent<AnswerMessage<Res>>) => {
      const m = e.data;
      const w = this.#waiting.get(m.id);
      if (!w) return;
      this.#waiting.delete(m.id);
      if (m.error !== undefined) w.reject(new Error(`helper thread: ${m.error}`));
      else w.resolve(m.result as Res);
    };
    this.#worker.onerror = (e: ErrorEvent) => {
      e.preventDefault();
      this.#fail(new Error(`helper thread ${url.pathname}: ${e.message}`));
    };
  }

  /** Reject every waiting request (the helper died). */
  #fail(e: unknown): void {
    this.#failed = e instanceof Error ? e : new Error(String(e));
    for (const w of this.#waiting.values()) w.reject(this.#failed);
    this.#waiting.clear();
  }

  /** Send one request; `transfer` lists buffers of it to move rather than copy. */
  request(request: Req, transfer: ArrayBuffer[] = []): Promise<Res> {
    if (this.#failed) return Promise.reject(this.#failed);
    const id = this.#next++;
    return new Promise<Res>((resolve, reject) => {
      this.#waiting.set(id, { resolve, reject });
      this.#worker.postMessage({ id, request } satisfies RequestMessage<Req>, transfer);
    });
  }

  /** Stop the helper (requests still waiting are rejected). */
  stop(): void {
    this.#fail(new Error("helper thread stopped"));
    this.#worker.terminate();
  }
}

/**
 * In a helper thread's module: answer each request with `handle`. An exception becomes the
 * error of that request on the calling side; the helper goes on serving.
 */
export function serveRequests<Req, Res>(handle: (request: Req) => Answer<Res>): void {
  const port = globalThis as unknown as WorkerScope;
  port.onmessage = (e: MessageEvent<RequestMessage<Req>>) => {
    const m = e.data;
    let answer: Answer<Res>;
    try {
      answer = handle(m.request);
    } catch (e) {
      const error = e instanceof Error ? e.message : String(e);
      port.postMessage({ id: m.id, error } satisfies AnswerMessage<Res>, []);
      return;
    }
    port.postMessage(
      { id: m.id, result: answer.result } satisfies AnswerMessage<Res>,
      answer.transfer ?? [],
    );
  };
}
