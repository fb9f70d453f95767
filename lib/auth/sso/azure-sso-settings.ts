import { sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Database } from '@/lib/db/client';

/** Settings key of the Microsoft Entra ID sign-in configuration. */
export const AZURE_SSO_SETTINGS_KEY = 'sso.azure';

/** The public Entra ID authority; other values exist for national clouds and for tests. */
export const DEFAULT_AUTHORITY = 'https://login.microsoftonline.com';

/** Path of the callback the provider redirects to, below the console's public URL. */
export const AZURE_CALLBACK_PATH = '/api/v1/auth/azure/callback';

/** Most group mappings one configuration may hold. */
export const MAX_GROUP_MAPPINGS = 200;

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const guidField = (field: string, example: string) =>
  z
    .string({ error: `${field}: expected a GUID such as ${example}` })
    .trim()
    .toLowerCase()
    .refine((value) => GUID.test(value), { error: `${field}: expected a GUID such as ${example}` });

const optionalGuidField = (field: string, example: string) => z.union([z.literal(''), guidField(field, example)]);

/**
 * The authority's origin: HTTPS only, no path, query or credentials, because the
 * tenant path and the discovery document are appended to it.
 */
const authorityField = z
  .string({ error: 'authority: expected an https:// URL such as https://login.microsoftonline.com' })
  .trim()
  .max(200, { error: 'authority: at most 200 characters' })
  .transform((value, issue) => {
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      issue.addIssue({ code: 'custom', message: 'authority: expected an https:// URL such as https://login.microsoftonline.com' });
      return z.NEVER;
    }
    if (url.protocol !== 'https:' || url.username || url.password || url.search || url.hash || (url.pathname !== '/' && url.pathname !== '')) {
      issue.addIssue({ code: 'custom', message: 'authority: expected an https:// origin without path, query or credentials, such as https://login.microsoftonline.com' });
      return z.NEVER;
    }
    return url.origin;
  });

/** One Entra ID group and what its members get in the console. */
export const groupMappingSchema = z
  .object({
    /** Object id of the Entra ID group, as the `groups` claim carries it. */
    entraGroupId: guidField('groupMappings.entraGroupId', '8c1f0a3e-5d2b-4c8e-9f6a-1b2c3d4e5f60'),
    role: z.enum(['admin', 'operator'], { error: 'groupMappings.role: expected admin or operator' }),
    /** Host groups the members are assigned to. */
    hostGroupIds: z
      .array(z.uuid({ error: 'groupMappings.hostGroupIds: expected host group ids (UUID)' }), { error: 'groupMappings.hostGroupIds: expected a list of host group ids' })
      .max(100, { error: 'groupMappings.hostGroupIds: at most 100 host groups per mapping' }),
  })
  .strict();

export type GroupMapping = z.infer<typeof groupMappingSchema>;

const usernameListField = z
  .array(z.string().trim().toLowerCase().min(1).max(128, { error: 'breakGlassUsernames: an entry is longer than 128 characters' }), {
    error: 'breakGlassUsernames: expected a list of usernames',
  })
  .max(20, { error: 'breakGlassUsernames: at most 20 usernames' })
  .transform((names) => [...new Set(names)]);

/** The configuration as stored in the settings table, client secret included. */
export const storedAzureSsoSettingsSchema = z.object({
  enabled: z.boolean(),
  tenantId: optionalGuidField('tenantId', '72f988bf-86f1-41af-91ab-2d7cd011db47'),
  clientId: optionalGuidField('clientId', '1b2c3d4e-5f60-4a1b-8c2d-3e4f5a6b7c8d'),
  clientSecret: z.string().max(1024),
  authority: authorityField,
  groupMappings: z.array(groupMappingSchema).max(MAX_GROUP_MAPPINGS),
  restrictLocalLogin: z.boolean(),
  breakGlassUsernames: usernameListField,
});

export type StoredAzureSsoSettings = z.infer<typeof storedAzureSsoSettingsSchema>;

/** The configuration as the API and the settings page show it: the client secret is write-only. */
export type AzureSsoSettingsView = Omit<StoredAzureSsoSettings, 'clientSecret'> & { clientSecretSet: boolean; redirectUri: string };

/** Settings used before an Admin saves any: SSO off, local sign-in for everyone. */
export const DEFAULT_AZURE_SSO_SETTINGS: StoredAzureSsoSettings = {
  enabled: false,
  tenantId: '',
  clientId: '',
  clientSecret: '',
  authority: DEFAULT_AUTHORITY,
  groupMappings: [],
  restrictLocalLogin: false,
  breakGlassUsernames: [],
};

const clientSecretField = z
  .string({ error: 'clientSecret: expected a string' })
  .min(1, { error: 'clientSecret: must not be empty; send null to remove it' })
  .max(1024, { error: 'clientSecret: at most 1024 characters' });

