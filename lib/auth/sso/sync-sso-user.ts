import { and, eq, inArray } from 'drizzle-orm';
import type { AuditEntry, Transaction } from '@/lib/audit/write-audit';
import type { Actor, Role } from '@/lib/context';
import { hostGroups, userExternalIdentities, userGroupMembers, users } from '@/lib/db/schema';
import type { GroupMapping } from './azure-sso-settings';
import { SsoRefusedError } from './sso-refusal';

/** The verified identity an ID token carries. */
export interface SsoIdentity {
  issuer: string;
  /** The Entra ID object id (`oid`). */
  subject: string;
  /** Lower-cased `preferred_username`, or null when the token has none. */
  preferredUsername: string | null;
  displayName: string;
  email: string | null;
  /** Group object ids of the `groups` claim. */
  groups: string[];
}

/** The console user an SSO sign-in continues with. */
export interface SyncedSsoUser {
  userId: string;
  username: string;
  role: Role;
  created: boolean;
  /** The `user.create` or `user.update` row when something changed, then `auth.sso.login`; the caller writes them last in its transaction. */
  auditEntries: AuditEntry[];
}

/** Maximum length of an SSO username; longer names fall back to `sso-<object id>`. */
const MAX_SSO_USERNAME_LENGTH = 128;

/** Returns the role and host groups that a set of Entra ID groups maps to, or null when no group is mapped. */
export function mappedAccess(mappings: readonly GroupMapping[], groups: readonly string[]): { role: Role; hostGroupIds: string[] } | null {
  const member = new Set(groups.map((group) => group.toLowerCase()));
  const matched = mappings.filter((mapping) => member.has(mapping.entraGroupId));
  if (matched.length === 0) {
    return null;
  }
  const role: Role = matched.some((mapping) => mapping.role === 'admin') ? 'admin' : 'operator';
  return { role, hostGroupIds: [...new Set(matched.flatMap((mapping) => mapping.hostGroupIds))] };
}

function usernameFor(identity: SsoIdentity): string {
  const name = identity.preferredUsername ?? identity.email?.toLowerCase() ?? '';
  if (name === '' || name.length > MAX_SSO_USERNAME_LENGTH || /[\s\u0000-\u001f\u007f]/.test(name)) {
    return `sso-${identity.subject}`;
  }
  return name;
}

/**
 * Brings the user's host groups in line with the mapping. Only groups named in some
 * mapping are managed: the user is added to the mapped groups it qualifies for and
 * removed from mapped groups it no longer qualifies for. Memberships an Admin set
 * in groups no mapping names stay. Returns the added and removed group ids.
 */
async function syncHostGroups(
  tx: Transaction,
  userId: string,
  mappings: readonly GroupMapping[],
  wanted: readonly string[],
): Promise<{ added: string[]; removed: string[] }> {
  const managed = [...new Set(mappings.flatMap((mapping) => mapping.hostGroupIds))];
  if (managed.length === 0) {
    return { added: [], removed: [] };
  }

  const current = await tx
    .select({ groupId: userGroupMembers.groupId })
    .from(userGroupMembers)
    .where(and(eq(userGroupMembers.userId, userId), inArray(userGroupMembers.groupId, managed)));
  const currentIds = new Set(current.map((row) => row.groupId));

  const removed = [...currentIds].filter((id) => !wanted.includes(id));
  if (removed.length > 0) {
    await tx.delete(userGroupMembers).where(and(eq(userGroupMembers.userId, userId), inArray(userGroupMembers.groupId, removed)));
  }

  // A host group deleted after the mapping was saved is skipped, not an error.
  const existing = wanted.length === 0 ? [] : await tx.select({ id: hostGroups.id }).from(hostGroups).where(inArray(hostGroups.id, [...wanted]));
  const added = existing.map((row) => row.id).filter((id) => !currentIds.has(id));
  if (added.length > 0) {
    await tx.insert(userGroupMembers).values(added.map((groupId) => ({ groupId, userId }))).onConflictDoNothing();
  }
  return { added, removed };
}

