// The period seam lives in the admission module; this path stays for existing importers.
export * from './admission/period.ts';
