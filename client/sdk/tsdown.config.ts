import { defineConfig, type UserConfig } from 'tsdown';

/**
 * `@harmonic/client` as an outside app installs it: plain JavaScript plus one bundled .d.ts that
 * needs nothing else installed. Two builds, because JS and types want opposite things:
 * - the JavaScript imports @trpc/client at run time, as a dependency;
 * - the types inline what they use of the server (the keyed routers' inputs and outputs) and of
 *   @trpc/*. The latter because @trpc/client's own declarations import `ws` types that do not
 *   type-check under `skipLibCheck: false`; inlined and tree-shaken, the WebSocket link goes away.
 */
const common: UserConfig = { entry: ['./index.ts'], format: 'esm', platform: 'neutral', target: 'es2022', outDir: 'dist' };

export default defineConfig([
  { ...common, dts: false },
  {
    ...common,
    clean: false,
    dts: { dtsOnly: true },
    deps: { alwaysBundle: [/^@trpc\//], neverBundle: [/^(?!@trpc\/)[^./]/], onlyBundle: false },
    // Type-only imports of server packages that tree-shaking left unused must not stay behind as bare imports.
    treeshake: { moduleSideEffects: false },
  },
]);
