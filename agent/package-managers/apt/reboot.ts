import type { RebootState } from '../types';
import { compareDpkgVersions } from '../dpkg-version';

const FLAG_FILE = '/var/run/reboot-required';
const PACKAGES_FILE = '/var/run/reboot-required.pkgs';

/**
 * Reads the reboot flag that Debian and Ubuntu packages set through
 * `/var/run/reboot-required` and `/var/run/reboot-required.pkgs`.
 *
 * Only the existence of the flag file counts (`flagText` is null when it is
 * missing), because its text may be translated. A missing file means
 * `unknown`, not `no`, because Debian and Raspberry Pi OS hosts without the
 * notifier hooks never create it. The hooks append to the `.pkgs` file, so the
 * packages are returned once each, in first-seen order.
 */
export function rebootStateFromFlagFile(flagText: string | null, pkgsText: string | null): RebootState {
  if (flagText === null) {
    return { required: 'unknown', reason: `${FLAG_FILE} does not exist`, packages: [] };
  }

  const packages: string[] = [];
  for (const line of (pkgsText ?? '').split('\n')) {
    const name = line.trim();
    if (name !== '' && !packages.includes(name)) packages.push(name);
  }

  const reason =
    pkgsText === null
      ? `${FLAG_FILE} exists; ${PACKAGES_FILE} does not`
      : `${FLAG_FILE} exists; packages from ${PACKAGES_FILE}, duplicates removed`;
  return { required: 'yes', reason, packages };
}

/** One installed kernel image, from a `linux-image-<release>` package. */
interface KernelImage {
  packageName: string;
  release: string;
  version: string;
}

/**
 * Splits a kernel release such as `6.8.0-100-generic` or `6.18.39+rpt-rpi-v7`
 * into the upstream version, the ABI number (`-100`, `-28`, `-rpi7`,
 * `-0.deb11.17`) and the flavour, which is everything after them
 * (`-generic`, `+rpt-rpi-v7`). Returns null when the release does not start
 * with a version number.
 */
function kernelFlavour(release: string): string | null {
  const match = /^\d+(?:\.\d+)*(?:-(?:\d[a-z0-9.]*|[a-z]+\d+))?(.*)$/.exec(release);
  return match === null ? null : (match[1] ?? '');
}

/**
 * Reads `name version` lines (`dpkg-query -W 'linux-image-*'` reduced to two
 * columns) into kernel images. Meta-packages such as `linux-image-virtual` or
 * `linux-image-amd64` have no release in their name and are left out. The
 * `unsigned` image packages of Ubuntu and Debian count as the release they carry.
 */
function readKernelImages(kernelPackagesText: string): KernelImage[] {
  const images: KernelImage[] = [];

  for (const line of kernelPackagesText.split('\n')) {
    const [qualifiedName, version, ...rest] = line.trim().split(/\s+/);
    if (qualifiedName === undefined || version === undefined || rest.length > 0) continue;

    const packageName = qualifiedName.split(':')[0] ?? '';
    const match = /^linux-image-(?:unsigned-)?(\d.*?)(?:-unsigned)?$/.exec(packageName);
    if (match === null) continue;

    images.push({ packageName, release: match[1] ?? '', version });
  }

  return images;
}

/**
 * Decides whether the host runs its newest installed kernel of the running
 * flavour. `unameR` is `uname -r`, and `kernelPackagesText` contains one
 * `name version` line per installed `linux-image-*` package.
 *
 * Only real kernel images whose flavour (`-generic`, `+rpt-rpi-v7`) equals the
 * running one are compared, by dpkg version order, so `6.8.0-100` sorts above
 * `6.8.0-31`. A reboot is required when the newest of them is not the running
 * kernel. The result is `unknown` when no installed image has the running
 * flavour, for example with a self-built kernel. Throws when a package
 * version is not a valid dpkg version.
 */
export function rebootStateFromKernels(unameR: string, kernelPackagesText: string): RebootState {
  const running = unameR.trim();
  const flavour = kernelFlavour(running);
  if (flavour === null) {
    return { required: 'unknown', reason: `running kernel release '${running}' does not start with a version number`, packages: [] };
  }

  const label = flavour === '' ? 'unflavoured' : flavour;
  const images = readKernelImages(kernelPackagesText).filter((image) => kernelFlavour(image.release) === flavour);
  if (images.length === 0) {
    return {
      required: 'unknown',
      reason: `no installed kernel image package has the running kernel's flavour (${label})`,
      packages: [],
    };
  }

  const newestVersion = images.map((image) => image.version).reduce((a, b) => (compareDpkgVersions(a, b) >= 0 ? a : b));
  const newest = images.filter((image) => compareDpkgVersions(image.version, newestVersion) === 0);
  const newestImage = newest[0]!;

  if (newest.some((image) => image.release === running)) {
    const others = images.length === 1 ? 'the only one installed' : `newest of ${images.length} by dpkg version order`;
    return {
      required: 'no',
      reason: `running kernel ${running} is the newest installed ${label} kernel (${newestVersion}, ${others})`,
      packages: [],
    };
  }

  const runningInstalled = images.some((image) => image.release === running);
  const reason = runningInstalled
    ? `running kernel ${running} is older than the newest installed ${label} kernel ${newestImage.release} (${newestVersion}, by dpkg version order)`
    : `running kernel ${running} has no installed package; the newest installed ${label} kernel is ${newestImage.release} (${newestVersion})`;
  return { required: 'yes', reason, packages: newest.map((image) => image.packageName) };
}

/**
 * Combines both sources. The flag file wins when it reports a required reboot,
 * else the kernel comparison counts. When neither source decides, the result
 * is `unknown` with both reasons.
 */
export function combineRebootStates(flag: RebootState, kernels: RebootState): RebootState {
  if (flag.required === 'yes') return flag;
  if (kernels.required !== 'unknown') return kernels;
  if (flag.required !== 'unknown') return flag;

  return { required: 'unknown', reason: `${flag.reason}; ${kernels.reason}`, packages: [] };
}
