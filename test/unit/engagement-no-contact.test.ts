import { describe, expect, it } from 'vitest';
import { engagementScore } from '../../src/scoring/engagement';
import { reasonText } from '../../src/scoring/reasons';

const now = new Date('2026-06-01T12:00:00Z');
const daysAgo = (days: number) => now.getTime() - days * 86_400_000;

describe('a do-not-call disposition in scoring', () => {
  it.each(['Ne pas rappeler', 'do_not_contact', 'DNC, merci', 'Ne plus appeler'])(
    '%j on a call stands as an opt-out, at its full points, whatever its age',
    (outcome) => {
      const result = engagementScore(
        [
          { type: 'email_clicked', at: daysAgo(400) },
          { type: 'call_answered', at: daysAgo(200), outcome },
        ],
        now,
      );
      expect(result.standing).toEqual({
        code: 'engagement.opt_out',
        points: -40,
        facts: { days: 200, ago: 200, standing: 1, call: 1 },
        at: daysAgo(200),
      });
      expect(result.contributions.map((c) => c.code)).not.toContain('engagement.refused');
      // Told as what it was: the phone stopped, not an unsubscription.
      expect(reasonText(result.standing!).fr).toBe(
        'A demandé à ne plus être appelé il y a 200 jours, sans revenir depuis',
      );
    },
  );

  it('is lifted when the person comes back, as an opt-out is', () => {
    const result = engagementScore(
      [
        { type: 'call_answered', at: daysAgo(20), outcome: 'DNC' },
        { type: 'form_submitted', at: daysAgo(5) },
      ],
      now,
    );
    expect(result.standing).toBeUndefined();
    expect(result.contributions.find((c) => c.code === 'engagement.opt_out')?.points).toBeLessThan(0);
  });

  it('leaves a schedule or a negation alone', () => {
    for (const outcome of ['Rappeler demain - do not call before 14h', 'Not DNC'])
      expect(
        engagementScore([{ type: 'call_answered', at: daysAgo(1), outcome }], now).standing,
      ).toBeUndefined();
  });
});
