import type { Channel } from '../touchpoints/touchpoint.entity.js';
import type { ScenarioQuestion } from './scenario.entity.js';

/** Whether a contact through `channel` is asked `q`: a question limited to channels is asked on those only. */
export const asksQuestion = (q: Pick<ScenarioQuestion, 'channels'>, channel: Channel): boolean =>
  !q.channels?.length || q.channels.includes(channel);

/** The scenario's questions a contact through `channel` is asked, in the scenario's order. */
export const questionsFor = <Q extends Pick<ScenarioQuestion, 'channels'>>(questions: readonly Q[], channel: Channel) =>
  questions.filter((q) => asksQuestion(q, channel));

/** A question's channels that are not among its scenario's (a limit that could never be asked). */
export const channelsOutside = (q: Pick<ScenarioQuestion, 'channels'>, scenarioChannels: readonly Channel[]) =>
  (q.channels ?? []).filter((c) => !scenarioChannels.includes(c));
