import { formatDuration } from '../common/durations.js';
import { formatValue } from './format.js';
import type { QuestionSummary, UnclaimedFact, UnclaimedFlag, UnclaimedSection } from './unclaimed.js';

/**
 * "What nobody claimed" in the digest's HTML and plain text. Lists, not tables: each fact is one line that wraps,
 * so the section fits a 390 px phone in a mail program that ignores every style.
 */

const FLAG_TEXT: Record<UnclaimedFlag, string> = {
  worse_than_target: 'worse than target',
  worse_than_previous: 'worse than the period before',
};

/** Short names that fit a phone's line; any other metric by its key. */
const LABELS: Record<string, string> = {
  median_hold_seconds: 'median hold',
  disconnect_rate: 'drop rate',
  repeat_story_rate: 'repeated story rate',
  gave_name_rate: 'gave a name',
  resolved_within_7_days_rate: 'cases resolved within 7 days',
  contacts_to_resolution: 'contacts to resolve a case',
  story_repeats_per_case: 'story repeated per case',
  case_promises_kept_rate: 'cases with every promise kept',
};
const metricLabel = (metric: string) => LABELS[metric] ?? metric.replace(/_/g, ' ');

/** "Queue time: median 4:10", but "Offered an alternative? yes 3 of 10" (no colon after a question mark). */
export const questionLine = (q: QuestionSummary): string =>
  `${q.label}${/[?:]$/.test(q.label.trim()) ? ' ' : ': '}${answerText(q)}`;

/** "transfer rate 60 % (95 % 41 %–77 %), n 20; before 10 % (n 20); target 20 %". */
export function factText(f: UnclaimedFact): string {
  const interval =
    f.ciLow === null || f.ciHigh === null
      ? ''
      : ` (95 % ${formatValue(f.unit, f.ciLow)}–${formatValue(f.unit, f.ciHigh)})`;
  const before = f.previousN ? `; before ${formatValue(f.unit, f.previous)} (n ${f.previousN})` : '';
  const target = f.target === null ? '' : `; target ${formatValue(f.unit, f.target)}`;
  return `${metricLabel(f.metric)} ${formatValue(f.unit, f.observed)}${interval}, n ${f.n}${before}${target}`;
}

export const flagText = (f: UnclaimedFact): string => f.flags.map((flag) => FLAG_TEXT[flag]).join(', ');

/** "yes 3 of 10 (30 %, 95 % 7 %–65 %)", "phone 3 · shop 2 · post 0", "median 4:10". */
export function answerText(q: QuestionSummary): string {
  if (q.type === 'yes_no' && q.yes !== null) {
    const interval =
      q.ciLow === null || q.ciHigh === null
        ? ''
        : `, 95 % ${formatValue('rate', q.ciLow)}–${formatValue('rate', q.ciHigh)}`;
    return `yes ${q.yes} of ${q.n} (${formatValue('rate', q.n ? q.yes / q.n : null)}${interval})`;
  }
  if (q.choices) return `${q.choices.map((c) => `${c.option} ${c.count}`).join(' · ')} (n ${q.n})`;
  if (q.median !== null) {
    const median = q.type === 'seconds' ? formatDuration(q.median) : String(Number(q.median.toFixed(1)));
    return `median ${median} (n ${q.n})`;
  }
  return `${q.n} answered`;
}

/** Facts grouped by their scope, in the section's order. */
function byScope(facts: readonly UnclaimedFact[]): Array<{ label: string; facts: UnclaimedFact[] }> {
  const groups: Array<{ label: string; facts: UnclaimedFact[] }> = [];
  for (const f of facts) {
    const last = groups[groups.length - 1];
    if (last && last.label === f.scopeLabel) last.facts.push(f);
    else groups.push({ label: f.scopeLabel, facts: [f] });
  }
  return groups;
}

function byScenario(questions: readonly QuestionSummary[]): Array<{ scenario: string; questions: QuestionSummary[] }> {
  const groups: Array<{ id: string; scenario: string; questions: QuestionSummary[] }> = [];
  for (const q of questions) {
    const last = groups[groups.length - 1];
    if (last && last.id === q.scenarioId) last.questions.push(q);
    else groups.push({ id: q.scenarioId, scenario: q.scenario, questions: [q] });
  }
  return groups;
}

