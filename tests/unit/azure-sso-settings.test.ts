import { describe, expect, it } from 'vitest';
import { azureSsoSettingsInput, tenantIssuer } from '@/lib/auth/sso/azure-sso-settings';
import { formatGroupMappingLines, parseGroupMappingLines } from '@/lib/auth/sso/group-mapping-lines';
import { isSsoRefusalReason } from '@/lib/auth/sso/sso-refusal';
import { mappedAccess } from '@/lib/auth/sso/sync-sso-user';
import { ValidationError } from '@/lib/errors';

const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const CLIENT = '1b2c3d4e-5f60-4a1b-8c2d-3e4f5a6b7c8d';
const ADMINS = '8c1f0a3e-5d2b-4c8e-9f6a-1b2c3d4e5f60';
const OPERATORS = '0f9e8d7c-6b5a-4c3d-8e2f-1a0b9c8d7e6f';
const LINUX = '11111111-1111-4111-8111-111111111111';
const WEB = '22222222-2222-4222-8222-222222222222';

function input(overrides: Record<string, unknown> = {}) {
  return {
    enabled: true,
    tenantId: TENANT,
    clientId: CLIENT,
    groupMappings: [{ entraGroupId: ADMINS, role: 'admin', hostGroupIds: [] }],
    restrictLocalLogin: false,
    breakGlassUsernames: [],
    ...overrides,
  };
}

describe('azureSsoSettingsInput', () => {
  it('defaults the authority to the public cloud', () => {
    const parsed = azureSsoSettingsInput.parse(input());
    expect(parsed.authority).toBe('https://login.microsoftonline.com');
    expect(tenantIssuer({ authority: parsed.authority, tenantId: parsed.tenantId })).toBe(`https://login.microsoftonline.com/${TENANT}/v2.0`);
  });

  it('accepts an https origin and drops a trailing slash', () => {
    expect(azureSsoSettingsInput.parse(input({ authority: 'https://login.microsoftonline.us/' })).authority).toBe('https://login.microsoftonline.us');
  });

  for (const authority of ['http://127.0.0.1:8080', 'https://login.microsoftonline.com/common', 'https://user:pw@login.example', 'https://login.example/?x=1', 'not a url']) {
    it(`rejects authority ${authority}`, () => {
      expect(azureSsoSettingsInput.safeParse(input({ authority })).success).toBe(false);
    });
  }

  it('rejects a tenant that is not a GUID', () => {
    expect(azureSsoSettingsInput.safeParse(input({ tenantId: 'contoso.onmicrosoft.com' })).success).toBe(false);
  });

  it('lower-cases GUIDs', () => {
    expect(azureSsoSettingsInput.parse(input({ tenantId: TENANT.toUpperCase() })).tenantId).toBe(TENANT);
  });

  it('requires a mapping to enable', () => {
    expect(azureSsoSettingsInput.safeParse(input({ groupMappings: [] })).success).toBe(false);
    expect(azureSsoSettingsInput.safeParse(input({ enabled: false, groupMappings: [] })).success).toBe(true);
  });

  it('rejects a group mapped twice', () => {
    const mapping = { entraGroupId: ADMINS, role: 'admin', hostGroupIds: [] };
    expect(azureSsoSettingsInput.safeParse(input({ groupMappings: [mapping, { ...mapping, role: 'operator' }] })).success).toBe(false);
  });

  it('requires a break-glass user to restrict local login', () => {
    expect(azureSsoSettingsInput.safeParse(input({ restrictLocalLogin: true })).success).toBe(false);
    expect(azureSsoSettingsInput.parse(input({ restrictLocalLogin: true, breakGlassUsernames: ['Root', 'root'] })).breakGlassUsernames).toEqual(['root']);
  });
});

describe('mappedAccess', () => {
  const mappings = [
    { entraGroupId: OPERATORS, role: 'operator' as const, hostGroupIds: [LINUX] },
    { entraGroupId: ADMINS, role: 'admin' as const, hostGroupIds: [WEB, LINUX] },
  ];

  it('returns null without a mapped group', () => {
    expect(mappedAccess(mappings, ['33333333-3333-4333-8333-333333333333'])).toBeNull();
    expect(mappedAccess(mappings, [])).toBeNull();
  });

  it('gives the highest mapped role and every mapped host group once', () => {
    expect(mappedAccess(mappings, [OPERATORS, ADMINS])).toEqual({ role: 'admin', hostGroupIds: [LINUX, WEB] });
  });

  it('matches group ids case-insensitively', () => {
    expect(mappedAccess(mappings, [OPERATORS.toUpperCase()])).toEqual({ role: 'operator', hostGroupIds: [LINUX] });
  });
});

describe('group mapping lines', () => {
  const hostGroups = [
    { id: LINUX, name: 'Linux servers' },
    { id: WEB, name: 'web' },
  ];

  it('round-trips stored mappings', () => {
    const mappings = [
      { entraGroupId: ADMINS, role: 'admin' as const, hostGroupIds: [LINUX, WEB] },
      { entraGroupId: OPERATORS, role: 'operator' as const, hostGroupIds: [] },
    ];
    const text = formatGroupMappingLines(mappings, hostGroups);
    expect(text).toBe(`${ADMINS} admin Linux servers, web\n${OPERATORS} operator`);
    expect(parseGroupMappingLines(`# comment\n\n${text}\n`, hostGroups)).toEqual(mappings);
  });

  it('names the line of an unknown host group', () => {
    expect(() => parseGroupMappingLines(`${ADMINS} admin linux`, hostGroups)).toThrow(ValidationError);
    expect(() => parseGroupMappingLines(`${ADMINS} admin linux`, hostGroups)).toThrow(/line 1: host group "linux" not found/);
  });

  it('rejects a line without a role', () => {
    expect(() => parseGroupMappingLines(ADMINS, hostGroups)).toThrow(/line 1/);
  });
});

describe('isSsoRefusalReason', () => {
  it('accepts only known reasons', () => {
    expect(isSsoRefusalReason('state_mismatch')).toBe(true);
    expect(isSsoRefusalReason('toString')).toBe(false);
    expect(isSsoRefusalReason(undefined)).toBe(false);
  });
});
