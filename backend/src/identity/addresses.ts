/**
 * An email address is the identity, so two spellings of one address must compare equal.
 * Normalisation: trim, lower-case both parts (DESIGN.md), strip a display name.
 */
export function normaliseAddress(raw: string): string {
  let s = raw.trim();
  const angle = /<([^<>]+)>\s*$/.exec(s);
  if (angle?.[1]) s = angle[1].trim();
  return s.toLowerCase();
}

export function normaliseAddresses(raw: readonly string[]): string[] {
  return [...new Set(raw.map(normaliseAddress).filter((a) => a.length > 0))];
}
