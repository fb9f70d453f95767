import crypto from 'node:crypto';
import type { AuthenticationResponseJSON, RegistrationResponseJSON } from '@simplewebauthn/server';

/** The CBOR values the authenticator emits; Map keeps integer keys such as COSE labels. */
export type CborValue = number | string | Uint8Array | CborValue[] | Map<number | string, CborValue>;

/** Encodes definite-length CBOR (RFC 8949): integers, byte and text strings, arrays and maps. */
export function encodeCbor(value: CborValue): Buffer {
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) {
      throw new Error(`CBOR encoder supports only integers, got ${value}`);
    }
    return value >= 0 ? head(0, value) : head(1, -1 - value);
  }
  if (typeof value === 'string') {
    const bytes = Buffer.from(value, 'utf8');
    return Buffer.concat([head(3, bytes.length), bytes]);
  }
  if (value instanceof Uint8Array) {
    return Buffer.concat([head(2, value.length), value]);
  }
  if (Array.isArray(value)) {
    return Buffer.concat([head(4, value.length), ...value.map(encodeCbor)]);
  }
  const entries = [...value.entries()].flatMap(([key, item]) => [encodeCbor(key), encodeCbor(item)]);
  return Buffer.concat([head(5, value.size), ...entries]);
}

function head(majorType: number, argument: number): Buffer {
  const major = majorType << 5;
  if (argument < 24) {
    return Buffer.from([major | argument]);
  }
  if (argument < 0x100) {
    return Buffer.from([major | 24, argument]);
  }
  if (argument < 0x10000) {
    const bytes = Buffer.alloc(3);
    bytes[0] = major | 25;
    bytes.writeUInt16BE(argument, 1);
    return bytes;
  }
  if (argument < 0x100000000) {
    const bytes = Buffer.alloc(5);
    bytes[0] = major | 26;
    bytes.writeUInt32BE(argument, 1);
    return bytes;
  }
  throw new Error(`CBOR argument ${argument} needs 8 bytes, which this encoder does not write`);
}

/** Authenticator data flag bits (WebAuthn Level 3, section 6.1). */
export const FLAG_USER_PRESENT = 0x01;
export const FLAG_USER_VERIFIED = 0x04;
export const FLAG_ATTESTED_CREDENTIAL_DATA = 0x40;

export interface CeremonyOptions {
  challenge: string;
  origin: string;
  rpId: string;
  /** Sets the UV flag; true unless given. */
  userVerified?: boolean;
  /** Overrides the signature counter; by default it rises by one per assertion. */
  counter?: number;
  /** Overrides the clientDataJSON type, such as `webauthn.get` in a registration. */
  type?: string;
}

/**
 * A software WebAuthn authenticator with one ES256 (P-256) credential. It produces
 * `none` attestations and assertions byte for byte as a hardware key would, so the
 * server's verifier runs unchanged.
 */
export class SoftAuthenticator {
  readonly credentialId = crypto.randomBytes(32);
  private readonly keys = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });
  private signCount = 0;

  get id(): string {
    return this.credentialId.toString('base64url');
  }

  /** Returns the credential public key as a CBOR COSE_Key map: EC2, ES256, P-256, x, y. */
  cosePublicKey(): Buffer {
    const jwk = this.keys.publicKey.export({ format: 'jwk' });
    return encodeCbor(
      new Map<number, CborValue>([
        [1, 2],
        [3, -7],
        [-1, 1],
        [-2, Buffer.from(jwk.x!, 'base64url')],
        [-3, Buffer.from(jwk.y!, 'base64url')],
      ]),
    );
  }

  /** Creates the credential as `navigator.credentials.create()` returns it, with attestation format `none`. */
  createCredential(options: CeremonyOptions): RegistrationResponseJSON {
    const clientDataJSON = clientData(options.type ?? 'webauthn.create', options);

    const idLength = Buffer.alloc(2);
    idLength.writeUInt16BE(this.credentialId.length);
    const attestedCredentialData = Buffer.concat([Buffer.alloc(16), idLength, this.credentialId, this.cosePublicKey()]);
    const authData = Buffer.concat([
      authenticatorData(options, FLAG_ATTESTED_CREDENTIAL_DATA, options.counter ?? 0),
      attestedCredentialData,
    ]);

    const attestationObject = encodeCbor(
      new Map<string, CborValue>([
        ['fmt', 'none'],
        ['attStmt', new Map()],
        ['authData', authData],
      ]),
    );

    return {
      id: this.id,
      rawId: this.id,
      type: 'public-key',
      clientExtensionResults: {},
      authenticatorAttachment: 'cross-platform',
      response: {
        clientDataJSON: clientDataJSON.toString('base64url'),
        attestationObject: attestationObject.toString('base64url'),
        transports: ['usb'],
      },
    };
  }

  /** Signs an assertion as `navigator.credentials.get()` returns it: ECDSA-SHA256 over authenticatorData ‖ SHA-256(clientDataJSON). */
  getAssertion(options: CeremonyOptions): AuthenticationResponseJSON {
    const counter = options.counter ?? ++this.signCount;
    const clientDataJSON = clientData(options.type ?? 'webauthn.get', options);
    const authData = authenticatorData(options, 0, counter);

    const clientDataHash = crypto.createHash('sha256').update(clientDataJSON).digest();
    const signature = crypto.sign('sha256', Buffer.concat([authData, clientDataHash]), this.keys.privateKey);

    return {
      id: this.id,
      rawId: this.id,
      type: 'public-key',
      clientExtensionResults: {},
      authenticatorAttachment: 'cross-platform',
      response: {
        clientDataJSON: clientDataJSON.toString('base64url'),
        authenticatorData: authData.toString('base64url'),
        signature: signature.toString('base64url'),
      },
    };
  }
}

function clientData(type: string, options: CeremonyOptions): Buffer {
  return Buffer.from(JSON.stringify({ type, challenge: options.challenge, origin: options.origin, crossOrigin: false }), 'utf8');
}

function authenticatorData(options: CeremonyOptions, extraFlags: number, counter: number): Buffer {
  const rpIdHash = crypto.createHash('sha256').update(options.rpId, 'utf8').digest();
  const userVerified = options.userVerified ?? true;
  const flags = FLAG_USER_PRESENT | (userVerified ? FLAG_USER_VERIFIED : 0) | extraFlags;

  const counterBytes = Buffer.alloc(4);
  counterBytes.writeUInt32BE(counter);
  return Buffer.concat([rpIdHash, Buffer.from([flags]), counterBytes]);
}
