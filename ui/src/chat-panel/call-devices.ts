/**
 * The device picker of a call: which microphone and which camera are sent. Lists what the
 * browser offers (labels are known once the call has been granted media) and follows devices
 * plugged in or out during the call.
 */
import { el } from '../dom.ts';
import { t, tx } from '../i18n/index.ts';

export interface CallDevices {
  root: HTMLElement;
  /** Lists the devices and marks the ones the call sends now. */
  show(local: MediaStream): Promise<void>;
  hide(): void;
}

export function createCallDevices(onPick: (kind: 'audio' | 'video', deviceId: string) => Promise<void>): CallDevices {
  const microphone = el('select', { class: 'ic-call-device', name: 'microphone' });
  const camera = el('select', { class: 'ic-call-device', name: 'camera' });
  const microphoneField = el('label', { class: 'ic-call-device-field' }, el('span', tx('call.microphone')), microphone);
  const cameraField = el('label', { class: 'ic-call-device-field' }, el('span', tx('call.camera')), camera);
  const root = el('div', { class: 'ic-call-row ic-call-devices', hidden: true }, microphoneField, cameraField);
  let current: MediaStream | null = null;

  async function fill(): Promise<void> {
    if (!current || !navigator.mediaDevices?.enumerateDevices) return;
    const devices = await navigator.mediaDevices.enumerateDevices();
    for (const [select, field, kind, track] of [
      [microphone, microphoneField, 'audioinput', current.getAudioTracks()[0]],
      [camera, cameraField, 'videoinput', current.getVideoTracks()[0]],
    ] as const) {
      const options = devices.filter((d) => d.kind === kind && d.deviceId);
      select.replaceChildren(
        ...options.map((d, i) =>
          el('option', { value: d.deviceId, text: d.label || `${t(kind === 'audioinput' ? 'call.microphone' : 'call.camera')} ${i + 1}` }),
        ),
      );
      const using = track?.getSettings().deviceId;
      if (using) select.value = using;
      // Nothing to choose between (or this kind is not sent at all): no picker.
      field.hidden = !track || options.length < 2;
    }
    root.hidden = microphoneField.hidden && cameraField.hidden;
  }

  const changed = () => void fill();
  for (const [select, kind] of [
    [microphone, 'audio'],
    [camera, 'video'],
  ] as const) {
    select.addEventListener('change', () => {
      select.disabled = true;
      void onPick(kind, select.value).finally(() => {
        select.disabled = false;
        void fill();
      });
    });
  }

  return {
    root,
    async show(local) {
      current = local;
      navigator.mediaDevices?.addEventListener('devicechange', changed);
      await fill();
    },
    hide() {
      current = null;
      navigator.mediaDevices?.removeEventListener('devicechange', changed);
      root.hidden = true;
    },
  };
}
