import { createHarmonicClient, TRPCClientError } from '@harmonic/client';

const harmonic = createHarmonicClient({
  baseUrl: process.env['HARMONIC_URL'] ?? 'http://localhost:3000',
  apiKey: process.env['HARMONIC_KEY'] ?? '',
  onRateLimit: (r) => console.log(`quota: ${r.used} used, ${r.remaining ?? 'unlimited'} left until ${r.resetAt}`),
});

try {
  const answer = await harmonic.data.fetch.mutate({ query: 'rate limiting', sources: ['kb'] });
  for (const [source, report] of Object.entries(answer.sources)) {
    console.log(`${source}: ${report.status}, ${report.count} results in ${report.tookMs} ms`);
  }
  for (const item of answer.merged.slice(0, 3)) console.log(`- ${item.title} (${item.url})`);

  const usage = await harmonic.usage.current.query(); // the same numbers as the headers
  console.log(`${usage.tier}: ${usage.used} of ${usage.limit ?? 'unlimited'} this month`);
} catch (err) {
  if (err instanceof TRPCClientError) {
    console.error(`Harmonic said ${err.data?.httpStatus}: ${err.message}`);
    process.exit(1);
  }
  throw err;
}
