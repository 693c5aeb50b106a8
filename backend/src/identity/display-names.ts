import type pg from 'pg';

/**
 * A person's display name: shown instead of their address in chats, lists and emails' From line
 * (the address stays on hover). One per identity, so it follows them into every chat.
 */
export class DisplayNames {
  constructor(
    private readonly pool: pg.Pool,
    /** Told after a change, so the chats that show the name can refresh. */
    private readonly changed: (identityId: string) => void,
  ) {}

  async of(identityId: string): Promise<string | null> {
    const { rows } = await this.pool.query<{ display_name: string | null }>('SELECT display_name FROM identity WHERE id = $1', [
      identityId,
    ]);
    return rows[0]?.display_name ?? null;
  }

  /** An empty name clears it. Input is validated at the boundary (displayNameSchema). */
  async set(identityId: string, name: string): Promise<string | null> {
    const next = name === '' ? null : name;
    const { rows } = await this.pool.query<{ before: string | null }>(
      `UPDATE identity i SET display_name = $2 FROM identity old WHERE i.id = $1 AND old.id = i.id RETURNING old.display_name AS before`,
      [identityId, next],
    );
    if (rows[0] && rows[0].before !== next) this.changed(identityId);
    return next;
  }
}
