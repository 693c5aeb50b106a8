/**
 * The background page's entry: builds the background once, synchronously, when Thunderbird runs
 * this script (at install, at start-up, and on every wake-up after a suspension).
 */
import { realMessenger } from '../messenger.ts';
import { createBackground } from './background.ts';

createBackground(realMessenger());
