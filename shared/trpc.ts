/**
 * The most procedures one batched tRPC request may carry. The server refuses
 * a bigger batch with a 400 and sizes its URL limit from this; the SPA's batch
 * link splits its batches at the same size, so it never sends one.
 */
export const TRPC_MAX_BATCH = 50;
