import { hash } from 'node:crypto';

/**
 * The id of the contact point (organization, channel, normalized value): a name-based UUID (version 5
 * layout over SHA-1), so the same number always has the same id and finding it by value is a key lookup.
 * Kept apart from the database code so that the import's worker thread loads only this.
 */
export function contactPointId(orgId: string, channel: 'phone' | 'email', value: string): string {
  const hex = hash('sha1', `${orgId}\n${channel}\n${value}`, 'hex');
  const variant = ((Number.parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
