/**
 * Whether "Record video" can be offered here, without loading the recorder (which loads on demand
 * when it is opened, keeping it out of a pane's first bundle).
 */
import type { MessageKey } from '../i18n/index.ts';

/** Why this client cannot record (a catalogue key), or null when it can. */
export function cannotRecordReason(): MessageKey | null {
  if (!navigator.mediaDevices?.getUserMedia) return 'video.noCameraAccess';
  if (typeof MediaRecorder === 'undefined') return 'video.noRecorder';
  return null;
}
