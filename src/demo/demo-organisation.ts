import type { Channel } from '../touchpoints/touchpoint.entity.js';

/**
 * The demo organisation: a service group whose failures are the everyday kind — a franchise store
 * where customers queue to port a number back, a general line whose transfers drop calls and make
 * callers repeat themselves, a surgery where a repeat prescription is "not there yet" after 48
 * hours, an insurer whose agents cannot say why a customer should stay, a web chat and a support
 * mailbox. Each touchpoint has a `truth` (how contacts really go) and its owner's `claims` (what
 * the reviews hear): some true, some flattering. Most figures are reviewed every four weeks, as a quality
 * team would judge them: a week of four tests cannot contradict anyone, four weeks of them can.
 */

export const DEMO_ORGANISATION = 'Northgate Group (demo)';
export const DEMO_ADMIN = { email: 'admin@northgate.example', name: 'Demo Admin', timezone: 'Europe/London' };

type Day = 'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat' | 'sun';
const WEEKDAYS: Day[] = ['mon', 'tue', 'wed', 'thu', 'fri'];
const hours = (days: Day[], start: string, end: string) => days.map((day) => ({ day, start, end }));
const opening = (days: Day[], open: string, close: string) => days.map((day) => ({ day, open, close }));

export interface DemoPerson {
  key: string;
  name: string;
  title: string;
  email: string;
  timezone: string;
  roles: Array<'admin' | 'quality' | 'tester' | 'owner'>;
  workingHours: Array<{ day: Day; start: string; end: string }>;
  /** Days of leave, counted from the first Monday of the replay. */
  leaveWeeks?: number[];
}

export const PEOPLE: DemoPerson[] = [
  {
    key: 'ceo',
    name: 'Amara Okafor',
    title: 'Chief Executive',
    email: 'amara.okafor@northgate.example',
    timezone: 'Europe/London',
    roles: ['tester'],
    workingHours: hours(WEEKDAYS, '08:00', '18:00'),
  },
  {
    key: 'coo',
    name: 'Daniel Reyes',
    title: 'Chief Operating Officer',
    email: 'daniel.reyes@northgate.example',
    timezone: 'America/New_York',
    roles: ['tester'],
    workingHours: hours(WEEKDAYS, '07:00', '17:00'),
    leaveWeeks: [4],
  },
  {
    key: 'cfo',
    name: 'Ingrid Larsen',
    title: 'Chief Financial Officer',
    email: 'ingrid.larsen@northgate.example',
    timezone: 'Europe/Berlin',
    roles: ['tester'],
    workingHours: hours(WEEKDAYS, '08:30', '18:30'),
  },
  {
    key: 'cdo',
    name: 'Priya Raman',
    title: 'Chief Digital Officer',
    email: 'priya.raman@northgate.example',
    timezone: 'Asia/Kolkata',
    roles: ['tester', 'owner'],
    workingHours: hours(WEEKDAYS, '10:00', '20:00'),
  },
  {
    key: 'retail',
    name: 'Tom Gallagher',
    title: 'Head of Franchise Retail',
    email: 'tom.gallagher@northgate.example',
    timezone: 'Europe/London',
    roles: ['tester', 'owner'],
    workingHours: hours(['mon', 'tue', 'wed', 'thu', 'fri', 'sat'], '09:00', '17:30'),
  },
  {
    key: 'contact',
    name: 'Marcus Webb',
    title: 'Contact Centre Director',
    email: 'marcus.webb@northgate.example',
    timezone: 'Europe/London',
    roles: ['tester', 'owner'],
    workingHours: hours(WEEKDAYS, '08:00', '18:00'),
  },
  {
    key: 'insurance',
    name: 'Sinéad Byrne',
    title: 'Head of Insurance Operations',
    email: 'sinead.byrne@northgate.example',
    timezone: 'Europe/Dublin',
    roles: ['tester', 'owner'],
    workingHours: hours(WEEKDAYS, '08:30', '17:30'),
    leaveWeeks: [6],
  },
  {
    key: 'practice',
    name: 'Dr Helen Shaw',
    title: 'Practice Manager, Northgate Family Practice',
    email: 'helen.shaw@northgate.example',
    timezone: 'Europe/London',
    roles: ['owner'],
    workingHours: hours(WEEKDAYS, '08:00', '18:30'),
  },
  // the contact-centre sites' lines need more hands: four more executives who test
  {
    key: 'cco',
    name: 'Rachel Adeyemi',
    title: 'Chief Customer Officer',
    email: 'rachel.adeyemi@northgate.example',
    timezone: 'Europe/London',
    roles: ['tester'],
    workingHours: hours(WEEKDAYS, '08:00', '18:00'),
  },
  {
    key: 'people',
    name: 'Fiona MacLeod',
    title: 'Chief People Officer',
    email: 'fiona.macleod@northgate.example',
    timezone: 'Europe/London',
    roles: ['tester'],
    workingHours: hours(WEEKDAYS, '09:00', '19:00'),
  },
  {
    key: 'counsel',
    name: 'Olu Bankole',
    title: 'General Counsel',
    email: 'olu.bankole@northgate.example',
    timezone: 'Europe/London',
    roles: ['tester'],
    workingHours: hours(['mon', 'tue', 'wed', 'thu', 'fri', 'sat'], '10:00', '19:00'),
  },
  {
    key: 'strategy',
    name: 'Mateo Alvarez',
    title: 'Chief Strategy Officer',
    email: 'mateo.alvarez@northgate.example',
    timezone: 'Europe/Madrid',
    roles: ['tester'],
    workingHours: hours(WEEKDAYS, '09:00', '20:00'),
    leaveWeeks: [2],
  },
  {
    key: 'quality',
    name: 'Lena Fischer',
    title: 'Head of Service Quality',
    email: 'lena.fischer@northgate.example',
    timezone: 'Europe/Berlin',
    roles: ['quality'],
    workingHours: hours(WEEKDAYS, '09:00', '17:00'),
  },
];

