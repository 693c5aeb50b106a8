import type { Services } from '../../services.ts';
import type { RouteHandlers } from './index.ts';

export function authHandlers(
  s: Services,
): Pick<RouteHandlers, 'startSignIn' | 'verifyCode' | 'verifyLink' | 'signOut' | 'me' | 'setMyLanguage' | 'setDisplayName'> {
  return {
    startSignIn: ({ body }, { ip, languages }) => s.verification.start(body.address, ip, body.chatId, languages),
    verifyCode: ({ body }) => s.verification.verifyCode(body.verificationId, body.code, body.label),
    verifyLink: ({ body }) => s.verification.verifyLink(body.token, body.label),
    signOut: async (_input, { caller }) => {
      await s.sessions.revoke(caller.sessionId);
      return undefined;
    },
    me: async (_input, { caller }) => ({
      id: caller.identityId,
      addresses: caller.addresses,
      displayName: await s.displayNames.of(caller.identityId),
      chatId: caller.chatScope,
      language: await s.language.of(caller.identityId),
    }),
    setMyLanguage: async ({ body }, { caller }) => ({ language: await s.language.set(caller.identityId, body.language) }),
    setDisplayName: async ({ body }, { caller }) => ({
      id: caller.identityId,
      addresses: caller.addresses,
      displayName: await s.displayNames.set(caller.identityId, body.displayName),
      chatId: caller.chatScope,
      language: await s.language.of(caller.identityId),
    }),
  };
}
