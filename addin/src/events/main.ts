/// <reference types="office-js" />
/**
 * The event runtime: commands.html on the web, new Outlook and Mac, and this same file loaded
 * bare by classic Outlook on Windows (the manifest's JavaScript override).
 */
import { createContext } from '../office/context.ts';
import { makeHandlers } from './handlers.ts';

const handlers = makeHandlers(() => createContext());

// Nothing waits on readiness here: Office calls the associated handlers once it is ready.
void Office.onReady(() => undefined);
Office.actions.associate('onMessageRecipientsChanged', handlers.onMessageRecipientsChanged);
Office.actions.associate('onMessageSend', handlers.onMessageSend);
