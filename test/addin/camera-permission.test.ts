import assert from 'node:assert/strict';
import { askOutlookForCamera, type DevicePermissionHost } from '../../addin/src/office/camera-permission.ts';

/**
 * The decision of the Outlook pane before it opens the camera. Outlook cannot run here, so each
 * case hands it a STUB Office object (not Office.js) shaped like the parts the decision reads,
 * with the dialog's answer the stub's callback gives.
 */
function stubOffice(opts: { hostName: string; answer?: { status: string; value: boolean }; withoutMethod?: boolean }) {
  const asked: unknown[][] = [];
  const office: DevicePermissionHost<string> = {
    context: { mailbox: { diagnostics: { hostName: opts.hostName } } },
    DevicePermissionType: { camera: 'camera', microphone: 'microphone' },
    AsyncResultStatus: { Succeeded: 'succeeded' },
    devicePermission: opts.withoutMethod
      ? {}
      : {
          requestPermissionsAsync: (permissions, callback) => {
            asked.push(permissions);
            setTimeout(() => callback(opts.answer ?? { status: 'succeeded', value: false }), 5);
          },
        },
  };
  return { office, asked };
}

describe('Outlook pane: asking Office for camera and microphone (stub Office object)', () => {
  it('outside Office (the chat page, Thunderbird) asks nothing and lets the browser decide', async () => {
    assert.equal(await askOutlookForCamera(undefined), 'ready');
  });

  it('classic Outlook (no Office dialog for devices) asks nothing: its webview decides', async () => {
    const { office, asked } = stubOffice({ hostName: 'Outlook' });
    assert.equal(await askOutlookForCamera(office), 'ready');
    assert.deepEqual(asked, []);
  });

  it('Outlook on the web without the method asks nothing', async () => {
    const { office } = stubOffice({ hostName: 'OutlookWebApp', withoutMethod: true });
    assert.equal(await askOutlookForCamera(office), 'ready');
  });

  it('Outlook on the web asks for exactly camera and microphone; a first "Allow" needs a reload', async () => {
    const { office, asked } = stubOffice({ hostName: 'OutlookWebApp', answer: { status: 'succeeded', value: true } });
    assert.equal(await askOutlookForCamera(office), 'reload');
    assert.deepEqual(asked, [['camera', 'microphone']]);
  });

  it('allowed before: the camera can open now', async () => {
    const { office } = stubOffice({ hostName: 'OutlookWebApp', answer: { status: 'succeeded', value: false } });
    assert.equal(await askOutlookForCamera(office), 'ready');
  });

  it('"Deny" is a refusal the recorder reports', async () => {
    const { office } = stubOffice({ hostName: 'OutlookWebApp', answer: { status: 'failed', value: false } });
    assert.equal(await askOutlookForCamera(office), 'denied');
  });
});
