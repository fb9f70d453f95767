import type { Database } from '@/lib/db/client';

/**
 * Who performs an operation. Until sign-in exists, console requests come from
 * the loopback-only console and carry the client address they arrived from.
 */
export type Actor =
  | { kind: 'system'; name: string }
  | { kind: 'console'; address: string }
  | { kind: 'cli'; user: string }
  | { kind: 'agent'; hostId: string; address: string };

/** The context every lib/ operation takes: the actor and the database it works in. */
export interface Context {
  actor: Actor;
  db: Database;
}

/** A short label for the actor, stored in `created_by` columns. */
export function actorLabel(actor: Actor): string {
  switch (actor.kind) {
    case 'system':
      return `system:${actor.name}`;
    case 'console':
      return `console@${actor.address}`;
    case 'cli':
      return `cli:${actor.user}`;
    case 'agent':
      return `agent:${actor.hostId}`;
  }
}
