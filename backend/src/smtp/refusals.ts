/**
 * Every answer the inbound listener refuses mail with, by name, in one table: the SMTP code
 * and the sentence the sender's own mail server puts into the bounce. 5xx is for good (the
 * person gets a bounce saying why), 4xx asks the sending server to try again later.
 */
export class SmtpReply extends Error {
  constructor(
    /** The table's name for this refusal, for logs and tests. */
    readonly reason: RefusalName,
    readonly responseCode: number,
    message: string,
  ) {
    super(message);
  }
}

export const refusals = {
  otherDomain: (domain: string) =>
    new SmtpReply('otherDomain', 550, `5.7.1 We only accept replies to Inbox Chat reply addresses (@${domain})`),
  tooManyRecipients: () => new SmtpReply('tooManyRecipients', 452, '4.5.3 Too many recipients'),
  unknownAddress: () =>
    new SmtpReply(
      'unknownAddress',
      550,
      '5.1.1 This reply address is unknown: it may be mistyped, or you are no longer in that chat. Open the chat from the link in the email instead',
    ),
  expiredAddress: () =>
    new SmtpReply(
      'expiredAddress',
      550,
      '5.1.1 This reply address has expired. Reply to a newer Inbox Chat email, or open the chat from its link',
    ),
  noRecipients: () => new SmtpReply('noRecipients', 503, '5.5.1 No valid recipients'),
  tooLarge: (maxBytes: number) =>
    new SmtpReply(
      'tooLarge',
      552,
      `5.3.4 Your reply is larger than ${Math.round(maxBytes / 1024)} KB; send text only, without attachments`,
    ),
  headerTooLarge: (maxBytes: number) =>
    new SmtpReply('headerTooLarge', 552, `5.3.4 The header of your email is larger than ${Math.round(maxBytes / 1024)} KB`),
  bareCarriageReturn: () =>
    new SmtpReply(
      'bareCarriageReturn',
      550,
      '5.6.0 Your email has a carriage return (CR) that is not followed by a line feed; it is not a well-formed email',
    ),
  mboxFromLine: () =>
    new SmtpReply('mboxFromLine', 550, '5.6.0 Your email starts with an mbox "From " line, which is not part of an email'),
  malformedHeader: (line: number) =>
    new SmtpReply('malformedHeader', 550, `5.6.0 Header line ${line} of your email is not a well-formed header field`),
  fromCount: () => new SmtpReply('fromCount', 550, '5.6.0 Your email must have exactly one From address'),
  notTheMember: () =>
    new SmtpReply(
      'notTheMember',
      550,
      '5.7.1 This reply address belongs to another person. Reply from the address the chat email was sent to',
    ),
  authTemporary: (reason: string) => new SmtpReply('authTemporary', 451, `4.7.0 ${reason}; please try again later`),
  authFailed: (reason: string) =>
    new SmtpReply('authFailed', 550, `5.7.26 Not posted: ${reason}. Send from your own mail account, or use the chat page`),
  attachments: (reason: string) =>
    new SmtpReply(
      'attachments',
      552,
      `5.3.4 Your attachments were not posted: ${reason}. Nothing was posted; share them from the chat page`,
    ),
  unreadable: () =>
    new SmtpReply(
      'unreadable',
      550,
      '5.6.0 We could not read your reply in the time we allow for one email; send a shorter plain-text reply, or use the chat page',
    ),
  busy: () => new SmtpReply('busy', 451, '4.3.2 Too many replies are being read right now; please try again later'),
  noNewText: () => new SmtpReply('noNewText', 550, '5.6.0 We found no new text in your reply (only quoted text); nothing was posted'),
  textTooLong: (chars: number, max: number) =>
    new SmtpReply('textTooLong', 552, `5.3.4 Your reply has ${chars} characters; a chat message can have at most ${max}`),
} as const;

export type RefusalName = keyof typeof refusals;
