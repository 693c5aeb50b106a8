/** The optional spoken alert: the sender's name and first words, in a voice of their own. */
import { alertSender, firstWords, voiceFor, type Alert, type AlertWords } from './alert-policy.ts';

export function speakAlert(a: Alert, words: AlertWords): void {
  if (typeof speechSynthesis === 'undefined') return;
  // The part before the @ is what a person would say; the whole address is noise read aloud.
  const u = new SpeechSynthesisUtterance(`${alertSender({ ...a, sender: a.sender.replace(/@.*/, '') }, words)}: ${firstWords(a.text)}`);
  const voices = speechSynthesis.getVoices();
  const v = voiceFor(a.senderKey, voices.length);
  u.pitch = v.pitch;
  if (v.voice >= 0) u.voice = voices[v.voice] ?? null;
  speechSynthesis.speak(u);
}
