import type { RebootState } from '../types';
import { ZYPPER_EXIT } from './exit-status';

/**
 * Reads `zypper needs-rebooting`: exit status 102 means a core library or service was
 * updated since boot, and 0 means no reboot is needed. Any other status (an older
 * zypper without the command exits with 2 or 3) gives `unknown`, because zypper's
 * text is not a stable interface.
 */
export function rebootStateFromNeedsRebooting(exitCode: number | null): RebootState {
  if (exitCode === ZYPPER_EXIT.infRebootNeeded) {
    return { required: 'yes', reason: 'zypper needs-rebooting exited with 102', packages: [] };
  }
  if (exitCode === ZYPPER_EXIT.ok) {
    return { required: 'no', reason: 'zypper needs-rebooting exited with 0', packages: [] };
  }
  return { required: 'unknown', reason: `zypper needs-rebooting exited with ${exitCode ?? 'a signal'}`, packages: [] };
}
