import type { CallRing, CallSignalNotice, CallView } from '../../../protocol/index.ts';

/**
 * What the call domain announces. A `device` is the opaque name of the connection a member
 * joined a call from, handed in by the realtime adapter: signals go to that device only.
 */
export interface CallEvents {
  /** Ring every device of these identities. */
  ring(identityIds: string[], ring: CallRing): void;
  /** The call changed (someone joined or left, or it ended): the chat's room and these identities hear it. */
  updated(call: CallView, identityIds: string[]): void;
  /** An offer, answer or ICE candidate for one participant's device. */
  signal(device: string, notice: CallSignalNotice): void;
}
