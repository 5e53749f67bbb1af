import type { EntityManager } from '@mikro-orm/postgresql';

/**
 * A request's own EntityManager, forked from `root` the first time it is used. A keyed data
 * call whose key is cached never uses it (admission and the ledger run on their own
 * connections), and a fork built for nothing cost about 5% of that call's CPU
 * (docs/benchmarks.md). Every property is read from the real fork, and its methods run
 * bound to it, so the fork's private fields and identity checks behave as on a plain fork;
 * `instanceof` sees the root's class.
 */
export function lazyFork(root: EntityManager): EntityManager {
  let fork: EntityManager | undefined;
  const real = (): EntityManager => (fork ??= root.fork());
  const bound = new Map<PropertyKey, { fn: unknown; bound: unknown }>();
  const shell = Object.create(Object.getPrototypeOf(root) as object) as EntityManager;
  return new Proxy(shell, {
    get(_shell, prop) {
      const em = real();
      const value: unknown = Reflect.get(em, prop, em);
      if (typeof value !== 'function') return value;
      const seen = bound.get(prop);
      if (seen?.fn === value) return seen.bound;
      const fn = (value as (...args: unknown[]) => unknown).bind(em);
      bound.set(prop, { fn: value, bound: fn });
      return fn;
    },
    set: (_shell, prop, value) => Reflect.set(real(), prop, value),
    has: (_shell, prop) => Reflect.has(real(), prop),
    ownKeys: () => Reflect.ownKeys(real()),
    getOwnPropertyDescriptor(_shell, prop) {
      const descriptor = Reflect.getOwnPropertyDescriptor(real(), prop);
      // A proxy may only report a property as non-configurable if its target has it so.
      return descriptor ? { ...descriptor, configurable: true } : undefined;
    },
    defineProperty: (_shell, prop, descriptor) => Reflect.defineProperty(real(), prop, descriptor),
    deleteProperty: (_shell, prop) => Reflect.deleteProperty(real(), prop),
  });
}
