import type { Exchange } from '../http/exchange.ts';
import type { Decoder } from '../http/decode.ts';
import type { AuthContext } from '../oauth/bearer-auth.ts';
import type { EmulatorState } from '../state.ts';
import type { View } from '../files/view.ts';

/** An authenticated API call as route handlers see it. */
export interface ApiCall extends Exchange {
  state: EmulatorState;
  route: string;
  auth: AuthContext;
  /** The app's view of the account (creates the app folder on first use). */
  view(): View;
}

/**
 * One `/2/<name>` route. `style` decides where the argument comes from (JSON body for rpc,
 * `Dropbox-API-Arg` for upload/download); `scope` is enforced before the handler runs.
 * The handler either writes the response itself or returns the JSON result (undefined → `null`).
 */
export interface RouteDef {
  name: string;
  style: 'rpc' | 'upload' | 'download';
  scope: string | undefined;
  /** `void` routes take no argument (empty body or `null`). */
  arg: Decoder<unknown> | 'void';
  handle(call: ApiCall, arg: unknown): Promise<unknown>;
}

/** Helper so handlers get their decoded argument type. */
export function defineRoute<A>(def: { name: string; style: RouteDef['style']; scope: string | undefined; arg: Decoder<A> | 'void'; handle(call: ApiCall, arg: A): Promise<unknown> }): RouteDef {
  return def as RouteDef;
}
