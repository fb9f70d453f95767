import type { Metadata } from 'next';
import { safeReturnTo } from '@/lib/auth/return-to';
import { azureSsoLoginOptions } from '@/lib/auth/sso/azure-sso-settings';
import { LoginForm } from '@/components/auth/login-form';
import { getRuntime } from '@/lib/runtime';

export const metadata: Metadata = { title: 'Sign in' };
export const dynamic = 'force-dynamic';

type Method = 'totp' | 'webauthn' | 'recovery';
const METHODS: readonly Method[] = ['totp', 'webauthn', 'recovery'];

/** Reads the second-factor methods the SSO callback passes; the server checks the challenge again, so this only picks the form's step. */
function parseMethods(raw: string | string[] | undefined, step: string | string[] | undefined): Method[] {
  if (step !== 'mfa' || typeof raw !== 'string') return [];
  return raw.split(',').filter((method): method is Method => (METHODS as readonly string[]).includes(method));
}

export default async function LoginPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const params = await searchParams;
  const raw = params.returnTo;
  const returnTo = safeReturnTo(typeof raw === 'string' ? raw : null);
  const sso = await azureSsoLoginOptions(getRuntime().database.db);
  return (
    <div className="mx-auto max-w-sm pt-10">
      <LoginForm
        returnTo={returnTo}
        ssoEnabled={sso.enabled}
        localLoginRestricted={sso.localLoginRestricted}
        initialMethods={parseMethods(params.methods, params.step)}
      />
    </div>
  );
}
