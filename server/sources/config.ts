import { z } from 'zod';

/**
 * Environment for the data sources. Its shape is merged into the one schema in
 * server/config.ts, so it is parsed once, at start-up, with everything else.
 */
export const sourcesEnvShape = {
  SOURCE_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(3_000),
};

type SourcesEnv = { [K in keyof typeof sourcesEnvShape]: z.output<(typeof sourcesEnvShape)[K]> };

export interface SourcesConfig {
  timeoutMs: number;
}

export function toSourcesConfig(env: SourcesEnv): SourcesConfig {
  return { timeoutMs: env.SOURCE_TIMEOUT_MS };
}
