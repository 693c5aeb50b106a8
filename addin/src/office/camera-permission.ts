/**
 * Camera and microphone in the Outlook pane (docs/outlook.md, "Camera and microphone"). Outlook on
 * the web and new Outlook run the pane in an iframe that gets no camera until the person allows it
 * in Office's own dialog (Office.devicePermission, requirement set DevicePermissionService 1.1);
 * a first "Allow" takes effect only after the pane reloads. Classic Outlook has no such dialog:
 * its webview's own rules decide, and the recorder says so when getUserMedia is refused.
 */

/** What the recorder does next: open the camera, wait for the pane to reload, or say it was refused. */
export type CameraAccess = 'ready' | 'reload' | 'denied';

/** The few parts of Office.js this decision reads (the real `Office` object, or a test's stub). */
export interface DevicePermissionHost<P> {
  context?: { mailbox?: { diagnostics?: { hostName?: string } } };
  devicePermission?: {
    requestPermissionsAsync?: (permissions: P[], callback: (result: { status: unknown; value: boolean }) => void) => void;
  };
  DevicePermissionType?: { camera: P; microphone: P };
  AsyncResultStatus?: { Succeeded: unknown };
}

/** Asks Office for camera and microphone where it can (Outlook on the web and new Outlook report hostName OutlookWebApp). */
export function askOutlookForCamera<P>(office: DevicePermissionHost<P> | undefined): Promise<CameraAccess> {
  const ask = office?.devicePermission?.requestPermissionsAsync;
  const types = office?.DevicePermissionType;
  // Elsewhere the call answers with an error (Microsoft's note on requestPermissionsAsync): not a refusal by the person.
  if (!office || !ask || !types || office.context?.mailbox?.diagnostics?.hostName !== 'OutlookWebApp') return Promise.resolve('ready');
  const succeeded = office.AsyncResultStatus?.Succeeded ?? 'succeeded';
  return new Promise((resolve) => {
    try {
      ask.call(office.devicePermission, [types.camera, types.microphone], (result) => {
        // true: allowed just now, usable after a reload; false: allowed before, usable now.
        if (result.status === succeeded) resolve(result.value ? 'reload' : 'ready');
        else resolve('denied');
      });
    } catch {
      // An Office build without the method behind the name: the browser's own prompt decides.
      resolve('ready');
    }
  });
}
