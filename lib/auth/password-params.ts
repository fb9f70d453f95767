/** Argon2id cost parameters in the units of the PHC string format. */
export interface Argon2Params {
  /** Memory in KiB (`m`). */
  memoryCost: number;
  /** Number of passes over the memory (`t`). */
  timeCost: number;
  /** Number of lanes (`p`). */
  parallelism: number;
}

/**
 * The default password hashing cost: Argon2id with 64 MiB, 3 passes and 1 lane, the
 * product's stated default.
 * `patch-manager auth calibrate` measures what these cost on a given machine.
 */
export const PASSWORD_HASH_PARAMS: Readonly<Argon2Params> = Object.freeze({
  memoryCost: 65_536,
  timeCost: 3,
  parallelism: 1,
});

/** The lowest memory cost ever used or proposed, in KiB (64 MiB). */
export const MIN_MEMORY_COST_KIB = 65_536;

/** Length of the stored tag in bytes. */
export const PASSWORD_HASH_LENGTH = 32;

/** Argon2 version 1.3, written as `v=19` in an encoded hash. */
export const ARGON2_VERSION = 0x13;

/** The fields of an encoded Argon2 hash that decide whether it must be recomputed. */
export interface EncodedHashParams extends Argon2Params {
  type: string;
  version: number;
  hashLength: number;
}

const ENCODED_HASH = /^\$(argon2(?:id|i|d))\$v=(\d+)\$([a-z]=\d+(?:,[a-z]=\d+)*)\$([A-Za-z0-9+/]+)\$([A-Za-z0-9+/]+)$/;

/**
 * Reads the algorithm and cost parameters from a PHC-format Argon2 hash such as
 * `$argon2id$v=19$m=65536,t=3,p=1$<salt>$<tag>`. The m, t and p fields may come in any
 * order, because node-argon2 writes `m,p,t` while the reference implementation writes
 * `m,t,p`. Returns null for anything else, including hashes with extra fields (`keyid`,
 * `data`) that this project never writes.
 */
export function parseEncodedHash(encoded: string): EncodedHashParams | null {
  const match = ENCODED_HASH.exec(encoded);
  if (!match) {
    return null;
  }

  const [, type, version, fields, , tag] = match;
  const values = new Map(fields!.split(',').map((field) => [field[0]!, Number(field.slice(2))] as const));
  const memoryCost = values.get('m');
  const timeCost = values.get('t');
  const parallelism = values.get('p');
  if (values.size !== 3 || memoryCost === undefined || timeCost === undefined || parallelism === undefined) {
    return null;
  }

  return {
    type: type!,
    version: Number(version),
    memoryCost,
    timeCost,
    parallelism,
    hashLength: Buffer.from(tag!, 'base64').length,
  };
}

/**
 * Rewrites the parameter field of an encoded hash to the reference order
 * `m=<KiB>,t=<passes>,p=<lanes>`, which the reference implementation, libsodium and
 * node-argon2's own verify all read. Returns other strings unchanged.
 */
export function canonicalEncodedHash(encoded: string): string {
  const parsed = parseEncodedHash(encoded);
  if (!parsed) {
    return encoded;
  }
  const parts = encoded.split('$');
  parts[3] = `m=${parsed.memoryCost},t=${parsed.timeCost},p=${parsed.parallelism}`;
  return parts.join('$');
}
