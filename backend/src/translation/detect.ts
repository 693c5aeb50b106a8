import { detect, detectAll } from 'tinyld';

/**
 * The language a message is written in (ISO 639-1), offline, with tinyld. Chat messages are
 * short, where any detector hesitates between close languages ("Gracias" scores Esperanto above
 * Spanish), so a language somebody in the chat reads wins when the detector finds it plausible at
 * all; otherwise the detector's first choice. null: no idea (too short, digits, emoji).
 */
export function detectLanguage(text: string, likely: readonly string[]): string | null {
  const all = detectAll(text);
  if (all.length === 0) return null;
  const among = likely.length > 0 ? detect(text, { only: [...likely] }) : '';
  if (among && all.some((a) => a.lang === among)) return among;
  return all[0]!.lang;
}
