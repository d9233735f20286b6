import type { IncomingMessage, ServerResponse } from 'node:http';

/** One HTTP request/response pair as the emulator's handlers see it. */
export interface Exchange {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  requestId: string;
}
