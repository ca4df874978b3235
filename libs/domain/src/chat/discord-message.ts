import type { DiscordOptions } from '../endpoints/endpoint-provider';
import { ChatEvent, fieldText, renderTemplate, truncate } from './chat-template';

/** Discord's embed limits. */
const TITLE_MAX = 256;
const DESCRIPTION_MAX = 4096;
const FIELDS_MAX = 25;
const FIELD_NAME_MAX = 256;
const FIELD_VALUE_MAX = 1024;

export const DISCORD_COLOURS = { failed: 0xed4245, completed: 0x57f287, other: 0x3498db } as const;

/** Red for what went wrong (`*.failed`, an alert `*.triggered`), green for `*.completed`, blue for the rest. */
export function outcomeColour(eventType: string): number {
  if (eventType.endsWith('.failed') || eventType.endsWith('.triggered')) return DISCORD_COLOURS.failed;
  if (eventType.endsWith('.completed')) return DISCORD_COLOURS.completed;
  return DISCORD_COLOURS.other;
}

/**
 * One embed: the event type as its title, coloured by outcome, the template (plain text: Discord
 * webhooks take no HTML) as its description, the data's fields as inline fields. Mentions are
 * turned off, so `@everyone` in event data pings nobody.
 */
export function discordMessage(event: ChatEvent, options: DiscordOptions, template: string | null): Record<string, unknown> {
  const rendered = template === null ? null : renderTemplate(template, event, (text) => text);
  const fields = Object.entries(event.data).slice(0, FIELDS_MAX).map(([name, value]) => ({
    name: truncate(name, FIELD_NAME_MAX) || '\u200b',
    value: truncate(fieldText(value), FIELD_VALUE_MAX) || '\u200b',
    inline: true,
  }));
  return {
    ...(options.username !== undefined && { username: options.username }),
    ...(options.avatar_url !== undefined && { avatar_url: options.avatar_url }),
    allowed_mentions: { parse: [] },
    embeds: [{
      title: truncate(event.type, TITLE_MAX),
      ...(rendered !== null && rendered !== '' && { description: truncate(rendered, DESCRIPTION_MAX) }),
      color: outcomeColour(event.type),
      ...(rendered === null && { fields }),
      timestamp: event.timestamp.toISOString(),
      footer: { text: event.id },
    }],
  };
}
