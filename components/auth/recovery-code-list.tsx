import { Alert, AlertDescription, AlertTitle } from '@/components/ui/alert';

/** Shows new recovery codes once, with the instruction to store them. */
export function RecoveryCodeList({ codes }: { codes: string[] }) {
  return (
    <Alert variant="warning">
      <AlertTitle>Save your recovery codes</AlertTitle>
      <AlertDescription>
        <p>Each code signs you in once if you lose your authenticator. They are shown only now.</p>
        <ul className="mt-2 grid grid-cols-2 gap-1 font-mono text-sm" data-testid="recovery-codes">
          {codes.map((code) => (
            <li key={code} data-testid="recovery-code">
              {code}
            </li>
          ))}
        </ul>
      </AlertDescription>
    </Alert>
  );
}