const H2 = 'font-size:1.1rem';
const H3 = 'font-size:1rem;margin:.8rem 0 .2rem';
const LIST = 'margin:.2rem 0;padding-left:1.2rem';
const FLAG = 'color:#b00020;font-weight:600';

/** The facts to show: all of them, or (a mail cut to its budget) the flagged ones only. */
const shownFacts = (section: UnclaimedSection, cut: boolean) =>
  cut ? section.facts.filter((f) => f.flags.length) : section.facts;

/** "3 of 42,866 facts flagged": over every fact judged, listed or not. */
function flaggedOf(section: UnclaimedSection): string {
  const total = section.factsTotal ?? section.facts.length;
  return `${section.flagged.toLocaleString('en-GB')} of ${total.toLocaleString('en-GB')} fact${total === 1 ? '' : 's'} flagged`;
}

/**
 * What the list leaves out (see capFacts), or null: "and 812 more touchpoints and teams (3,402 facts), none
 * flagged". A mail cut to its flagged facts says nothing here: its cut note already sends the reader to the web.
 */
export function omittedText(section: UnclaimedSection): string | null {
  const o = section.omitted;
  if (!o?.scopes) return null;
  const flagged = o.flagged
    ? `, ${o.flagged.toLocaleString('en-GB')} of them flagged`
    : ', none flagged (within target and no worse than before, as far as the tests tell)';
  const scopes =
    o.scopes === 1 ? '1 more touchpoint or team' : `${o.scopes.toLocaleString('en-GB')} more touchpoints and teams`;
  return `and ${scopes} (${o.facts.toLocaleString('en-GB')} facts)${flagged}`;
}

/** `resultsLink`: the console's results, where every touchpoint's and team's journey facts are, week by week. */
export function UnclaimedHtml({
  section,
  cut,
  resultsLink,
}: {
  section: UnclaimedSection;
  cut: boolean;
  resultsLink: string;
}) {
  const facts = shownFacts(section, cut);
  const questions = cut ? [] : section.questions;
  const omitted = cut ? null : omittedText(section);
  return (
    <section id="unclaimed">
      <h2 style={H2}>What nobody claimed</h2>
      <p style="color:#555;font-size:.9rem">
        {flaggedOf(section)}. {section.explanation}
      </p>
      {facts.length ? (
        byScope(facts).map((g) => (
          <>
            <h3 style={H3}>{g.label}</h3>
            <ul style={LIST}>
              {g.facts.map((f) => (
                <li>
                  {factText(f)}
                  {f.flags.length ? (
                    <>
                      {' '}
                      <strong style={FLAG}>⚑ {flagText(f)}</strong>
                    </>
                  ) : null}
                </li>
              ))}
            </ul>
          </>
        ))
      ) : (
        <p>{cut ? 'No fact is flagged.' : 'No contact recorded a journey fact that a claim does not already cover.'}</p>
      )}
      {omitted ? (
        <p class="unclaimed-more">
          …{omitted}: <a href={resultsLink}>every touchpoint's results in the console</a>.
        </p>
      ) : null}
      {questions.length ? (
        <>
          <h2 style={H2}>The scenarios' own questions</h2>
          {byScenario(questions).map((g) => (
            <>
              <h3 style={H3}>{g.scenario}</h3>
              <ul style={LIST}>
                {g.questions.map((q) => (
                  <li>{questionLine(q)}</li>
                ))}
              </ul>
            </>
          ))}
        </>
      ) : null}
    </section>
  );
}

export function unclaimedText(section: UnclaimedSection, cut: boolean, resultsLink: string): string[] {
  const facts = shownFacts(section, cut);
  const omitted = cut ? null : omittedText(section);
  const lines = [
    '',
    `What nobody claimed (${flaggedOf(section)}):`,
    ...byScope(facts).flatMap((g) => [
      `${g.label}:`,
      ...g.facts.map((f) => `- ${factText(f)}${f.flags.length ? ` [FLAG: ${flagText(f)}]` : ''}`),
    ]),
    ...(facts.length ? [] : ['- none']),
    ...(omitted ? [`- ${omitted}: every touchpoint's results in the console: ${resultsLink}`] : []),
    section.explanation,
  ];
  if (cut || !section.questions.length) return lines;
  return [
    ...lines,
    '',
    "The scenarios' own questions:",
    ...byScenario(section.questions).flatMap((g) => [
      `${g.scenario}:`,
      ...g.questions.map((q) => `- ${questionLine(q)}`),
    ]),
  ];
}
