/**
 * Whether "Record video" can be offered here, without loading the recorder (which loads on demand
 * when it is opened, keeping it out of a pane's first bundle).
 */

/** Why this client cannot record, or null when it can. */
export function cannotRecordReason(): string | null {
  if (!navigator.mediaDevices?.getUserMedia) return 'This window has no camera access; open the chat page in a browser to record';
  if (typeof MediaRecorder === 'undefined') return 'This browser cannot record video; open the chat page in another browser';
  return null;
}
