import { renderFragment } from '../common/jsx.js';
import { answerText, factText, questionLine, UnclaimedHtml, unclaimedText } from './digest-unclaimed-render.js';
import type { QuestionSummary, UnclaimedFact, UnclaimedSection } from './unclaimed.js';

const fact = (overrides: Partial<UnclaimedFact>): UnclaimedFact => ({
  touchpointId: 'tp',
  team: null,
  channel: 'phone',
  scopeLabel: 'General line',
  metric: 'transfer_rate',
  unit: 'rate',
  better: 'lower',
  observed: 0.8,
  n: 10,
  ciLow: 0.4439,
  ciHigh: 0.9748,
  intervalMethod: 'clopper_pearson',
  target: 0.2,
  previous: 0.1,
  previousN: 10,
  pTarget: 0.0001,
  pPrevious: 0.003,
  pTargetAdjusted: 0.001,
  pPreviousAdjusted: 0.01,
  flags: ['worse_than_target'],
  ...overrides,
});
const question: QuestionSummary = {
  scenarioId: 's',
  scenario: 'Port my number back',
  key: 'k',
  label: 'Offered an alternative?',
  type: 'yes_no',
  n: 10,
  yes: 3,
  ciLow: 0.0667,
  ciHigh: 0.6525,
  choices: null,
  median: null,
};
const section: UnclaimedSection = {
  previousPeriod: { start: '2026-11-09T00:00:00.000Z', end: '2026-11-16T00:00:00.000Z' },
  facts: [
    fact({}),
    fact({
      metric: 'median_hold_seconds',
      unit: 'seconds',
      observed: 870,
      ciLow: 660,
      ciHigh: 1080,
      target: null,
      previous: 60,
      flags: [],
    }),
  ],
  familySize: 3,
  flagged: 1,
  explanation: 'A fact is flagged only when…',
  questions: [question],
};

const LINK = 'https://gt.example.org/results';

describe('what nobody claimed, rendered', () => {
  it('says each fact in one line: value, interval, n, the period before and the target', () => {
    expect(factText(section.facts[0])).toBe(
      'transfer rate 80 % (95 % 44 %–97 %), n 10; before 10 % (n 10); target 20 %',
    );
    expect(factText(section.facts[1])).toBe('median hold 14:30 (95 % 11:00–18:00), n 10; before 1:00 (n 10)');
  });

  it('summarises answers by their type', () => {
    expect(questionLine(question)).toBe('Offered an alternative? yes 3 of 10 (30 %, 95 % 6.7 %–65 %)');
    expect(answerText({ ...question, type: 'choice', yes: null, choices: [{ option: 'shop', count: 2 }] })).toBe(
      'shop 2 (n 10)',
    );
    expect(answerText({ ...question, type: 'rating', yes: null, median: 3.5 })).toBe('median 3.5 (n 10)');
    expect(answerText({ ...question, type: 'text', yes: null })).toBe('10 answered');
  });

  it('keeps only the flagged facts, and no questions, in a mail cut to its budget', () => {
    const full = renderFragment(<UnclaimedHtml section={section} cut={false} resultsLink={LINK} />);
    const cut = renderFragment(<UnclaimedHtml section={section} cut resultsLink={LINK} />);
    expect(full).toContain('median hold');
    expect(full).toContain('Port my number back');
    expect(cut).not.toContain('median hold');
    expect(cut).not.toContain('Port my number back');
    expect(cut).toContain('⚑ worse than target');
    expect(unclaimedText(section, true, LINK).join('\n')).not.toContain('median hold');
    expect(unclaimedText(section, false, LINK).join('\n')).toContain('[FLAG: worse than target]');
  });

  it('counts every fact judged, and says what the capped list leaves out with the console link', () => {
    const capped: UnclaimedSection = {
      ...section,
      factsTotal: 42_866,
      scopesTotal: 10_025,
      omitted: { scopes: 10_000, facts: 42_800, flagged: 0 },
    };
    const html = renderFragment(<UnclaimedHtml section={capped} cut={false} resultsLink={LINK} />);
    expect(html).toContain('1 of 42,866 facts flagged');
    expect(html).toContain('and 10,000 more touchpoints and teams (42,800 facts), none flagged');
    expect(html).toContain(`<a href="${LINK}">`);
    const text = unclaimedText(capped, false, LINK).join('\n');
    expect(text).toContain('What nobody claimed (1 of 42,866 facts flagged):');
    expect(text).toContain(`- and 10,000 more touchpoints and teams (42,800 facts), none flagged`);
    expect(text).toContain(LINK);
    const someFlagged = { ...capped, omitted: { scopes: 3, facts: 12, flagged: 2 } };
    expect(unclaimedText(someFlagged, false, LINK).join('\n')).toContain('(12 facts), 2 of them flagged');
    // a mail cut to its flagged facts already points to the web; a digest stored before the cap lists all
    expect(unclaimedText(capped, true, LINK).join('\n')).not.toContain('more touchpoints');
    expect(unclaimedText(section, false, LINK).join('\n')).toContain('(1 of 2 facts flagged)');
  });

  it('escapes what people typed', () => {
    const html = renderFragment(
      <UnclaimedHtml
        section={{ ...section, questions: [{ ...question, label: '<script>x</script>?' }] }}
        cut={false}
        resultsLink={LINK}
      />,
    );
    expect(html).not.toContain('<script>');
  });
});
