// What the main thread and the keyword thread (keyword-thread.ts, keyword-thread-worker.ts) say to each other.
import type { Candidate } from '../../contracts/index-store.js';

export type KeywordRequest = { id: number; text: string; allowed: number[] | null; limit: number };
/** `changes`: the index's chunk write counter in the snapshot the candidates come from. */
export type KeywordReply = { id: number; candidates?: Candidate[]; changes?: number; error?: string };

/**
 * The thread's state, in memory shared with the main thread, which reads it without waiting for a message: a
 * process busy with back-to-back searches never returns to its event loop between them, so it would never see one.
 */
export const ThreadState = { Starting: 0, Ready: 1, Failed: 2 } as const;
export interface KeywordThreadData { file: string; state: SharedArrayBuffer }
