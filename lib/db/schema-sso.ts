import { index, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { users } from './schema-auth';

/**
 * The link between a console user and an identity at an OpenID Provider. For
 * Microsoft Entra ID the issuer names the tenant and the subject is the user's
 * object id (`oid`), which stays the same across applications, unlike `sub`.
 */
export const userExternalIdentities = pgTable(
  'user_external_identities',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    issuer: text('issuer').notNull(),
    subject: text('subject').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    lastLoginAt: timestamp('last_login_at', { withTimezone: true }),
  },
  (t) => [uniqueIndex('user_external_identities_subject_idx').on(t.issuer, t.subject), index('user_external_identities_user_idx').on(t.userId)],
);

/**
 * Server-side state of one SSO sign-in between the redirect to the provider and the
 * callback. The browser holds a random binding token in a cookie; only its SHA-256
 * is stored. A row is consumed by the first callback that presents its token.
 */
export const ssoLoginFlows = pgTable(
  'sso_login_flows',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    bindingHash: text('binding_hash').notNull(),
    state: text('state').notNull(),
    nonce: text('nonce').notNull(),
    codeVerifier: text('code_verifier').notNull(),
    returnTo: text('return_to').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    consumedAt: timestamp('consumed_at', { withTimezone: true }),
  },
  (t) => [uniqueIndex('sso_login_flows_binding_idx').on(t.bindingHash), index('sso_login_flows_expires_idx').on(t.expiresAt)],
);
