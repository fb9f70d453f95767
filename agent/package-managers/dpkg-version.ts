/**
 * Debian version ordering, as Debian Policy 5.6.12 defines it and
 * `dpkg --compare-versions` implements it. Package versions must never be
 * compared as plain strings: `6.8.0-31` sorts above `6.8.0-100` that way.
 */

export interface DpkgVersion {
  /** Epoch, 0 when the version has none. */
  epoch: number;
  /** Upstream part, between the epoch colon and the last hyphen. */
  upstream: string;
  /** Debian revision after the last hyphen, or an empty string when there is no hyphen. */
  revision: string;
}

/** dpkg stores the epoch as a C `int`, so larger epochs are invalid. */
const MAX_EPOCH = 2_147_483_647;

const UPSTREAM_CHARACTERS = /^[A-Za-z0-9.+~:-]*$/;
const REVISION_CHARACTERS = /^[A-Za-z0-9.+~]*$/;

/**
 * Splits a Debian version into epoch, upstream part and revision.
 *
 * Leading and trailing whitespace is ignored, as dpkg ignores it. Throws an
 * Error naming the version and the rule it breaks for these cases: an empty
 * version, embedded whitespace, a non-numeric, empty or too large epoch, an
 * empty upstream part or revision, a character that Debian versions do not
 * allow. An upstream part that starts with a letter is accepted, because dpkg only
 * warns about it and such versions exist in old archives.
 */
export function parseDpkgVersion(v: string): DpkgVersion {
  const version = v.trim();
  const fail = (rule: string): never => {
    throw new Error(`invalid dpkg version '${v}': ${rule}`);
  };

  if (version === '') fail('the version is empty');
  if (/\s/.test(version)) fail('the version contains whitespace');

  let epoch = 0;
  let rest = version;
  const colon = version.indexOf(':');
  if (colon !== -1) {
    const epochText = version.slice(0, colon);
    if (epochText === '') fail('the epoch before the colon is empty');
    if (!/^[0-9]+$/.test(epochText)) fail(`the epoch '${epochText}' is not a number`);
    epoch = Number(epochText);
    if (epoch > MAX_EPOCH) fail(`the epoch '${epochText}' is larger than ${MAX_EPOCH}`);
    rest = version.slice(colon + 1);
  }

  let upstream = rest;
  let revision = '';
  const hyphen = rest.lastIndexOf('-');
  if (hyphen !== -1) {
    upstream = rest.slice(0, hyphen);
    revision = rest.slice(hyphen + 1);
    if (revision === '') fail('the revision after the last hyphen is empty');
  }

  if (upstream === '') fail('the upstream version is empty');
  if (!UPSTREAM_CHARACTERS.test(upstream)) {
    fail('the upstream version may contain only letters, digits and . + ~ - :');
  }
  if (!REVISION_CHARACTERS.test(revision)) {
    fail('the revision may contain only letters, digits and . + ~');
  }

  return { epoch, upstream, revision };
}

/**
 * Compares two Debian versions the way `dpkg --compare-versions` does and
 * returns -1, 0 or 1 for `a` lower than, equal to or higher than `b`.
 *
 * Epochs compare as numbers, then the upstream parts, then the revisions. A
 * missing revision equals `0`, so `1.0` equals `1.0-0`. Throws like
 * {@link parseDpkgVersion} when either version is invalid.
 */
export function compareDpkgVersions(a: string, b: string): -1 | 0 | 1 {
  const left = parseDpkgVersion(a);
  const right = parseDpkgVersion(b);

  if (left.epoch !== right.epoch) return left.epoch < right.epoch ? -1 : 1;

  const upstream = comparePart(left.upstream, right.upstream);
  if (upstream !== 0) return upstream;

  return comparePart(left.revision, right.revision);
}

function isDigit(character: string): boolean {
  return character >= '0' && character <= '9';
}

function isLetter(character: string): boolean {
  return (character >= 'a' && character <= 'z') || (character >= 'A' && character <= 'Z');
}

/**
 * Sort weight of one character inside a non-digit run. The end of the run
 * weighs 0, `~` sorts before it, letters after it in ASCII order, and every
 * other character after all letters.
 */
function characterWeight(character: string | undefined): number {
  if (character === undefined || isDigit(character)) return 0;
  if (character === '~') return -1;
  const code = character.charCodeAt(0);
  return isLetter(character) ? code : code + 256;
}

/**
 * Compares an upstream part or a revision: alternating runs of non-digits
 * (compared by {@link characterWeight}) and digits (compared as numbers of any
 * length, so leading zeros do not count).
 */
function comparePart(a: string, b: string): -1 | 0 | 1 {
  let i = 0;
  let j = 0;

  while (i < a.length || j < b.length) {
    while ((i < a.length && !isDigit(a[i]!)) || (j < b.length && !isDigit(b[j]!))) {
      const left = characterWeight(a[i]);
      const right = characterWeight(b[j]);
      if (left !== right) return left < right ? -1 : 1;
      i += 1;
      j += 1;
    }

    const digitsA = readDigitRun(a, i);
    const digitsB = readDigitRun(b, j);
    i += digitsA.length;
    j += digitsB.length;

    const numeric = compareDigitRuns(digitsA, digitsB);
    if (numeric !== 0) return numeric;
  }

  return 0;
}

function readDigitRun(text: string, start: number): string {
  let end = start;
  while (end < text.length && isDigit(text[end]!)) end += 1;
  return text.slice(start, end);
}

/** Compares two runs of decimal digits by value, without converting them to numbers. */
function compareDigitRuns(a: string, b: string): -1 | 0 | 1 {
  const left = a.replace(/^0+/, '');
  const right = b.replace(/^0+/, '');
  if (left.length !== right.length) return left.length < right.length ? -1 : 1;
  if (left === right) return 0;
  return left < right ? -1 : 1;
}
