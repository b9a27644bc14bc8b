/** Typed Bot API updates for tests (types from @grammyjs/types). */
import type { Update, Message, User, Chat } from '@grammyjs/types';

let nextId = 1;
export const BOT: User & { username: string } = { id: 42, is_bot: true, first_name: 'Helper', username: 'helper_bot' };
export const BOT_INFO = { ...BOT, can_join_groups: true, can_read_all_group_messages: false, supports_inline_queries: true, can_connect_to_business: false, has_main_web_app: false } as const;

export const user = (id = 7): User => ({ id, is_bot: false, first_name: `U${id}`, language_code: 'zh-hans' });
export const privateChat = (id = 7): Chat.PrivateChat => ({ id, type: 'private', first_name: `U${id}` });
export const groupChat = (id = -100): Chat.GroupChat => ({ id, type: 'group', title: 'G' });

export interface TextOptions {
  from?: User;
  chat?: Chat.PrivateChat | Chat.GroupChat;
  entities?: Message['entities'];
  replyTo?: Message;
}

export function textMessage(text: string, o: TextOptions = {}): Message.TextMessage {
  const from = o.from ?? user();
  return {
    message_id: nextId++,
    date: 1_700_000_000,
    chat: o.chat ?? privateChat(from.id),
    from,
    text,
    ...(o.entities ? { entities: o.entities } : {}),
    ...(o.replyTo ? { reply_to_message: o.replyTo as any } : {}),
  } as Message.TextMessage;
}

export const textUpdate = (text: string, o: TextOptions = {}): Update => ({ update_id: nextId++, message: textMessage(text, o) as any });

export function commandUpdate(text: string, o: TextOptions = {}): Update {
  const command = text.split(/\s/)[0]!;
  return textUpdate(text, { ...o, entities: [{ type: 'bot_command', offset: 0, length: command.length }] });
}

export function mentionUpdate(text: string, o: TextOptions = {}): Update {
  const at = text.indexOf(`@${BOT.username}`);
  return textUpdate(text, { ...o, entities: [{ type: 'mention', offset: at, length: BOT.username.length + 1 }] });
}

export const editedUpdate = (text: string, o: TextOptions = {}): Update => ({ update_id: nextId++, edited_message: { ...textMessage(text, o), edit_date: 1_700_000_100 } as any });

export const stickerUpdate = (o: TextOptions = {}): Update => {
  const { text: _t, ...rest } = textMessage('x', o);
  return { update_id: nextId++, message: { ...rest, sticker: { file_id: 's', file_unique_id: 's', type: 'regular', width: 1, height: 1, is_animated: false, is_video: false } } as any };
};

export const callbackUpdate = (data: string, o: { from?: User; chat?: Chat.PrivateChat | Chat.GroupChat } = {}): Update => {
  const from = o.from ?? user();
  return {
    update_id: nextId++,
    callback_query: {
      id: String(nextId++),
      from,
      chat_instance: 'ci',
      data,
      message: { message_id: 1, date: 0, chat: o.chat ?? privateChat(from.id), text: 'old' } as any,
    },
  };
};

export const inlineUpdate = (query: string): Update => ({
  update_id: nextId++,
  inline_query: { id: String(nextId++), from: user(), query, offset: '' },
});
