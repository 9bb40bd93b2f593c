import type { SuppressionScope } from '../../db/schema';
import type { FieldError } from '../http/errors';
import { normalizeEmail } from '../prospects/email';
import { normalizePhone } from '../prospects/phone';
import { suppressionHint, suppressionKey } from './keys';

/** What a suppression names, and its value normalized to the key the list keeps. */

export type SuppressionChannel = 'phone' | 'sms' | 'email' | 'all';

export interface SuppressionInput {
  scope: SuppressionScope;
  /** A number or address (contact_point), a domain (email_domain), a CRM id (external_id). */
  value?: string;
  prospectId?: string;
  companyId?: string;
  channel: SuppressionChannel;
  reason: string;
  source: string;
}

export interface Normalized {
  scope: SuppressionScope;
  hash: Buffer;
  hint: string;
}

const DOMAIN = /^(?:[\p{L}\p{N}](?:[\p{L}\p{N}-]{0,61}[\p{L}\p{N}])?\.)+[\p{L}]{2,63}$/u;

/** The value a suppression names, normalized the way contact points are, or what is wrong with it. */
export function normalizeSuppression(
  input: Omit<SuppressionInput, 'channel' | 'reason' | 'source'>,
  defaultCountry: string,
): Normalized | FieldError {
  const value = input.value?.trim() ?? '';
  switch (input.scope) {
    case 'contact_point': {
      if (value === '') return { field: 'value', message: 'give the phone number or e-mail address' };
      if (value.includes('@')) {
        const email = normalizeEmail(value);
        if (!email.ok) return { field: 'value', message: email.reason };
        return {
          scope: 'contact_point',
          hash: suppressionKey('contact_point', email.value, 'email'),
          hint: suppressionHint('contact_point', email.value),
        };
      }
      const phone = normalizePhone(value, defaultCountry);
      if (!phone.ok) return { field: 'value', message: phone.reason };
      return {
        scope: 'contact_point',
        hash: suppressionKey('contact_point', phone.e164, 'phone'),
        hint: suppressionHint('contact_point', phone.e164),
      };
    }
    case 'email_domain': {
      const domain = value.replace(/^.*@/, '').toLowerCase();
      if (!DOMAIN.test(domain)) return { field: 'value', message: `"${value}" is not an e-mail domain` };
      return { scope: 'email_domain', hash: suppressionKey('email_domain', domain), hint: domain };
    }
    case 'external_id':
      if (value === '') return { field: 'value', message: "give the record's id in its CRM" };
      return {
        scope: 'external_id',
        hash: suppressionKey('external_id', value),
        hint: suppressionHint('external_id', value),
      };
    case 'person':
      if (!input.prospectId) return { field: 'prospectId', message: 'give the prospect to suppress' };
      return { scope: 'person', hash: suppressionKey('person', input.prospectId), hint: input.prospectId };
    case 'company':
      if (!input.companyId) return { field: 'companyId', message: 'give the company to suppress' };
      return { scope: 'company', hash: suppressionKey('company', input.companyId), hint: input.companyId };
  }
}
