import { randomToken } from '../ids.ts';

export const FAULT_KINDS = ['rate_limit', 'server_error', 'reset_request', 'reset_response', 'expired_access_token', 'lost_response'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

/** An injected failure for requests to one route (or `*`). */
export interface Fault {
  id: string;
  route: string;
  kind: FaultKind;
  reason: 'too_many_requests' | 'too_many_write_operations';
  retryAfter: number;
  status: number;
  afterBytes: number;
  /** Failures still to deliver. */
  times: number;
  /** Matching requests still to let through before failing. */
  skip: number;
}

export interface FaultStore {
  /** Validates and adds a fault from control-API JSON; throws Error with a message for the caller. */
  add(spec: Record<string, unknown>): Fault;
  /** The fault to apply to this request, consuming one of its `times`, or undefined. */
  take(route: string): Fault | undefined;
  list(): Fault[];
  clear(): void;
}

function int(spec: Record<string, unknown>, key: string, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const value = spec[key] ?? fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new Error(`${key} must be an integer between ${min} and ${max}`);
  }
  return value;
}

export function createFaultStore(): FaultStore {
  let faults: Fault[] = [];
  return {
    add(spec) {
      const known = ['route', 'kind', 'reason', 'retry_after', 'status', 'after_bytes', 'times', 'skip'];
      const unknown = Object.keys(spec).find((k) => !known.includes(k));
      if (unknown) throw new Error(`unknown field '${unknown}'`);
      if (typeof spec['route'] !== 'string' || spec['route'] === '') throw new Error('route must be a route name such as "files/upload" or "*"');
      const kind = spec['kind'];
      if (typeof kind !== 'string' || !(FAULT_KINDS as readonly string[]).includes(kind)) throw new Error(`kind must be one of ${FAULT_KINDS.join(', ')}`);
      const reason = spec['reason'] ?? 'too_many_requests';
      if (reason !== 'too_many_requests' && reason !== 'too_many_write_operations') throw new Error('reason must be too_many_requests or too_many_write_operations');
      const fault: Fault = {
        id: `fault-${randomToken(6)}`,
        route: spec['route'].replace(/^\/+/, '').replace(/^2\//, ''),
        kind: kind as FaultKind,
        reason,
        retryAfter: int(spec, 'retry_after', 1, 0),
        status: int(spec, 'status', 503, 500, 599),
        afterBytes: int(spec, 'after_bytes', 0, 0),
        times: int(spec, 'times', 1, 1),
        skip: int(spec, 'skip', 0, 0),
      };
      faults.push(fault);
      return fault;
    },
    take(route) {
      for (const fault of faults) {
        if (fault.route !== '*' && fault.route !== route) continue;
        if (fault.skip > 0) {
          fault.skip -= 1;
          continue;
        }
        fault.times -= 1;
        if (fault.times === 0) faults = faults.filter((f) => f !== fault);
        return fault;
      }
      return undefined;
    },
    list: () => faults.map((f) => ({ ...f })),
    clear() {
      faults = [];
    },
  };
}