/**
 * The demo's visitor: a tester in none of the replayed campaigns, whose tests of the web chat the replay leaves
 * open (revealed, nothing recorded) for whoever runs the demo to record from "My tests".
 */
export const VISITOR: DemoPerson = {
  key: 'visitor',
  name: 'Jordan Blake',
  title: 'Non-executive director',
  email: 'jordan.blake@northgate.example',
  timezone: 'Europe/London',
  roles: ['tester'],
  workingHours: hours(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'], '07:00', '22:00'),
};

/**
 * The visitor's campaign: the web chat on the last days before the demo starts, its windows past by then, and a
 * week's grace (the longest a campaign allows) to record them, so a test is open whatever day the demo runs.
 */
export const TRY_IT = {
  name: 'Try it yourself: the web chat',
  touchpoint: 'chat',
  scenario: 'port',
  /** The campaign runs from this many days before the demo's start to the day before it. */
  days: 4,
  graceMinutes: 7 * 24 * 60,
} as const;

/** How contacts with a touchpoint really go: the replay draws each outcome from this. */
export interface Truth {
  reach: number;
  /** Median wait until a person, seconds (log-normal around it). */
  waitMedian: number;
  /** Share of reached contacts moved to someone else, and of those how many more moves. */
  transfer: number;
  /** Share with a dropped line or chat. */
  drop: number;
  /** Among transferred contacts, share where the story had to be told again. */
  repeatAfterTransfer: number;
  resolved: number;
  partial: number;
  /** Among unresolved or partial, share told their options or why not. */
  optionsExplained: number;
  courtesy: number;
  knowledge: number;
  /** Among partial or unresolved, share given a date by which someone will come back. */
  promise: number;
  /** Days until the promised follow-up. */
  promiseDays: number;
  /** The scenario's extra questions, answered; `reached` false means nobody answered. */
  answers?: (reached: boolean, resolved: boolean, draw: () => number) => Record<string, string | number | boolean>;
  notes: {
    noAnswer: string[];
    resolved: string[];
    transferred: string[];
    unresolved: string[];
  };
}

export interface DemoClaim {
  metric: string;
  /** What the owner says in the weekly review; a little different each week. */
  value: number;
  jitter: number;
}

export interface DemoTouchpoint {
  key: string;
  name: string;
  channel: Channel;
  contact: string;
  timezone: string;
  team: string;
  owner: string;
  openingHours: Array<{ day: Day; open: string; close: string }>;
  scenario: string;
  meeting: string;
  /**
   * How often its meeting sets the figures: weekly, or every four weeks (for the four weeks ahead), its first period
   * starting `reviewFromWeek` weeks into the replay (0 unless given).
   */
  review: 'weekly' | 'four-weekly';
  reviewFromWeek?: number;
  truth: Truth;
  claims: DemoClaim[];
}

export const SCENARIOS = [
  {
    key: 'port',
    title: 'Port my number back',
    brief:
      'You moved your mobile number to another network last month and want it back on Northgate. Ask how to port it back, ' +
      'what you need (PAC code, ID), how long it takes and whether you keep your old plan.',
    channels: ['in_person', 'chat', 'email'],
    questions: [
      {
        key: 'pac_explained',
        label: 'Were you told how the PAC code works and what happens next?',
        type: 'yes_no',
        required: true,
      },
    ],
  },
  {
    key: 'billing',
    title: 'A wrong charge on my bill',
    brief:
      'You were charged £14.99 for roaming on a month you did not travel. Call the general line, ask for the charge to be ' +
      'reversed, and note every time you are passed on and whether you had to explain again.',
    channels: ['phone'],
    questions: [
      {
        key: 'told_reference',
        label: 'Did you get a reference number for the complaint?',
        type: 'yes_no',
        required: false,
      },
    ],
  },
  {
    key: 'prescription',
    title: 'Status of a repeat prescription',
    brief:
      'You ordered a repeat prescription (your usual inhaler) three days ago. Ask whether it has been signed and sent to the ' +
      'pharmacy, and if not, why not and when it will be.',
    channels: ['phone'],
    questions: [
      { key: 'prescription_ready', label: 'Was the prescription signed and sent?', type: 'yes_no', required: true },
    ],
  },
  {
    key: 'leaving',
    title: 'Thinking of cancelling my health cover',
    brief:
      'Your renewal quote went up 18 %. Say you are thinking of cancelling and ask what you would lose, and whether there is a ' +
      'reason to stay. Do not accept any offer on the call.',
    channels: ['phone'],
    questions: [
      {
        key: 'reason_to_stay',
        label: 'What reason to stay were you given?',
        type: 'choice',
        required: true,
        options: ['none', 'price match', 'cover explained', 'loyalty discount'],
      },
    ],
  },
] as const;

const yesNo = (key: string, pYes: number) => (reached: boolean, resolved: boolean, draw: () => number) => ({
  [key]: reached && (resolved || draw() < pYes),
});

export const TOUCHPOINTS: DemoTouchpoint[] = [
  {
    key: 'store',
    name: 'Northgate Mobile — Briggate store, Leeds (franchise)',
    channel: 'in_person',
    contact: '14 Briggate, Leeds LS1 6HD',
    timezone: 'Europe/London',
    team: 'retail',
    owner: 'retail',
    openingHours: opening(['mon', 'tue', 'wed', 'thu', 'fri', 'sat'], '09:00', '17:30'),
    scenario: 'port',
    meeting: 'Retail review',
    review: 'four-weekly',
    truth: {
      reach: 0.97,
      waitMedian: 1500,
      transfer: 0.35,
      drop: 0,
      repeatAfterTransfer: 0.8,
      resolved: 0.3,
      partial: 0.25,
      optionsExplained: 0.35,
      courtesy: 4.0,
      knowledge: 2.4,
      promise: 0.2,
      promiseDays: 3,
      answers: yesNo('pac_explained', 0.25),
      notes: {
        noAnswer: [
          'Queue out of the door; the only staff member on the floor said porting was "a phone thing" and went back to a sale. Left after 40 minutes.',
        ],
        resolved: [
          'Long queue, but once seen the adviser texted the PAC request for me and explained the switch would take one working day.',
          'Took a ticket, waited about half an hour. Sorted in ten minutes after that, and I keep my old plan.',
        ],
        transferred: [
          'Waited 25 minutes, then was sent to "the porting desk", which is the same counter after another queue. Told the whole story twice.',
          'First adviser could only sell new contracts; the manager came over and I had to start again from the beginning.',
        ],
        unresolved: [
          'Told franchise stores "can\'t do port-backs", call the general line. Nobody said why or gave me the number.',
          'After 30 minutes in the queue the adviser said the system was down for porting and to come back tomorrow. No other option offered.',
        ],
      },
    },
    claims: [
      { metric: 'median_queue_seconds', value: 300, jitter: 60 },
      { metric: 'first_contact_resolution', value: 0.85, jitter: 0.03 },
      { metric: 'queue_system_worked_rate', value: 0.98, jitter: 0.01 },
    ],
  },
  {
    key: 'line',
    name: 'Customer service general line',
    channel: 'phone',
    contact: '+44 113 496 0000',
    timezone: 'Europe/London',
    team: 'contact-centre',
    owner: 'contact',
    openingHours: [...opening(WEEKDAYS, '08:00', '20:00'), ...opening(['sat'], '09:00', '17:00')],
    scenario: 'billing',
    meeting: 'Contact-centre review',
    review: 'four-weekly',
    truth: {
      reach: 0.7,
      waitMedian: 540,
      transfer: 0.65,
      drop: 0.3,
      repeatAfterTransfer: 0.85,
      resolved: 0.3,
      partial: 0.3,
      optionsExplained: 0.45,
      courtesy: 3.7,
      knowledge: 3.0,
      promise: 0.3,
      promiseDays: 5,
      answers: yesNo('told_reference', 0.4),
      notes: {
        noAnswer: [
          'Twelve minutes of hold music, then "we are experiencing high call volumes" and the line went dead.',
          'Pressed 3 for billing as told; after 15 minutes it put me back at the main menu. Gave up.',
        ],
        resolved: [
          'Answered after about 8 minutes; the agent reversed the roaming charge on the spot and read me a reference.',
          'Straight to billing, refund confirmed by text before I hung up.',
        ],
        transferred: [
          'Transferred three times; each agent asked for my account number and the whole story again. The third transfer dropped the call.',
          'Billing passed me to "disputes", who passed me back. Nobody had notes from the previous agent.',
        ],
        unresolved: [
          'Agent said refunds "need a manager", none available, someone will call back within five days. No reference number.',
          'Line dropped during the second transfer. Called back, different agent, no record of my first call.',
        ],
      },
    },
    claims: [
      { metric: 'answer_rate', value: 0.96, jitter: 0.01 },
      { metric: 'transfer_rate', value: 0.15, jitter: 0.02 },
      { metric: 'median_seconds_to_human', value: 60, jitter: 10 },
    ],
  },
  {
    key: 'surgery',
    name: 'Northgate Family Practice — repeat prescriptions',
    channel: 'phone',
    contact: '+44 113 496 0123',
    timezone: 'Europe/London',
    team: 'health',
    owner: 'practice',
    openingHours: opening(WEEKDAYS, '08:00', '18:30'),
    scenario: 'prescription',
    meeting: 'Practice meeting',
    review: 'four-weekly',
    truth: {
      reach: 0.85,
      waitMedian: 420,
      transfer: 0.15,
      drop: 0.05,
      repeatAfterTransfer: 0.6,
      resolved: 0.25,
      partial: 0.25,
      optionsExplained: 0.3,
      courtesy: 4.5,
      knowledge: 3.2,
      promise: 0.6,
      promiseDays: 2,
      answers: yesNo('prescription_ready', 0),
      notes: {
        noAnswer: ['Number 14 in the queue at 08:05; the line closed for prescriptions at 11:00 before I got through.'],
        resolved: ['Receptionist checked straight away: signed yesterday, at the pharmacy now. Friendly and quick.'],
        transferred: [
          'Put through to the dispensary, who said to ring reception. Kind people, but I explained it three times.',
        ],
        unresolved: [
          '"It\'s not there yet, ring back in 48 hours." Third day since the request. Nobody could say who is holding it.',
          'Told the doctor has not signed it; could not say why or when. I would have run out of my inhaler by then.',
        ],
      },
    },
    claims: [
      { metric: 'first_contact_resolution', value: 0.9, jitter: 0.02 },
      { metric: 'courtesy_avg', value: 4.5, jitter: 0.1 },
    ],
  },
  {
    key: 'insurer',
    name: 'Northgate Health Insurance — retention line',
    channel: 'phone',
    contact: '+353 1 555 0100',
    timezone: 'Europe/Dublin',
    team: 'health',
    owner: 'insurance',
    openingHours: [...opening(WEEKDAYS, '08:00', '20:00'), ...opening(['sat'], '09:00', '14:00')],
    scenario: 'leaving',
    meeting: 'Insurance operations review',
    review: 'four-weekly',
    truth: {
      reach: 0.9,
      waitMedian: 180,
      transfer: 0.25,
      drop: 0.05,
      repeatAfterTransfer: 0.7,
      resolved: 0.35,
      partial: 0.25,
      optionsExplained: 0.25,
      courtesy: 4.1,
      knowledge: 2.4,
      promise: 0.15,
      promiseDays: 7,
      answers: (reached, resolved, draw) => ({
        reason_to_stay: !reached
          ? 'none'
          : resolved
            ? 'cover explained'
            : draw() < 0.6
              ? 'none'
              : draw() < 0.6
                ? 'loyalty discount'
                : 'price match',
      }),
      notes: {
        noAnswer: ['Option 4 "leaving us" rang out after 20 minutes.'],
        resolved: [
          'Agent explained what the cover includes that cheaper policies do not (physio, mental health) and offered a review. Good call.',
        ],
        transferred: [
          'Sent to "retentions", who read the same renewal letter back to me. Could not say what I would lose by leaving.',
        ],
        unresolved: [
          '"I can cancel it for you now." No reason to stay, no mention of what I would lose.',
          'Agent could not explain why the price went up 18 %; offered to pass on feedback.',
        ],
      },
    },
    claims: [
      { metric: 'options_explained_rate', value: 0.95, jitter: 0.02 },
      { metric: 'knowledge_avg', value: 4.2, jitter: 0.1 },
      { metric: 'answer_rate', value: 0.9, jitter: 0.02 },
    ],
  },
  {
    key: 'chat',
    name: 'Web chat',
    channel: 'chat',
    contact: 'https://www.northgate.example/help/chat',
    timezone: 'Europe/London',
    team: 'digital',
    owner: 'cdo',
    openingHours: opening(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'], '08:00', '22:00'),
    scenario: 'port',
    meeting: 'Digital channels stand-up',
    review: 'weekly',
    truth: {
      reach: 0.93,
      waitMedian: 95,
      transfer: 0.2,
      drop: 0.08,
      repeatAfterTransfer: 0.5,
      resolved: 0.62,
      partial: 0.2,
      optionsExplained: 0.6,
      courtesy: 4.3,
      knowledge: 3.9,
      promise: 0.1,
      promiseDays: 2,
      answers: yesNo('pac_explained', 0.6),
      notes: {
        noAnswer: ['The bot would not hand over to a person: "I didn\'t understand that" four times.'],
        resolved: [
          'A person in under two minutes; sent the PAC instructions and the porting form link in the chat.',
          'Quick and clear, transcript emailed afterwards.',
        ],
        transferred: ['Bot, then agent, then "porting specialist" — each started with "how can I help?"'],
        unresolved: [
          'Chat closed itself after 10 minutes idle while the agent was "checking". No way back to the same agent.',
        ],
      },
    },
    claims: [
      { metric: 'answer_rate', value: 0.9, jitter: 0.02 },
      { metric: 'avg_seconds_to_human', value: 120, jitter: 15 },
    ],
  },
  {
    key: 'mailbox',
    name: 'Support mailbox',
    channel: 'email',
    contact: 'support@northgate.example',
    timezone: 'Europe/Lisbon',
    team: 'digital',
    owner: 'cdo',
    openingHours: opening(WEEKDAYS, '09:00', '18:00'),
    scenario: 'port',
    meeting: 'Digital channels stand-up',
    review: 'weekly',
    truth: {
      reach: 0.95,
      waitMedian: 18 * 3600,
      transfer: 0.2,
      drop: 0,
      repeatAfterTransfer: 0.9,
      resolved: 0.5,
      partial: 0.25,
      optionsExplained: 0.5,
      courtesy: 4.0,
      knowledge: 3.5,
      promise: 0.2,
      promiseDays: 3,
      answers: yesNo('pac_explained', 0.5),
      notes: {
        noAnswer: ['Auto-reply promised an answer "within 4 hours"; nothing came in three days.'],
        resolved: ['Reply the next day with the PAC steps and a direct porting form. Clear.'],
        transferred: [
          'Forwarded to "the porting team", who replied asking for everything I had put in my first email.',
        ],
        unresolved: ['Reply after 30 hours: "please call the general line". No answer to the question asked.'],
      },
    },
    claims: [{ metric: 'median_seconds_to_human', value: 4 * 3600, jitter: 600 }],
  },
  ...siteLines('leeds', 'Leeds', '+44 113 496 05'),
  ...siteLines('glasgow', 'Glasgow', '+44 141 496 05'),
];

/**
 * One of the two contact-centre sites that answer Northgate Mobile's customer lines, Leeds and Glasgow: the same three
 * lines, run to the same playbook, so their contacts go alike (the same truths). Each four-week review sets the
 * figures of the billing line only, the same for both sites; the other two lines are tested but nobody claims
 * anything of them. Leeds is tested by need, Glasgow uniformly, at the same weekly budget (CAMPAIGNS): the digest
 * shows what each spending of the same tests decides. Reviewed on a cycle a week behind the others, so these
 * claims are judged in a digest of their own week.
 */
function siteLines(site: 'leeds' | 'glasgow', city: string, contact: string): DemoTouchpoint[] {
  const line = (key: string, name: string, number: string) => ({
    key: `${site}-${key}`,
    name: `Mobile ${name} line — ${city} centre`,
    channel: 'phone' as const,
    contact: `${contact}${number}`,
    timezone: 'Europe/London',
    team: `calls-${site}`,
    owner: 'contact',
    openingHours: [...opening(WEEKDAYS, '08:00', '20:00'), ...opening(['sat'], '09:00', '17:00')],
    scenario: 'billing',
    meeting: `${city} centre review`,
    review: 'four-weekly' as const,
    reviewFromWeek: 1,
  });
  const notes = {
    noAnswer: ['Rang out after ten minutes in the queue; no option to be called back.'],
    resolved: ['Answered in a couple of minutes; the charge was explained and taken off while I waited.'],
    transferred: ['Passed to "the roaming team", who asked for my account number and the story again.'],
    unresolved: ['Agent could see the charge but could not remove it; told to email the complaints address.'],
  };
  const truth = (reach: number, waitMedian: number, resolved: number): Truth => ({
    reach,
    waitMedian,
    transfer: 0.15,
    drop: 0.04,
    repeatAfterTransfer: 0.6,
    resolved,
    partial: 0.2,
    optionsExplained: 0.6,
    courtesy: 4.2,
    knowledge: 3.8,
    promise: 0.3,
    promiseDays: 3,
    answers: yesNo('told_reference', 0.6),
    notes,
  });
  return [
    {
      ...line('billing', 'billing', '10'),
      truth: truth(0.97, 150, 0.6),
      // a true claim: deciding it takes about 30 contacts in its four weeks, more than four a week give
      claims: [{ metric: 'answer_rate', value: 0.97, jitter: 0 }],
    },
    { ...line('upgrades', 'upgrades', '20'), truth: truth(0.9, 240, 0.5), claims: [] },
    { ...line('lost', 'lost or stolen phone', '30'), truth: truth(0.93, 120, 0.7), claims: [] },
  ];
}

/** The gaps that matter to the quality team: 15 points of answer rate, a minute's wait (the rest as defaulted). */
export const GAP_THAT_MATTERS = { answer_rate: 0.15, median_seconds_to_human: 60 };

/** What the quality lead hears at the four-weekly executive meeting, for the whole organisation and per team. */
export const SCOPE_CLAIMS: Array<DemoClaim & { team: string | null; meeting: string }> = [
  { team: null, metric: 'answer_rate', value: 0.93, jitter: 0.01, meeting: 'Executive operations review' },
  { team: null, metric: 'first_contact_resolution', value: 0.8, jitter: 0.02, meeting: 'Executive operations review' },
  { team: 'health', metric: 'courtesy_avg', value: 4.4, jitter: 0.1, meeting: 'Health division review' },
];

export interface DemoCampaign {
  name: string;
  touchpoints: string[];
  scenario: string;
  /** Tests a touchpoint a week (by need: the most one gets); 4 unless given. */
  perTouchpoint?: number;
  /** By need: the weekly budget and the floor every touchpoint gets. */
  byNeed?: { weeklyBudget: number; floorPerTouchpoint: number };
  /** Spacing, rotation and horizon, where not the demo's usual 20 h, 7 days and 14 days. */
  minSpacingHours?: number;
  rotationDays?: number;
  horizonDays?: number;
}

const SITE_LINES = (site: string) => ['billing', 'upgrades', 'lost'].map((l) => `${site}-${l}`);
/**
 * The two sites' campaigns differ only in how they spend 12 tests a week: by the open claims' need (a floor of one a
 * line, at most ten) or four a line. Planned a day ahead, so each week's division reads the claims and contacts
 * recorded by then; spacing and rotation loose enough for ten tests of one line a week.
 */
const SITE_RULES = { minSpacingHours: 4, rotationDays: 2, horizonDays: 1 };

export const CAMPAIGNS: DemoCampaign[] = [
  { name: 'Number port-back across channels', touchpoints: ['store', 'chat', 'mailbox'], scenario: 'port' },
  { name: 'General line', touchpoints: ['line'], scenario: 'billing' },
  { name: 'Repeat prescriptions', touchpoints: ['surgery'], scenario: 'prescription' },
  { name: 'Customers thinking of leaving', touchpoints: ['insurer'], scenario: 'leaving' },
  {
    name: 'Leeds centre lines, tests by need',
    touchpoints: SITE_LINES('leeds'),
    scenario: 'billing',
    perTouchpoint: 10,
    byNeed: { weeklyBudget: 12, floorPerTouchpoint: 1 },
    ...SITE_RULES,
  },
  {
    name: 'Glasgow centre lines, four a line',
    touchpoints: SITE_LINES('glasgow'),
    scenario: 'billing',
    perTouchpoint: 4,
    ...SITE_RULES,
  },
];

export const DECLINE_REASONS = [
  'Board meeting moved into that slot.',
  'Travelling that day, no signal on the train.',
  'Audit committee ran over; please give it to someone else.',
  'Off sick.',
];

/** A later contact of a journey's case, `afterHours` after its first contact (the cases API's body otherwise). */
export interface JourneyContact {
  afterHours: number;
  /** Days until the follow-up promised on this contact, if one was. */
  promiseDays?: number;
  body: {
    kind: 'callback' | 'chase';
    reachedHuman: boolean;
    repeatedStory?: boolean;
    status: 'continues' | 'resolved' | 'given_up';
    previousPromise?: 'kept' | 'late' | 'broken';
    notes?: string;
  };
}

/**
 * The five situations Groundtruth was made for (issue 15), each recorded once as it happened, in the last replayed
 * week, on the first test of its touchpoint revealed in that week: the fields that capture it replace the drawn
 * ones. Each shows in that week's digest, where `shows` says. The general line's and the surgery's unfold over days
 * as cases: their first contact carries the promise made, and their later contacts are recorded on the days the
 * story says, before the digest of that week goes out.
 */
export interface Journey {
  key: string;
  touchpoint: string;
  situation: string;
  /** Outcome fields that capture it (the API's names), over the drawn outcome. */
  fields: Record<string, unknown>;
  /** Days until the follow-up promised on the contact, if one was. */
  promiseDays?: number;
  /** The case's later contacts, oldest first (its first contact then says `caseContinues`). */
  later?: JourneyContact[];
  /**
   * Where the digest shows it: a claim row or a fact of "what nobody claimed" (metric keys of its touchpoint); case
   * facts show only where a case went beyond its first contact, so their presence is the journey's case.
   */
  shows: { claimed?: string[]; unclaimed?: string[]; caseFacts?: string[]; question?: string };
}

/** A journey's first test must start by then (days after the last week's Monday), so its case ends in that week. */
export const JOURNEY_STARTS_BEFORE_DAYS = 3;

export const JOURNEYS: Journey[] = [
  {
    key: 'passed-on',
    touchpoint: 'line',
    situation: 'The general line passes the caller to an operator, then a centre; drops twice; the story told again',
    fields: {
      reachedHuman: true,
      secondsToHuman: 11 * 60 + 40,
      holdSeconds: 14 * 60,
      transfers: 2,
      disconnects: 2,
      repeatedStory: true,
      resolution: 'unresolved',
      caseContinues: true,
      optionsExplained: false,
      courtesy: 3,
      knowledge: 2,
      notes:
        'Menu put me through to an operator, who passed me to "the billing centre". Dropped twice on the way; each ' +
        'time I rang back and told the whole story again. Promised a call back within three days.',
    },
    promiseDays: 3,
    // the callback never comes; three days on the tester chases, tells the story once more, and gives the case up
    later: [
      {
        afterHours: 3 * 24 + 2,
        body: {
          kind: 'chase',
          reachedHuman: true,
          repeatedStory: true,
          status: 'given_up',
          previousPromise: 'broken',
          notes:
            'No call back in three days. Rang again: nobody could find the case, so the whole story a third time; ' +
            '"someone will be in touch". Still unsolved; given up.',
        },
      },
    ],
    shows: {
      claimed: ['transfer_rate'],
      unclaimed: ['disconnect_rate', 'repeat_story_rate'],
      caseFacts: ['resolved_within_7_days_rate', 'story_repeats_per_case', 'case_promises_kept_rate'],
    },
  },
  {
    key: 'not-there-yet',
    touchpoint: 'surgery',
    situation: 'A repeat prescription "not there yet" 48 hours later',
    fields: {
      reachedHuman: true,
      secondsToHuman: 9 * 60,
      holdSeconds: 60,
      transfers: 0,
      disconnects: 0,
      repeatedStory: false,
      resolution: 'unresolved',
      caseContinues: true,
      optionsExplained: false,
      courtesy: 4,
      knowledge: 2,
      answers: { prescription_ready: false },
      notes:
        'Asked about my repeat prescription: "not there yet, ring back in 48 hours". Nobody could say who is ' +
        'holding it.',
    },
    promiseDays: 2,
    // 48 hours later it is still "not there yet"; the surgery rings the next day to say it is ready
    later: [
      {
        afterHours: 48,
        promiseDays: 1,
        body: {
          kind: 'chase',
          reachedHuman: true,
          repeatedStory: true,
          status: 'continues',
          previousPromise: 'broken',
          notes: 'Rang back after 48 hours as told: "not there yet", the story told again. They will ring me tomorrow.',
        },
      },
      {
        afterHours: 3 * 24 + 3,
        body: {
          kind: 'callback',
          reachedHuman: true,
          status: 'resolved',
          notes: 'The surgery rang: the prescription is at the pharmacy.',
        },
      },
    ],
    shows: {
      claimed: ['first_contact_resolution'],
      question: 'prescription_ready',
      caseFacts: [
        'resolved_within_7_days_rate',
        'contacts_to_resolution',
        'story_repeats_per_case',
        'case_promises_kept_rate',
      ],
    },
  },
  {
    key: 'ticket-system-down',
    touchpoint: 'store',
    situation: 'A store whose ticket system fails and leaves a crowd queuing to port a number back',
    fields: {
      reachedHuman: true,
      queueSeconds: 55 * 60,
      queueSystemWorked: false,
      staffFree: false,
      transfers: 0,
      repeatedStory: false,
      resolution: 'unresolved',
      optionsExplained: false,
      courtesy: 3,
      knowledge: 2,
      notes:
        'The ticket machine was down: about twenty people queuing by the door to port numbers back, one adviser on ' +
        'the floor. Seen after 55 minutes and told to come back when "the system" works.',
    },
    shows: { claimed: ['queue_system_worked_rate', 'median_queue_seconds'] },
  },
  {
    key: 'bounced',
    touchpoint: 'insurer',
    situation: 'A caller held and bounced from extension to extension',
    fields: {
      reachedHuman: true,
      secondsToHuman: 4 * 60,
      holdSeconds: 23 * 60,
      transfers: 4,
      disconnects: 0,
      repeatedStory: true,
      resolution: 'unresolved',
      optionsExplained: false,
      courtesy: 3,
      knowledge: 2,
      notes:
        'Put on hold, then to extension 2214, then 2230, then back to the switchboard, then "retentions": 23 ' +
        'minutes on hold in all, the story told four times, nobody could say what I would lose by leaving.',
    },
    shows: { unclaimed: ['median_hold_seconds', 'transfer_rate', 'repeat_story_rate'] },
  },
  {
    key: 'mailbox-wait',
    touchpoint: 'mailbox',
    situation: 'A support email answered only after more than a day',
    fields: {
      reachedHuman: true,
      secondsToHuman: 37 * 3600 + 12 * 60,
      answeredQuestion: false,
      transfers: 0,
      repeatedStory: false,
      resolution: 'unresolved',
      optionsExplained: false,
      courtesy: 3,
      knowledge: 2,
      notes: 'First human reply 37 hours after my email, and it only said to call the general line.',
    },
    shows: { claimed: ['median_seconds_to_human'] },
  },
];
