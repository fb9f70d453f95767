import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { PRIVATE_KEY_MODE, readOptionalFile, readPrivateKeyFile, replaceFile } from '@/lib/pki/pki-files';

/** File names inside `<config dir>/jwt/`. */
export const ACTIVE_KEY_FILE = 'signing.pem';
export const MANIFEST_FILE = 'keys.json';

/** Metadata of one signing key as kept in keys.json. */
export interface SigningKeyRecord {
  /** RFC 7638 JWK thumbprint (SHA-256, base64url) of the public key; also the JWT `kid`. */
  kid: string;
  createdAt: Date;
  /** When a rotation replaced this key; null for the active key. */
  retiredAt: Date | null;
}

const KID_PATTERN = /^[A-Za-z0-9_-]{43}$/;

const manifestSchema = z
  .object({
    version: z.literal(1),
    keys: z.array(
      z
        .object({
          kid: z.string().regex(KID_PATTERN),
          createdAt: z.iso.datetime(),
          retiredAt: z.iso.datetime().nullable(),
        })
        .strict(),
    ),
  })
  .strict();

/** Returns the directory that contains the signing keys of a configuration directory. */
export function signingKeyDirectory(configDir: string): string {
  return path.join(configDir, 'jwt');
}

/** Path of a retired key's public key file; the kid pattern keeps it inside the directory. */
export function retiredKeyPath(directory: string, kid: string): string {
  if (!KID_PATTERN.test(kid)) {
    throw new Error(`signing key id "${kid}" is not a base64url SHA-256 thumbprint`);
  }
  return path.join(directory, `${kid}.pem`);
}

/**
 * Computes the RFC 7638 JWK thumbprint of an Ed25519 key (private or public), which
 * serves as its `kid`, so a kid always names exactly one key.
 */
export function keyIdFor(key: KeyObject): string {
  const publicKey = key.type === 'private' ? createPublicKey(key) : key;
  const jwk = publicKey.export({ format: 'jwk' });
  // RFC 7638 section 3.2: the required members in lexicographic order, no whitespace.
  const canonical = JSON.stringify({ crv: jwk.crv, kty: jwk.kty, x: jwk.x });
  return createHash('sha256').update(canonical).digest('base64url');
}

/** Creates a new Ed25519 key pair, returning the private key and its PKCS#8 PEM. */
export function generateSigningKey(): { privateKey: KeyObject; pem: string; kid: string } {
  const { privateKey } = generateKeyPairSync('ed25519');
  const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  return { privateKey, pem, kid: keyIdFor(privateKey) };
}

/** Parses a PEM key and checks that it is Ed25519, the only key type accepted. */
export function parseEd25519Key(pem: string, file: string, type: 'private' | 'public'): KeyObject {
  const key = type === 'private' ? createPrivateKey(pem) : createPublicKey(pem);
  if (key.asymmetricKeyType !== 'ed25519') {
    throw new Error(`${file} contains a ${key.asymmetricKeyType} key, but access tokens are signed only with Ed25519 keys; replace the file`);
  }
  return key;
}

/** Reads the active private key, or null when signing.pem does not exist. Throws when its mode is wider than 0600. */
export async function readActiveKey(directory: string): Promise<KeyObject | null> {
  const file = path.join(directory, ACTIVE_KEY_FILE);
  const pem = await readPrivateKeyFile(file);
  return pem === null ? null : parseEd25519Key(pem, file, 'private');
}

/** Reads a retired key's public key, or null when its file was removed. */
export async function readRetiredKey(directory: string, kid: string): Promise<KeyObject | null> {
  const file = retiredKeyPath(directory, kid);
  const pem = await readPrivateKeyFile(file);
  return pem === null ? null : parseEd25519Key(pem, file, 'public');
}

/** Replaces signing.pem atomically with a new private key, mode 0600. */
export async function writeActiveKey(directory: string, pem: string): Promise<void> {
  await replaceFile(path.join(directory, ACTIVE_KEY_FILE), pem, PRIVATE_KEY_MODE);
}

/**
 * Writes the public half of a key being retired to `<kid>.pem`. Only the public key is
 * kept, because a retired key only verifies and must never sign again.
 */
export async function writeRetiredKey(directory: string, key: KeyObject): Promise<void> {
  const publicKey = key.type === 'private' ? createPublicKey(key) : key;
  const pem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
  await replaceFile(retiredKeyPath(directory, keyIdFor(publicKey)), pem, PRIVATE_KEY_MODE);
}

/** Reads keys.json, or returns null when it does not exist. Throws with the file name when it is invalid. */
export async function readManifest(directory: string): Promise<SigningKeyRecord[] | null> {
  const file = path.join(directory, MANIFEST_FILE);
  const text = await readOptionalFile(file);
  if (text === null) {
    return null;
  }

  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new Error(`${file} is not valid JSON; restore it from a backup or remove it so it is rebuilt`, { cause: error });
  }
  const parsed = manifestSchema.safeParse(json);
  if (!parsed.success) {
    throw new Error(`${file} is invalid (${parsed.error.issues[0]?.message ?? 'unknown shape'}); restore it from a backup`);
  }

  return parsed.data.keys.map((entry) => ({
    kid: entry.kid,
    createdAt: new Date(entry.createdAt),
    retiredAt: entry.retiredAt === null ? null : new Date(entry.retiredAt),
  }));
}

/** Replaces keys.json atomically. Readers detect the change by its mtime, size and inode. */
export async function writeManifest(directory: string, records: SigningKeyRecord[]): Promise<void> {
  const body = {
    version: 1,
    keys: records.map((record) => ({
      kid: record.kid,
      createdAt: record.createdAt.toISOString(),
      retiredAt: record.retiredAt ? record.retiredAt.toISOString() : null,
    })),
  };
  await replaceFile(path.join(directory, MANIFEST_FILE), `${JSON.stringify(body, null, 2)}\n`, PRIVATE_KEY_MODE);
}

/** Returns a value that changes whenever keys.json is replaced, or null when it does not exist. */
export async function manifestVersion(directory: string): Promise<string | null> {
  try {
    const info = await stat(path.join(directory, MANIFEST_FILE));
    return `${info.ino}:${info.size}:${info.mtimeMs}`;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      return null;
    }
    throw error;
  }
}
