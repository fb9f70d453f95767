/** The reason code of a refused SSO sign-in, shown by the refusal page and stored in the audit row. */
export type SsoRefusalReason =
  | 'sso_disabled'
  | 'rate_limited'
  | 'provider_error'
  | 'provider_unavailable'
  | 'issuer_mismatch'
  | 'flow_missing'
  | 'state_mismatch'
  | 'nonce_mismatch'
  | 'audience_mismatch'
  | 'code_rejected'
  | 'token_invalid'
  | 'tenant_mismatch'
  | 'claims_missing'
  | 'groups_overage'
  | 'no_mapped_group'
  | 'username_taken'
  | 'user_disabled';

/** Messages of the refusal page by reason. None reveals anything the user could not already tell. */
export const SSO_REFUSAL_MESSAGES: Record<SsoRefusalReason, string> = {
  sso_disabled: 'Sign-in with Microsoft is not enabled. Sign in with your username and password.',
  rate_limited: 'Too many sign-in attempts from your address. Wait a minute and try again.',
  provider_error: 'Microsoft Entra ID did not complete the sign-in. Try again, or ask an Admin to check the app registration.',
  provider_unavailable: 'Microsoft Entra ID could not be reached. Try again later, or ask an Admin to test the SSO settings.',
  issuer_mismatch: 'The identity provider does not belong to the configured tenant. Ask an Admin to test the SSO settings.',
  flow_missing: 'The sign-in expired, was already used or was started in another browser. Start again.',
  state_mismatch: 'The sign-in response does not belong to the sign-in this browser started. Start again.',
  nonce_mismatch: 'The identity token does not belong to the sign-in this browser started. Start again.',
  audience_mismatch: 'The identity token was issued to another application. Ask an Admin to check the client id.',
  code_rejected: 'Microsoft Entra ID rejected the sign-in code. Start again.',
  token_invalid: 'The identity token failed validation. Start again, or ask an Admin to test the SSO settings.',
  tenant_mismatch: 'Your account belongs to another Microsoft Entra ID tenant than the one this console trusts.',
  claims_missing: 'The identity token lacks the object id or tenant id of your account. Ask an Admin to check the app registration.',
  groups_overage: 'Your account is in too many groups for Microsoft Entra ID to list them in the token. Ask an Admin to emit only groups assigned to the application.',
  no_mapped_group: 'None of your Microsoft Entra ID groups has access to this console. Ask an Admin to add you to a mapped group.',
  username_taken: 'A local account already uses your username. Ask an Admin to rename or remove it.',
  user_disabled: 'Your console account is disabled. Ask an Admin to enable it.',
};

/** Raised when an SSO sign-in is refused. The message is safe to show; `detail` goes to the log and audit row only. */
export class SsoRefusedError extends Error {
  override name = 'SsoRefusedError';

  constructor(
    readonly reason: SsoRefusalReason,
    readonly detail: string = '',
    options: { cause?: unknown } = {},
  ) {
    super(SSO_REFUSAL_MESSAGES[reason], options);
  }
}

/** True for a value that names a refusal reason, for the refusal page's query parameter. */
export function isSsoRefusalReason(value: unknown): value is SsoRefusalReason {
  return typeof value === 'string' && Object.hasOwn(SSO_REFUSAL_MESSAGES, value);
}
