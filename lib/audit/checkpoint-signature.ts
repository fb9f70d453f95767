import { createHash, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';

/** A signed statement that the audit chain's row `rowId` had `rowHash` at `signedAt`. */
export interface SignedCheckpoint {
  rowId: number;
  rowHash: string;
  /** ISO-8601 time of signing. */
  signedAt: string;
  /** Identifies the signing key: the first 16 hex digits of the SHA-256 of its SPKI DER form. */
  keyId: string;
  /** Ed25519 signature over checkpointMessage(), base64. */
  signature: string;
}

/**
 * The signed bytes: a version line, then rowId, rowHash and signedAt, one per
 * line. None of the fields can contain a newline, so the form is unambiguous.
 */
export function checkpointMessage(checkpoint: Pick<SignedCheckpoint, 'rowId' | 'rowHash' | 'signedAt'>): Buffer {
  return Buffer.from(`pm-audit-checkpoint-v1\n${checkpoint.rowId}\n${checkpoint.rowHash}\n${checkpoint.signedAt}`, 'utf8');
}

/** Computes the key id of an Ed25519 public key (PEM or KeyObject). */
export function checkpointKeyId(publicKey: string | KeyObject): string {
  const key = typeof publicKey === 'string' ? createPublicKey(publicKey) : publicKey;
  const der = key.export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(der).digest('hex').slice(0, 16);
}

/** Signs the chain head with the Ed25519 private key. */
export function signCheckpoint(
  head: { rowId: number; rowHash: string; signedAt: string },
  privateKey: KeyObject,
  keyId: string,
): SignedCheckpoint {
  const signature = sign(null, checkpointMessage(head), privateKey).toString('base64');
  return { rowId: head.rowId, rowHash: head.rowHash, signedAt: head.signedAt, keyId, signature };
}

/** True when the checkpoint was signed by `publicKeyPem` and its fields are well formed. */
export function isCheckpointSignatureValid(checkpoint: SignedCheckpoint, publicKeyPem: string): boolean {
  if (!Number.isSafeInteger(checkpoint.rowId) || !/^[0-9a-f]{64}$/.test(checkpoint.rowHash) || /\n/.test(checkpoint.signedAt)) {
    return false;
  }
  try {
    const publicKey = createPublicKey(publicKeyPem);
    if (checkpoint.keyId !== checkpointKeyId(publicKey)) {
      return false;
    }
    return verify(null, checkpointMessage(checkpoint), publicKey, Buffer.from(checkpoint.signature, 'base64'));
  } catch {
    // An unreadable public key or a malformed signature verifies nothing.
    return false;
  }
}
