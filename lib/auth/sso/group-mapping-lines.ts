import { ValidationError } from '@/lib/errors';
import type { AzureSsoSettingsView, GroupMapping } from './azure-sso-settings';

/**
 * Parses the mapping text of the settings form, one mapping per line:
 * `<Entra ID group object id> <admin|operator> [host group name, host group name…]`.
 * Host group names are matched case-insensitively. Blank lines and lines starting
 * with `#` are skipped. The group id and role are checked again by the settings
 * schema; an unknown host group name raises ValidationError naming the line.
 */
export function parseGroupMappingLines(text: string, hostGroups: readonly { id: string; name: string }[]): GroupMapping[] {
  const byName = new Map(hostGroups.map((group) => [group.name.toLowerCase(), group.id]));
  const mappings: GroupMapping[] = [];

  for (const [index, raw] of text.split('\n').entries()) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;

    const match = /^(\S+)\s+(\S+)\s*(.*)$/.exec(line);
    if (!match) {
      throw new ValidationError(`groupMappings: line ${index + 1}: expected "<group object id> <admin|operator> [host groups]"`, { field: 'groupMappings' });
    }
    const hostGroupIds = match[3]!
      .split(',')
      .map((name) => name.trim())
      .filter(Boolean)
      .map((name) => {
        const id = byName.get(name.toLowerCase());
        if (!id) {
          throw new ValidationError(`groupMappings: line ${index + 1}: host group "${name}" not found`, { field: 'groupMappings' });
        }
        return id;
      });
    mappings.push({ entraGroupId: match[1]!, role: match[2] as GroupMapping['role'], hostGroupIds });
  }
  return mappings;
}

/** Formats stored mappings as the form's lines, with host group names in place of ids. */
export function formatGroupMappingLines(mappings: AzureSsoSettingsView['groupMappings'], hostGroups: readonly { id: string; name: string }[]): string {
  const names = new Map(hostGroups.map((group) => [group.id, group.name]));
  return mappings
    .map((mapping) => {
      const groupNames = mapping.hostGroupIds.map((id) => names.get(id) ?? id).join(', ');
      return `${mapping.entraGroupId} ${mapping.role}${groupNames ? ` ${groupNames}` : ''}`;
    })
    .join('\n');
}
