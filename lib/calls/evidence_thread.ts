/**
 * An evidence helper thread (started by lib/calls/evidence.ts EvidenceThreads): takes blocks
 * of the shared work until none is left and answers with the number of reads it did.
 * @module
 */
import { serveRequests } from "../core/threads.ts";
import { type SharedWork, takeBlocks } from "./evidence.ts";

serveRequests<SharedWork, number>((work) => ({ result: takeBlocks(work) }));
