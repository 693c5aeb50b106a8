/**
 * Office.js failures in the reader's words: the panes hook async.ts up to the interface
 * catalogue; the event runtime (no catalogue, no text shown to anyone) keeps only the code.
 * Office.js itself cannot run here: the failing call is a stand-in callback.
 */
import assert from 'node:assert/strict';
import { IntlMessageFormat } from 'intl-messageformat';
import { OfficeError, officeCall, sayOfficeFailuresWith, withTimeout } from '../../addin/src/office/async.ts';
import { CATALOGUES } from '../../ui/src/i18n/catalogues.ts';

const failsWithoutMessage = () => officeCall<void>((cb) => (cb as (result: object) => void)({ status: 'failed', error: {} }));
const never = () => new Promise<never>(() => {});

describe('Office failure words', () => {
  after(() => sayOfficeFailuresWith(() => ''));

  it('keep only the code where no words are hooked up (the event runtime)', async () => {
    await assert.rejects(failsWithoutMessage(), (err: OfficeError) => err.code === 'FAILED' && err.message === '');
    await assert.rejects(withTimeout(never(), 20), (err: OfficeError) => err.code === 'TIMEOUT');
  });

  it('are said in the pane’s language once hooked up to the catalogue', async () => {
    const de = CATALOGUES.de;
    sayOfficeFailuresWith((f) => String(new IntlMessageFormat(de[f === 'failed' ? 'office.failed' : 'office.noAnswer'], 'de').format()));
    await assert.rejects(failsWithoutMessage(), (err: OfficeError) => err.message === 'Outlook konnte das nicht ausführen');
    await assert.rejects(withTimeout(never(), 20), (err: OfficeError) => err.message === 'Der Server hat nicht rechtzeitig geantwortet');
  });

  it('leave Outlook’s own message as it is', async () => {
    const failed = officeCall<void>((cb) =>
      (cb as (result: object) => void)({ status: 'failed', error: { code: 9041, message: 'Quota' } }),
    );
    await assert.rejects(failed, (err: OfficeError) => err.code === '9041' && err.message === 'Quota');
  });
});
