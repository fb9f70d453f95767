/**
 * pacman version ordering (`alpm_pkg_vercmp` in pacman 6.0, printed by `vercmp`).
 * It descends from rpm's algorithm but differs in three ways: `~` and `^` are plain
 * separators, a longer separator run makes a version newer (`1..0` > `1.0`), and a
 * trailing letter segment makes a version older (`1.0a` < `1.0` < `1.0.a`).
 */

const isDigit = (character: string): boolean => character >= '0' && character <= '9';
const isAlpha = (character: string): boolean => (character >= 'a' && character <= 'z') || (character >= 'A' && character <= 'Z');
const isAlnum = (character: string): boolean => isDigit(character) || isAlpha(character);

/** Length of a separator run in UTF-8 bytes, because pacman counts bytes. */
const byteLength = (text: string): number => Buffer.byteLength(text, 'utf8');

function stripZeros(digits: string): string {
  let start = 0;
  while (start < digits.length && digits.charAt(start) === '0') start += 1;
  return digits.slice(start);
}

/** Compares one epoch, pkgver or pkgrel part with pacman's segment rules. Returns -1, 0 or 1. */
export function pacmanSegmentCompare(a: string, b: string): -1 | 0 | 1 {
  if (a === b) return 0;

  // `segmentEndA` and `segmentEndB` mark where the previous segment ended, so the
  // separator run between segments can be measured.
  let i = 0;
  let j = 0;
  let segmentEndA = 0;
  let segmentEndB = 0;

  while (i < a.length && j < b.length) {
    while (i < a.length && !isAlnum(a.charAt(i))) i += 1;
    while (j < b.length && !isAlnum(b.charAt(j))) j += 1;
    if (i >= a.length || j >= b.length) break;

    const separatorA = byteLength(a.slice(segmentEndA, i));
    const separatorB = byteLength(b.slice(segmentEndB, j));
    if (separatorA !== separatorB) return separatorA < separatorB ? -1 : 1;

    const numeric = isDigit(a.charAt(i));
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
    if (segmentA !== segmentB) return segmentA < segmentB ? -1 : 1;

    i = iEnd;
    j = jEnd;
    segmentEndA = iEnd;
    segmentEndB = jEnd;
  }

  const restA = a.slice(i);
  const restB = b.slice(j);
  if (restA === '' && restB === '') return 0;

  // A remaining letter segment never beats the end of the other string.
  if ((restA === '' && !isAlpha(restB.charAt(0))) || isAlpha(restA.charAt(0))) return -1;
  return 1;
}

/** Splits `[epoch:]pkgver[-pkgrel]`; the epoch defaults to `0`, the release to null. */
export function parsePacmanVersion(text: string): { epoch: string; pkgver: string; pkgrel: string | null } {
  let digitsEnd = 0;
  while (digitsEnd < text.length && isDigit(text.charAt(digitsEnd))) digitsEnd += 1;

  let epoch = '0';
  let rest = text;
  if (text.charAt(digitsEnd) === ':') {
    epoch = digitsEnd === 0 ? '0' : text.slice(0, digitsEnd);
    rest = text.slice(digitsEnd + 1);
  }

  const hyphen = rest.lastIndexOf('-');
  if (hyphen === -1) return { epoch, pkgver: rest, pkgrel: null };
  return { epoch, pkgver: rest.slice(0, hyphen), pkgrel: rest.slice(hyphen + 1) };
}

/**
 * Compares two pacman versions: epoch, then pkgver, then pkgrel only when both
 * have one (`1.5` equals `1.5-1`, as pacman's versioned dependencies need).
 * Returns -1, 0 or 1.
 */
export function comparePacmanVersions(a: string, b: string): -1 | 0 | 1 {
  if (a === b) return 0;

  const left = parsePacmanVersion(a);
  const right = parsePacmanVersion(b);

  const byEpoch = pacmanSegmentCompare(left.epoch, right.epoch);
  if (byEpoch !== 0) return byEpoch;

  const byVersion = pacmanSegmentCompare(left.pkgver, right.pkgver);
  if (byVersion !== 0 || left.pkgrel === null || right.pkgrel === null) return byVersion;

  return pacmanSegmentCompare(left.pkgrel, right.pkgrel);
}
