import type { Database } from '@/lib/db/client';

/** A console role: Admins manage everything, Operators work with hosts and jobs. */
export type Role = 'admin' | 'operator';

/**
 * Actor performing an operation. A signed-in console user carries the role read from
 * the database on this request, the session (refresh token family) and the client
 * address. `console` is an unauthenticated caller of a public route. `enrollment`
 * is a host enrolling with the enrollment token of the given row id.
 */
export type Actor =
  | { kind: 'system'; name: string }
  | { kind: 'user'; userId: string; username: string; role: Role; sessionId: string; address: string }
  | { kind: 'console'; address: string }
  | { kind: 'cli'; user: string }
  | { kind: 'agent'; hostId: string; address: string }
  | { kind: 'enrollment'; tokenId: string; address: string };

/** The context every lib/ operation takes: the actor and the database it works in. */
export interface Context {
  actor: Actor;
  db: Database;
}

/** Returns a short label for the actor, stored in `created_by` columns. */
export function actorLabel(actor: Actor): string {
  switch (actor.kind) {
    case 'system':
      return `system:${actor.name}`;
    case 'user':
      return `user:${actor.username}`;
    case 'console':
      return `console@${actor.address}`;
    case 'cli':
      return `cli:${actor.user}`;
    case 'agent':
      return `agent:${actor.hostId}`;
    case 'enrollment':
      return `enrollment-token:${actor.tokenId}`;
  }
}
