/**
 * dpkg's rule for package names (deb-control(5), `Package` field): lower-case letters,
 * digits, `+`, `-` and `.`, at least two characters, starting with a letter or digit.
 * An architecture qualifier such as `:i386` may follow, as apt accepts it. A name
 * ending in `-` is rejected because apt-get install reads a trailing `-` on a name
 * that is not a package as "remove"; `g++` stays valid because apt matches exact
 * package names first. The apply step also requires every name to be installed.
 */
const PACKAGE_NAME = /^[a-z0-9][a-z0-9+.-]*[a-z0-9+.](?::[a-z0-9][a-z0-9-]*[a-z0-9])?$/;

/** Maximum accepted name length; real Debian and Ubuntu package names stay well below it. */
const MAX_PACKAGE_NAME_LENGTH = 200;

/**
 * Tells whether `name` is a valid dpkg package name, optionally with an architecture
 * qualifier. A valid name cannot start with `-`, so apt-get never reads it as an option.
 */
export function isValidAptPackageName(name: string): boolean {
  return name.length <= MAX_PACKAGE_NAME_LENGTH && PACKAGE_NAME.test(name);
}