/**
 * Finds the console user of a verified SSO identity by issuer and object id, or
 * creates it, then applies the group mapping: the role becomes the highest mapped
 * role and the mapped host groups are synchronised, in the caller's transaction.
 * It returns the audit entries instead of writing them, so the caller can write
 * them as the last statements of that transaction.
 *
 * Refuses (SsoRefusedError) when no group of the identity is mapped, when a new
 * identity's username already belongs to another user (accounts are never linked
 * by name, because a name is not proof of identity) and when the user is disabled.
 * A refusal changes nothing.
 */
export async function syncSsoUser(
  tx: Transaction,
  options: { identity: SsoIdentity; mappings: readonly GroupMapping[]; actor: Actor },
): Promise<SyncedSsoUser> {
  const { identity, mappings } = options;
  const access = mappedAccess(mappings, identity.groups);
  if (!access) {
    throw new SsoRefusedError('no_mapped_group', `${identity.groups.length} groups in the token, none mapped`);
  }

  const [linked] = await tx
    .select({ userId: users.id, username: users.username, role: users.role, disabledAt: users.disabledAt })
    .from(userExternalIdentities)
    .innerJoin(users, eq(users.id, userExternalIdentities.userId))
    .where(and(eq(userExternalIdentities.issuer, identity.issuer), eq(userExternalIdentities.subject, identity.subject)))
    .for('update');

  let user: { userId: string; username: string; role: string };
  let created = false;
  if (linked) {
    if (linked.disabledAt !== null) {
      throw new SsoRefusedError('user_disabled', linked.username);
    }
    user = linked;
  } else {
    const username = usernameFor(identity);
    const [taken] = await tx.select({ id: users.id }).from(users).where(eq(users.username, username));
    if (taken) {
      throw new SsoRefusedError('username_taken', username);
    }
    const [row] = await tx
      .insert(users)
      .values({ username, role: access.role, displayName: identity.displayName.slice(0, 200), email: identity.email })
      .returning({ userId: users.id, username: users.username, role: users.role });
    await tx.insert(userExternalIdentities).values({ userId: row!.userId, issuer: identity.issuer, subject: identity.subject });
    user = row!;
    created = true;
  }

  const roleChanged = user.role !== access.role;
  if (roleChanged) {
    await tx.update(users).set({ role: access.role, updatedAt: new Date() }).where(eq(users.id, user.userId));
  }
  const groups = await syncHostGroups(tx, user.userId, mappings, access.hostGroupIds);
  await tx
    .update(userExternalIdentities)
    .set({ lastLoginAt: new Date() })
    .where(and(eq(userExternalIdentities.issuer, identity.issuer), eq(userExternalIdentities.subject, identity.subject)));

  const target = { kind: 'user', id: user.userId };
  const auditEntries: AuditEntry[] = [];
  if (created) {
    auditEntries.push({
      actor: options.actor,
      action: 'user.create',
      target,
      details: { username: user.username, role: access.role, source: 'sso', issuer: identity.issuer, objectId: identity.subject, hostGroupIds: groups.added },
    });
  } else if (roleChanged || groups.added.length > 0 || groups.removed.length > 0) {
    auditEntries.push({
      actor: options.actor,
      action: 'user.update',
      target,
      details: { username: user.username, source: 'sso', oldRole: user.role, newRole: access.role, hostGroupsAdded: groups.added, hostGroupsRemoved: groups.removed },
    });
  }
  auditEntries.push({
    actor: options.actor,
    action: 'auth.sso.login',
    target,
    details: {
      username: user.username,
      issuer: identity.issuer,
      objectId: identity.subject,
      role: access.role,
      created,
      hostGroupsAdded: groups.added,
      hostGroupsRemoved: groups.removed,
      next: 'second_factor',
    },
  });

  return { userId: user.userId, username: user.username, role: access.role, created, auditEntries };
}
