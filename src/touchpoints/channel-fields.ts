import type { Channel } from './touchpoint.entity.js';

/**
 * What a contact asks beyond what every contact asks (when, whether a person answered, resolution, ratings, a
 * repeated story, a promise, notes): each channel measures its own things, so a store is never asked about
 * dropped lines, nor a phone call about the queue. A store's transfer is being sent to another desk or person.
 */
export const CHANNEL_FIELDS = {
  phone: ['secondsToHuman', 'holdSeconds', 'transfers', 'disconnects'],
  chat: ['botFirst', 'secondsToHuman', 'holdSeconds', 'transfers', 'disconnects'],
  email: ['secondsToHuman', 'answeredQuestion'],
  web_form: ['secondsToHuman', 'answeredQuestion'],
  social: ['secondsToHuman', 'answeredQuestion'],
  in_person: ['queueSeconds', 'queueSystemWorked', 'staffFree', 'transfers'],
} as const satisfies Record<Channel, readonly string[]>;

export type ChannelField = (typeof CHANNEL_FIELDS)[Channel][number];

/** Every channel, in the catalogue's order. */
export const ALL_CHANNELS = Object.keys(CHANNEL_FIELDS) as Channel[];

/** Every field some channel asks, each once. */
export const CHANNEL_FIELD_NAMES: readonly ChannelField[] = [...new Set(Object.values(CHANNEL_FIELDS).flat())];

/** Whether a contact through `channel` is asked `field`. */
export const asks = (channel: Channel, field: ChannelField): boolean =>
  (CHANNEL_FIELDS[channel] as readonly ChannelField[]).includes(field);

/** The channels that ask `field`, in the catalogue's order. */
export const channelsAsking = (field: ChannelField): Channel[] => ALL_CHANNELS.filter((c) => asks(c, field));

/** How a channel is named in a sentence ("an in-person visit"). */
export const CHANNEL_NOUNS: Record<Channel, string> = {
  phone: 'a phone call',
  chat: 'a chat',
  email: 'an email',
  web_form: 'a web form',
  social: 'a social media message',
  in_person: 'an in-person visit',
};

/** A list of channels for a message: "phone and chat", "email, web_form and social". */
export function channelList(channels: readonly string[]): string {
  if (channels.length <= 1) return channels.join('');
  return `${channels.slice(0, -1).join(', ')} and ${channels[channels.length - 1]}`;
}
