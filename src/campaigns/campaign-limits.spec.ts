import { allocationErrors, campaignSizeErrors } from './campaign-limits.js';

describe('campaignSizeErrors', () => {
  const size = { touchpoints: 2_000, testers: 10, contactsPerTouchpointPerWeek: 21, byIds: false };
  it("counts a uniform campaign's week as touchpoints × its count", () => {
    expect(campaignSizeErrors(size).map((e) => e.rule)).toEqual(['maxWeeklyContacts']);
  });
  it("counts a by-need campaign's week as its budget (the DTO holds it to the limit), not touchpoints × its cap", () => {
    expect(campaignSizeErrors({ ...size, weeklyBudget: 6_000 })).toEqual([]);
  });
});

describe('allocationErrors', () => {
  const byNeed = { allocation: 'by-need', contactsPerTouchpointPerWeek: 5, touchpoints: 10 };
  it('takes a budget between every floor and every cap', () => {
    expect(allocationErrors({ ...byNeed, weeklyBudget: 10, floorPerTouchpoint: 1 })).toEqual([]);
    expect(allocationErrors({ ...byNeed, weeklyBudget: 50, floorPerTouchpoint: 5 })).toEqual([]);
  });
  it('names the field and the rule of each refusal', () => {
    const rules = (extra: object) => allocationErrors({ ...byNeed, ...extra }).map((e) => `${e.field}:${e.rule}`);
    expect(rules({ weeklyBudget: 9, floorPerTouchpoint: 1 })).toEqual(['weeklyBudget:coversFloor']);
    expect(rules({ weeklyBudget: 51, floorPerTouchpoint: 1 })).toEqual(['weeklyBudget:spendable']);
    expect(rules({ weeklyBudget: 20, floorPerTouchpoint: 6 })).toEqual([
      'floorPerTouchpoint:atMostContactsPerTouchpointPerWeek',
    ]);
    expect(rules({ floorPerTouchpoint: 1 })).toEqual(['weeklyBudget:requiredWithByNeed']);
    expect(rules({ allocation: undefined, weeklyBudget: 10, floorPerTouchpoint: null })).toEqual([
      'weeklyBudget:onlyWithByNeed',
    ]);
  });
});
