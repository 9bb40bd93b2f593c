import type { Role } from '../../db/schema';
import { AppError } from './errors';

const everyone: Role[] = ['admin', 'manager', 'marketer', 'caller'];

/** Who may do what. Reading is open to every role of the organization; writing lists is for those who own them. */
export const PERMISSIONS = {
  'keys:manage': ['admin'],
  'org:read': everyone,
  'org:write': ['admin'],
  'prospects:read': everyone,
  'prospects:write': ['admin', 'manager'],
  'interactions:read': everyone,
  'interactions:write': everyone,
  'imports:prospects': ['admin', 'manager'],
  'imports:interactions': ['admin', 'manager', 'marketer'],
  'jobs:read': everyone,
  // Compliance: anyone may ask, reserve, and record an objection or a consent; the lists' owners import
  // registries and set the policy; only an admin takes someone off the do-not-contact list or erases.
  'compliance:read': everyone,
  'policy:write': ['admin', 'manager'],
  'attempts:write': everyone,
  'suppressions:write': everyone,
  'suppressions:import': ['admin', 'manager'],
  'suppressions:remove': ['admin'],
  'consents:write': everyone,
  'registries:write': ['admin', 'manager'],
  'audit:read': ['admin', 'manager'],
  'prospects:export': ['admin', 'manager'],
  'prospects:erase': ['admin'],
  'retention:purge': ['admin'],
  // Scoring: managers and marketers define the campaigns they run.
  'campaigns:write': ['admin', 'manager', 'marketer'],
  // Lists for calling: those who run campaigns make them; a manager approves them.
  'lists:write': ['admin', 'manager', 'marketer'],
  'lists:approve': ['admin', 'manager'],
  // Deleting one, approved or not, is for those who approve them.
  'lists:delete': ['admin', 'manager'],
  // Drafts: anyone may ask for one (a caller wants a script) and mark it used; managers and marketers review
  // them and draft for whole lists.
  'drafts:write': everyone,
  'drafts:batch': ['admin', 'manager', 'marketer'],
  'drafts:review': ['admin', 'manager', 'marketer'],
} as const satisfies Record<string, readonly Role[]>;

export type Permission = keyof typeof PERMISSIONS;

export function can(role: Role, permission: Permission): boolean {
  return (PERMISSIONS[permission] as readonly Role[]).includes(role);
}

export function authorize(role: Role, permission: Permission): void {
  if (!can(role, permission)) {
    throw new AppError(
      'FORBIDDEN',
      `the ${role} role cannot do this (${permission} needs ${PERMISSIONS[permission].join(' or ')})`,
    );
  }
}
