import type { StoreHealth } from '../store/createStore.ts';

export interface Readiness {
  ready: boolean;
  status: 'starting' | 'ready' | 'degraded' | 'unavailable';
  checks: Record<string, string>;
}

/**
 * `/readyz`: whether this replica can serve. A degraded store (Redis away, this replica answering
 * from memory) still serves lookups, so it stays in the load balancer.
 */
export function readiness(started: boolean, health: StoreHealth | 'down'): Readiness {
  const checks = {
    config: 'ok',
    store:
      health === 'ok'
        ? 'ok'
        : health === 'degraded'
          ? "unreachable: lookups use this replica's memory, digests wait"
          : 'unreachable',
  };
  if (!started) return { ready: false, status: 'starting', checks };
  if (health === 'degraded') return { ready: true, status: 'degraded', checks };
  return health === 'ok' ? { ready: true, status: 'ready', checks } : { ready: false, status: 'unavailable', checks };
}
