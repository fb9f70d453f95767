/**
 * Tells whether a package is held. `apt-mark showhold` prints a package of a
 * foreign architecture as `name:arch`, so both spellings are looked up.
 */
export function isHeld(held: ReadonlySet<string> | undefined, name: string, arch: string): boolean {
  if (held === undefined) return false;
  return held.has(name) || (arch !== '' && held.has(`${name}:${arch}`));
}

/** Splits `libc6:amd64` into name and architecture qualifier; the qualifier is '' when absent. */
export function splitArchQualifier(qualifiedName: string): { name: string; qualifier: string } {
  const colon = qualifiedName.indexOf(':');
  if (colon === -1) return { name: qualifiedName, qualifier: '' };
  return { name: qualifiedName.slice(0, colon), qualifier: qualifiedName.slice(colon + 1) };
}
