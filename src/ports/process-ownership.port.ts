/**
 * Who is doing a piece of work (a run, a scratch file), so that a process starting up can tell
 * work abandoned by a process that died from work another live process — a CLI backup beside the
 * server — is still doing.
 */
export interface ProcessOwnership {
  /** A token naming this process: host, process id and start time. Stored with the work. */
  readonly self: string;
  /**
   * True when the process `owner` names has ended. A missing or unreadable token counts as ended
   * (work recorded before owners were kept), and so does a process on another host: runs belong to
   * one host, and a recreated container comes back under a new host name.
   */
  hasEnded(owner: string | undefined): boolean;
}
