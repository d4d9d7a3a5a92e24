import { CANCEL_EXPLANATIONS, CANCEL_REASONS, refillsSlot, TESTER_EXPLANATIONS } from './withdrawal-reasons.js';

describe('withdrawal reasons', () => {
  it('each has words for the quality team and for the tester', () => {
    for (const reason of CANCEL_REASONS) {
      expect(CANCEL_EXPLANATIONS[reason]).toMatch(/\w/);
      expect(TESTER_EXPLANATIONS[reason]).toMatch(/\w/);
    }
  });

  it('re-plan the slot only when it still belongs to the campaign', () => {
    expect(CANCEL_REASONS.filter((r) => refillsSlot(r, false)).sort()).toEqual([
      'tester_became_owner',
      'tester_left_campaign',
      'tester_lost_role',
    ]);
  });

  it("never hand a window the touchpoint's new owner already knows to someone else", () => {
    expect(refillsSlot('tester_became_owner', true)).toBe(false);
    expect(refillsSlot('tester_lost_role', true)).toBe(true);
  });
});
