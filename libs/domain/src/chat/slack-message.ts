import type { SlackOptions } from '../endpoints/endpoint-provider';
import { ChatEvent, fieldText, renderTemplate, truncate } from './chat-template';

/** Slack's limits: a section's text, a header's text, the fields one section holds. */
const SECTION_TEXT_MAX = 3000;
const HEADER_TEXT_MAX = 150;
const FIELDS_PER_SECTION = 10;
const FIELD_TEXT_MAX = 2000;

/** Slack's mrkdwn treats only these three as control characters (api.slack.com "Escaping text"). */
export const escapeSlack = (text: string): string => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/**
 * A Block Kit message for an incoming webhook: `text` is the notification's fallback, `blocks` what
 * the channel shows — the endpoint's template as one section, or by default the event type as a
 * header, up to ten data fields and the event's id and time.
 */
export function slackMessage(event: ChatEvent, options: SlackOptions, template: string | null): Record<string, unknown> {
  const rendered = template === null ? null : renderTemplate(template, event, escapeSlack);
  const blocks = rendered === null ? defaultBlocks(event) : [section(rendered)];
  return {
    ...(options.channel !== undefined && { channel: options.channel }),
    ...(options.username !== undefined && { username: options.username }),
    ...(options.icon_emoji !== undefined && { icon_emoji: options.icon_emoji }),
    text: truncate(rendered ?? `${escapeSlack(event.type)}: event ${escapeSlack(event.id)}`, SECTION_TEXT_MAX),
    blocks,
  };
}

function defaultBlocks(event: ChatEvent): Record<string, unknown>[] {
  const entries = Object.entries(event.data);
  const fields = entries.slice(0, FIELDS_PER_SECTION).map(([name, value]) => ({
    type: 'mrkdwn',
    text: truncate(`*${escapeSlack(name)}*\n${escapeSlack(fieldText(value))}`, FIELD_TEXT_MAX),
  }));
  const more = entries.length > FIELDS_PER_SECTION ? [section(`_…and ${entries.length - FIELDS_PER_SECTION} more fields_`)] : [];
  return [
    { type: 'header', text: { type: 'plain_text', text: truncate(event.type, HEADER_TEXT_MAX) } },
    ...(fields.length > 0 ? [{ type: 'section', fields }] : []),
    ...more,
    { type: 'context', elements: [{ type: 'mrkdwn', text: `${escapeSlack(event.id)} · ${event.timestamp.toISOString()}` }] },
  ];
}

const section = (text: string): Record<string, unknown> => ({ type: 'section', text: { type: 'mrkdwn', text: truncate(text, SECTION_TEXT_MAX) } });
