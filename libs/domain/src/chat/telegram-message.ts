import { ChatEvent, fieldText, renderTemplate, truncate } from './chat-template';

/** A sendMessage text's limit. */
const TEXT_MAX = 4096;
const VALUE_MAX = 500;

/** What Telegram's HTML parse mode needs escaped (core.telegram.org/bots/api#html-style). */
export const escapeTelegramHtml = (text: string): string =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/**
 * sendMessage's body with `parse_mode: HTML`: the template, or by default the event type in bold
 * and one line per data field. Every event value is escaped before it meets the markup, so event
 * data can never inject a tag or break the parse.
 */
export function telegramMessage(event: ChatEvent, chatId: string, template: string | null): Record<string, unknown> {
  const rendered = template === null ? null : renderTemplate(template, event, escapeTelegramHtml);
  return { chat_id: chatId, text: rendered === null ? defaultText(event) : cutHtml(rendered), parse_mode: 'HTML' };
}

function defaultText(event: ChatEvent): string {
  let text = `<b>${escapeTelegramHtml(event.type)}</b>`;
  const footer = `\n<i>${escapeTelegramHtml(event.id)}</i>`;
  for (const [name, value] of Object.entries(event.data)) {
    const line = `\n<b>${escapeTelegramHtml(truncate(name, 100))}</b>: ${escapeTelegramHtml(truncate(fieldText(value), VALUE_MAX))}`;
    if (text.length + line.length + footer.length + 2 > TEXT_MAX) return `${text}\n…${footer}`;
    text += line;
  }
  return text + footer;
}

/** A template's text cut to the limit without leaving half an entity or tag behind. */
function cutHtml(text: string): string {
  if (text.length <= TEXT_MAX) return text;
  let cut = text.slice(0, TEXT_MAX - 1);
  const open = Math.max(cut.lastIndexOf('<'), cut.lastIndexOf('&'));
  if (open > cut.lastIndexOf('>') && open > cut.lastIndexOf(';')) cut = cut.slice(0, open);
  return `${cut}…`;
}
