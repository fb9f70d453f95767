/**
 * RPM version ordering as rpm 4.18 implements it (`rpmvercmp` and `rpmverCmp`), used
 * by dnf, yum and zypper hosts. Versions must never be compared as plain strings:
 * `5.14.0-503` sorts above `5.14.0-70` only by segment.
 */

/** Epoch, version and release of an `[epoch:]version[-release]` string. */
export interface RpmEvr {
  /** Epoch digits, or null when the string has no `digits:` prefix (compares as 0). */
  epoch: string | null;
  version: string;
  /** Text after the last hyphen, or null when there is none. */
  release: string | null;
}

const isDigit = (character: string): boolean => character >= '0' && character <= '9';
const isAlpha = (character: string): boolean => (character >= 'a' && character <= 'z') || (character >= 'A' && character <= 'Z');
const isAlnum = (character: string): boolean => isDigit(character) || isAlpha(character);

/**
 * Splits an EVR the way rpm's parser does: an epoch only when the string starts with
 * digits followed by `:` (an empty epoch before the colon counts as 0), and the
 * release after the last hyphen of the rest.
 */
export function parseRpmEvr(evr: string): RpmEvr {
  let digitsEnd = 0;
  while (digitsEnd < evr.length && isDigit(evr.charAt(digitsEnd))) digitsEnd += 1;

  let epoch: string | null = null;
  let rest = evr;
  if (evr.charAt(digitsEnd) === ':') {
    epoch = digitsEnd === 0 ? '0' : evr.slice(0, digitsEnd);
    rest = evr.slice(digitsEnd + 1);
  }

  const hyphen = rest.lastIndexOf('-');
  if (hyphen === -1) return { epoch, version: rest, release: null };
  return { epoch, version: rest.slice(0, hyphen), release: rest.slice(hyphen + 1) };
}

/** Removes leading zeros, so `0001` and `1` compare equal. */
function stripZeros(digits: string): string {
  let start = 0;
  while (start < digits.length && digits.charAt(start) === '0') start += 1;
  return digits.slice(start);
}

/** Compares two ASCII strings by code unit, as C `strcmp` does. */
function compareStrings(a: string, b: string): -1 | 0 | 1 {
  if (a === b) return 0;
  return a < b ? -1 : 1;
}

/**
 * Compares one version or release part (no epoch handling) with rpm's rules:
 *
 * - only ASCII letters and digits form segments, every other character separates them;
 * - `~` sorts before everything, even the end of the string (`1.0~rc1` < `1.0`);
 * - `^` sorts after the end of the string but before any other segment
 *   (`1.0` < `1.0^git1` < `1.0.1`);
 * - a numeric segment beats an alphabetic one, numbers compare without leading zeros,
 *   letters compare by ASCII code;
 * - when all segments match, the string with segments left over is newer.
 */
export function rpmvercmp(a: string, b: string): -1 | 0 | 1 {
  if (a === b) return 0;

  let i = 0;
  let j = 0;
  const skipSeparators = (text: string, index: number): number => {
    let position = index;
    while (position < text.length) {
      const character = text.charAt(position);
      if (isAlnum(character) || character === '~' || character === '^') break;
      position += 1;
    }
    return position;
  };

  while (i < a.length || j < b.length) {
    i = skipSeparators(a, i);
    j = skipSeparators(b, j);
    const one = a.charAt(i);
    const two = b.charAt(j);

    if (one === '~' || two === '~') {
      if (one !== '~') return 1;
      if (two !== '~') return -1;
      i += 1;
      j += 1;
      continue;
    }

    if (one === '^' || two === '^') {
      if (one === '') return -1;
      if (two === '') return 1;
      if (one !== '^') return 1;
      if (two !== '^') return -1;
      i += 1;
      j += 1;
      continue;
    }

    if (one === '' || two === '') break;

    const numeric = isDigit(one);
    const inSegment = numeric ? isDigit : isAlpha;
    let iEnd = i;
    while (iEnd < a.length && inSegment(a.charAt(iEnd))) iEnd += 1;
    let jEnd = j;
    while (jEnd < b.length && inSegment(b.charAt(jEnd))) jEnd += 1;

    // The segment of `b` is empty when it has the other type: numbers beat letters.
    if (jEnd === j) return numeric ? 1 : -1;

    let segmentA = a.slice(i, iEnd);
    let segmentB = b.slice(j, jEnd);
    if (numeric) {
      segmentA = stripZeros(segmentA);
      segmentB = stripZeros(segmentB);
      if (segmentA.length !== segmentB.length) return segmentA.length > segmentB.length ? 1 : -1;
    }

    const order = compareStrings(segmentA, segmentB);
    if (order !== 0) return order;

    i = iEnd;
    j = jEnd;
  }

  const restA = i < a.length;
  const restB = j < b.length;
  if (!restA && !restB) return 0;
  return restA ? 1 : -1;
}

/**
 * Compares two `[epoch:]version[-release]` strings as `rpm.vercmp` in rpm 4.18 does:
 * epoch (missing = 0), then version, then release. When only one side has a
 * release, that side is newer (`1.0-1` > `1.0`). Returns -1, 0 or 1.
 */
export function compareRpmVersions(a: string, b: string): -1 | 0 | 1 {
  const left = parseRpmEvr(a);
  const right = parseRpmEvr(b);

  const byEpoch = rpmvercmp(left.epoch ?? '0', right.epoch ?? '0');
  if (byEpoch !== 0) return byEpoch;

  const byVersion = rpmvercmp(left.version, right.version);
  if (byVersion !== 0) return byVersion;

  if (left.release !== null && right.release !== null) return rpmvercmp(left.release, right.release);
  if (left.release !== null) return 1;
  if (right.release !== null) return -1;
  return 0;
}