/**
 * Request body of `PUT /api/v1/settings/azure-sso`. `clientSecret` absent keeps
 * the stored secret, `null` removes it and a string replaces it.
 */
export const azureSsoSettingsInput = z
  .object({
    enabled: z.boolean({ error: 'enabled: expected true or false' }),
    tenantId: optionalGuidField('tenantId', '72f988bf-86f1-41af-91ab-2d7cd011db47'),
    clientId: optionalGuidField('clientId', '1b2c3d4e-5f60-4a1b-8c2d-3e4f5a6b7c8d'),
    clientSecret: clientSecretField.nullable().optional(),
    authority: authorityField.default(DEFAULT_AUTHORITY),
    groupMappings: z
      .array(groupMappingSchema, { error: 'groupMappings: expected a list of {entraGroupId, role, hostGroupIds}' })
      .max(MAX_GROUP_MAPPINGS, { error: `groupMappings: at most ${MAX_GROUP_MAPPINGS} mappings` }),
    restrictLocalLogin: z.boolean({ error: 'restrictLocalLogin: expected true or false' }),
    breakGlassUsernames: usernameListField,
  })
  .strict()
  .superRefine((value, issue) => {
    const seen = new Set<string>();
    for (const mapping of value.groupMappings) {
      if (seen.has(mapping.entraGroupId)) {
        issue.addIssue({ code: 'custom', path: ['groupMappings'], message: `groupMappings: group ${mapping.entraGroupId} is listed twice; merge the entries` });
      }
      seen.add(mapping.entraGroupId);
    }
    if (value.enabled && (value.tenantId === '' || value.clientId === '')) {
      issue.addIssue({ code: 'custom', path: ['tenantId'], message: 'tenantId: the tenant id and the client id are required to enable SSO' });
    }
    if (value.enabled && value.groupMappings.length === 0) {
      issue.addIssue({ code: 'custom', path: ['groupMappings'], message: 'groupMappings: map at least one Entra ID group to a role to enable SSO' });
    }
    if (value.restrictLocalLogin && value.breakGlassUsernames.length === 0) {
      issue.addIssue({
        code: 'custom',
        path: ['breakGlassUsernames'],
        message: 'breakGlassUsernames: name at least one local Admin who may still sign in with a password',
      });
    }
  });

export type AzureSsoSettingsInput = z.input<typeof azureSsoSettingsInput>;

/** Returns the issuer identifier of a tenant: `<authority>/<tenant id>/v2.0`, the form Entra ID's v2.0 endpoints use. */
export function tenantIssuer(settings: { authority: string; tenantId: string }): string {
  return `${settings.authority}/${settings.tenantId}/v2.0`;
}

/** Returns the redirect URI to register in Entra ID for a console public URL. */
export function azureRedirectUri(publicUrl: string): string {
  return new URL(AZURE_CALLBACK_PATH, publicUrl).toString();
}

/** Returns the settings with the client secret replaced by whether one is stored. */
export function toAzureSsoSettingsView(settings: StoredAzureSsoSettings, publicUrl: string): AzureSsoSettingsView {
  const { clientSecret, ...rest } = settings;
  return { ...rest, clientSecretSet: clientSecret !== '', redirectUri: azureRedirectUri(publicUrl) };
}

/**
 * Reads the stored configuration, secret included, or the defaults when none is
 * stored. A stored value that no longer parses reads as the defaults, so SSO is off
 * and local sign-in is open rather than half configured. Only lib/auth calls
 * this; the client secret must never leave lib/.
 */
export async function readStoredAzureSsoSettings(db: Pick<Database, 'execute'>): Promise<StoredAzureSsoSettings> {
  const [row] = await db.execute<{ value: unknown }>(sql`select value from settings where key = ${AZURE_SSO_SETTINGS_KEY}`);
  if (!row) {
    return { ...DEFAULT_AZURE_SSO_SETTINGS };
  }

  const merged = { ...DEFAULT_AZURE_SSO_SETTINGS, ...(row.value as Partial<StoredAzureSsoSettings>) };
  const parsed = storedAzureSsoSettingsSchema.safeParse(merged);
  return parsed.success ? parsed.data : { ...DEFAULT_AZURE_SSO_SETTINGS };
}

/** Returns what the sign-in page shows: the Microsoft button, and whether password sign-in is limited to break-glass accounts. */
export async function azureSsoLoginOptions(db: Pick<Database, 'execute'>): Promise<{ enabled: boolean; localLoginRestricted: boolean }> {
  const settings = await readStoredAzureSsoSettings(db);
  return { enabled: settings.enabled, localLoginRestricted: settings.enabled && settings.restrictLocalLogin };
}
