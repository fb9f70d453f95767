import { z } from 'zod';

/** Maximum group description length in characters. */
export const GROUP_DESCRIPTION_MAX_LENGTH = 1000;

/**
 * A group name: trimmed, 1 to 100 characters, unique without regard to case (the
 * database index is on lower(name)).
 */
export const groupNameField = z
  .string({ error: 'name: expected a group name' })
  .trim()
  .min(1, { error: 'name: enter a group name' })
  .max(100, { error: 'name: at most 100 characters' });

/** A free-text group description; empty when not given. */
export const groupDescriptionField = z
  .string({ error: 'description: expected text' })
  .trim()
  .max(GROUP_DESCRIPTION_MAX_LENGTH, { error: `description: at most ${GROUP_DESCRIPTION_MAX_LENGTH} characters` });

/** A group id in a path or body. */
export const groupIdField = z.uuid({ error: 'groupId: expected a group id (UUID)' });

/** A list of group ids that replaces a host's or user's groups; an empty list removes them all. */
export const groupIdsField = z
  .array(z.uuid({ error: 'groupIds: each entry must be a group id (UUID)' }), { error: 'groupIds: expected a list of group ids' })
  .max(1000, { error: 'groupIds: at most 1000 groups' });

/** A list of host ids that replaces a group's hosts; an empty list removes them all. */
export const hostIdsField = z
  .array(z.uuid({ error: 'hostIds: each entry must be a host id (UUID)' }), { error: 'hostIds: expected a list of host ids' })
  .max(100_000, { error: 'hostIds: at most 100000 hosts' });

/** Lower-cases and removes duplicate ids, so a set compares by value. */
export function uniqueIds(ids: readonly string[]): string[] {
  return [...new Set(ids.map((id) => id.toLowerCase()))];
}
