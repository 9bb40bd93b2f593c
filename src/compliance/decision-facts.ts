import type { ContactChannel, LegalBasis, RegistryName } from './rules/types';

/** Everything a decision depends on, gathered by the caller; decide() itself reads no clock and no database. */
export interface DecisionFacts {
  channel: ContactChannel;
  /** The campaign's sector, for sector bans (energy_renovation…). */
  sector?: string | null;
  contactPoint: {
    id: string;
    value: string;
    status: 'valid' | 'invalid';
    country: string | null;
    phoneType?: string | null;
  } | null;
  prospect: {
    id: string;
    kind: 'b2b' | 'b2c';
    country: string | null;
    region: string | null;
    postalCode: string | null;
    companyId: string | null;
  };
  /** The callee's possible time zones; several when the number does not say which. */
  zones: string[];
  /** Active suppressions that match the contact point, the person, their company or their e-mail domain. */
  suppressions: { id: string; scope: string; channel: string; reason: string | null }[];
  consents: {
    id: string;
    channel: string;
    basis: LegalBasis;
    givenAt: Date;
    expiresAt: Date | null;
    withdrawnAt: Date | null;
  }[];
  /** The newest copy of each registry the organization holds, and whether the number is on it. */
  registries: Partial<Record<RegistryName, { snapshotId: string; asOf: string; listed: boolean }>>;
  /** Recent attempts that concern the person, the contact point or the company (flags say which). */
  attempts: {
    at: Date;
    channel: ContactChannel;
    person: boolean;
    contactPoint: boolean;
    company: boolean;
    refused: boolean;
  }[];
}
