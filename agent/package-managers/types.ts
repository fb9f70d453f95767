/**
 * Shapes the agent's package-manager backends produce. The server validates the
 * same shapes again with the zod schemas in lib/agent-protocol, because agent
 * payloads are untrusted.
 */

/** One update that the package manager offers for an installed or new package. */
export interface PendingUpdate {
  name: string;
  arch: string;
  /** Installed version, or null when the update installs the package for the first time. */
  installed: string | null;
  candidate: string;
  /** Suite, archive or repository as the tool prints it, for example `jammy-updates,jammy-security`. */
  repository: string;
  /** True only when the tool's own output marks the update as a security fix (origin or suite). */
  security: boolean;
  /** Held by the administrator (`apt-mark hold`, dpkg selection `h`). */
  held: boolean;
  /** Deferred by phased rollout, so the upgrade will not install it yet. */
  phased: boolean;
  /** Advisory ids (USN, DSA, RHSA, ...) where the tool prints them. */
  advisories: string[];
}

/** dpkg's current-state letter spelled out; rpm-based tools report only `installed`. */
export type PackageState =
  | 'installed'
  | 'half-installed'
  | 'unpacked'
  | 'half-configured'
  | 'triggers-awaited'
  | 'triggers-pending';

/** One package whose files are on disk. */
export interface InstalledPackage {
  name: string;
  /** Full version with epoch where the tool shows one, for example `1:2.3-4`. */
  version: string;
  arch: string;
  /** Source package or origin where known, else an empty string. */
  source: string;
  state: PackageState;
  held: boolean;
  /** True when a package manager run was interrupted and left the package unconfigured. */
  broken: boolean;
}

export type RebootRequired = 'yes' | 'no' | 'unknown';

export interface RebootState {
  required: RebootRequired;
  /** Plain-language reason, for example the flag file or the kernel comparison. */
  reason: string;
  /** Packages that asked for the reboot, each once, in first-seen order. */
  packages: string[];
}

/** Why a package-manager run failed, read from its exit status and output. */
export type FailureCause =
  | 'lock-held'
  | 'dpkg-interrupted'
  | 'held-packages'
  | 'package-not-installed'
  | 'interactive-prompt'
  | 'no-space'
  | 'repository-unreachable'
  | 'timeout'
  | 'cancelled'
  | 'commands-disabled'
  | 'pre-command-failed'
  | 'post-command-failed'
  | 'reboot-failed'
  | 'unknown';

export interface FailureClassification {
  cause: FailureCause;
  /** One line for the console, for example `dpkg lock /var/lib/dpkg/lock-frontend held by process 1719 (unattended-upgr)`. */
  message: string;
  /** True when running the same job again later may succeed without a change on the host. */
  retriable: boolean;
  lock?: string;
  holderPid?: number | null;
  holder?: string | null;
  packages?: string[];
}

/** A package whose version changed during a job. */
export interface PackageChange {
  name: string;
  arch: string;
  /** Version before the job, or null when the job installed the package. */
  before: string | null;
  /** Version after the job, or null when the job removed the package. */
  after: string | null;
}

/** Facts about the host that the agent reports with every full inventory. */
export interface HostFacts {
  hostname: string;
  osId: string;
  osName: string;
  osVersion: string;
  osCodename: string;
  kernelRunning: string;
  kernelNewest: string | null;
  architecture: string;
  uptimeSeconds: number;
  ipAddresses: string[];
  agentVersion: string;
  packageManager: 'apt' | 'dnf' | 'yum' | 'zypper' | 'pacman';
}

/** What a patch job asks the agent to do. */
export type PatchAction = 'refresh' | 'upgrade-all' | 'security' | 'packages' | 'dist-upgrade';

export interface PatchRequest {
  action: PatchAction;
  /** Package names for the `packages` action. */
  packages: string[];
  dryRun: boolean;
  /** Seconds before the run is stopped and reported as `timeout`. */
  timeoutSeconds: number;
  /** When the agent reboots after a successful run; absent means never. */
  rebootPolicy?: 'never' | 'if-required' | 'always';
  /** Approved command run before the package manager; a failure fails the host without patching. */
  preCommand?: JobCommand;
  /** Approved command run after a successful package manager run, before any reboot. */
  postCommand?: JobCommand;
}

/** An Admin-approved command: argv run without a shell, stopped after `timeoutSeconds`. */
export interface JobCommand {
  name: string;
  argv: string[];
  timeoutSeconds: number;
}

export interface PatchOutcome {
  exitCode: number | null;
  status: 'succeeded' | 'failed';
  failure: FailureClassification | null;
  changes: PackageChange[];
  reboot: RebootState;
  durationMs: number;
}

/** Output line callback; `stream` tells stdout from stderr. */
export type OutputSink = (stream: 'stdout' | 'stderr', line: string) => void;

export interface PackageManagerBackend {
  readonly name: HostFacts['packageManager'];
  listInstalled(): Promise<InstalledPackage[]>;
  listPendingUpdates(): Promise<PendingUpdate[]>;
  rebootState(): Promise<RebootState>;
  apply(request: PatchRequest, output: OutputSink, signal: AbortSignal): Promise<PatchOutcome>;
}
