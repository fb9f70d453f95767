/**
 * Architectures that rpm-based distributions build for. A check-update or updateinfo
 * row is accepted only with one of them, which keeps banners and warnings out.
 */
export const RPM_ARCHITECTURES: ReadonlySet<string> = new Set([
  'noarch', 'x86_64', 'x86_64_v2', 'x86_64_v3', 'x86_64_v4', 'i386', 'i486', 'i586', 'i686', 'athlon', 'ia32e',
  'aarch64', 'armv7hl', 'armv7l', 'armv6hl', 'armhfp', 'ppc64le', 'ppc64', 'ppc', 's390x', 's390', 'riscv64',
  'loongarch64', 'mips64el', 'src', 'nosrc',
]);

/** Splits `name.arch`; returns null when the text has no known architecture suffix. */
export function splitNameArch(text: string): { name: string; arch: string } | null {
  const dot = text.lastIndexOf('.');
  if (dot <= 0) return null;
  const arch = text.slice(dot + 1);
  return RPM_ARCHITECTURES.has(arch) ? { name: text.slice(0, dot), arch } : null;
}

/** One package in `name-[epoch:]version-release.arch` form. */
export interface Nevra {
  name: string;
  /** `[epoch:]version-release`. */
  version: string;
  arch: string;
}

/** Reads `name-[epoch:]version-release.arch`; returns null for any other shape. */
export function parseNevra(text: string): Nevra | null {
  const nameArch = splitNameArch(text);
  if (nameArch === null) return null;

  const match = /^(.+)-((?:\d+:)?[^-:]+-[^-:]+)$/.exec(nameArch.name);
  if (match === null) return null;
  return { name: match[1] ?? '', version: match[2] ?? '', arch: nameArch.arch };
}

/** A version as check-update prints it: `[epoch:]version-release`. */
export function isRpmEvr(text: string): boolean {
  return /^(?:\d+:)?[^\s:-][^\s:]*-[^\s:-]+$/.test(text);
}
