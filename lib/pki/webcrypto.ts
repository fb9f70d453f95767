/**
 * The WebCrypto implementation used for every X.509 operation. Node.js 20 and later
 * expose it as `globalThis.crypto`.
 */
export const webcrypto: Crypto = globalThis.crypto;
