import assert from 'node:assert/strict';
import { cp, mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { MIGRATIONS_DIR, migrate } from '../../backend/src/db/migrator.ts';
import { createLogger } from '../../backend/src/log.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';

/**
 * Drift check: prisma/schema.prisma (what the generated client assumes) and prisma/migrations (what
 * the migrator builds) must describe the same database. Prisma's schema engine cannot run here, so
 * the schema file is parsed and compared with information_schema / pg_catalog of a fresh database.
 */

const SCHEMA_FILE = path.resolve(import.meta.dirname, '../../prisma/schema.prisma');

interface ColumnSpec {
  type: string;
  nullable: boolean;
  /** The default as PostgreSQL prints it, or null when there is none. */
  default: string | null;
}
interface TableSpec {
  columns: Map<string, ColumnSpec>;
  primaryKey: string[];
  /** "unique:a,b" or "index:a,b", sorted. */
  indexes: string[];
  /** "a,b -> table(c,d) on delete cascade", sorted. */
  foreignKeys: string[];
}

/** The column type PostgreSQL reports for a Prisma scalar, honouring a native @db type. */
function columnType(prismaType: string, attrs: string, enums: Set<string>): string {
  const native = /@db\.(\w+)(?:\(([^)]*)\))?/.exec(attrs);
  if (native) {
    const [, name, arg] = native;
    if (name === 'Uuid') return 'uuid';
    if (name === 'Timestamptz') return `timestamp(${arg ?? '3'}) with time zone`;
    if (name === 'Timestamp') return `timestamp(${arg ?? '3'}) without time zone`;
    if (name === 'VarChar') return `character varying(${arg})`;
    if (name === 'Text') return 'text';
    throw new Error(`schema-drift: add native type @db.${name} to the mapping`);
  }
  if (enums.has(prismaType)) return `enum ${prismaType}`;
  const scalar: Record<string, string> = {
    String: 'text',
    Int: 'integer',
    BigInt: 'bigint',
    Boolean: 'boolean',
    DateTime: 'timestamp(3) without time zone',
    Json: 'jsonb',
    Float: 'double precision',
    Bytes: 'bytea',
  };
  const t = scalar[prismaType];
  if (!t) throw new Error(`schema-drift: unknown Prisma type ${prismaType}`);
  return t;
}

/** A Prisma @default(...) as PostgreSQL prints the column default. */
function columnDefault(attrs: string, pgType: string, table: string, column: string): string | null {
  const m = /@default\((.*?\)?)\)(?:\s|$)/.exec(attrs);
  if (!m) return null;
  const value = m[1] ?? '';
  if (value === 'now()') return 'CURRENT_TIMESTAMP';
  if (value === 'autoincrement()') return `nextval('${table}_${column}_seq'::regclass)`;
  if (/^-?\d+$/.test(value) || value === 'true' || value === 'false') return value;
  if (value.startsWith('"')) return `'${JSON.parse(value) as string}'::text`;
  if (pgType.startsWith('enum ')) return `'${value}'::"${pgType.slice(5)}"`;
  throw new Error(`schema-drift: unknown default ${value}`);
}

function parseSchema(text: string): { tables: Map<string, TableSpec>; enums: Map<string, string[]> } {
  const withoutComments = text.replace(/\/\/.*$/gm, '');
  const enums = new Map<string, string[]>();
  for (const m of withoutComments.matchAll(/^enum (\w+) \{([^}]*)\}/gm)) {
    enums.set(
      m[1] ?? '',
      (m[2] ?? '')
        .split('\n')
        .map((l) => l.trim())
        .filter(Boolean),
    );
  }
  const models = [...withoutComments.matchAll(/^model (\w+) \{([^}]*)\}/gm)].map((m) => ({ name: m[1] ?? '', body: m[2] ?? '' }));
  const modelNames = new Set(models.map((m) => m.name));
  const enumNames = new Set(enums.keys());
  const tables = new Map<string, TableSpec>();
  const tableOf = new Map<string, string>();
  const columnsOf = new Map<string, Map<string, string>>();
  const relations: { spec: TableSpec; model: string; target: string; fields: string; references: string; onDelete: string }[] = [];
  for (const model of models) {
    const table = /@@map\("(\w+)"\)/.exec(model.body)?.[1] ?? model.name;
    const columnOf = new Map<string, string>();
    tableOf.set(model.name, table);
    columnsOf.set(model.name, columnOf);
    const spec: TableSpec = { columns: new Map(), primaryKey: [], indexes: [], foreignKeys: [] };
    for (const line of model.body.split('\n').map((l) => l.trim())) {
      const f = /^(\w+)\s+(\w+)(\[\]|\?)?\s*(.*)$/.exec(line);
      if (!f || line.startsWith('@@')) continue;
      const [, field = '', type = '', modifier, attrs = ''] = f;
      const relation = /@relation\(.*fields: \[([^\]]*)\], references: \[([^\]]*)\](?:, onDelete: (\w+))?/.exec(attrs);
      if (relation && modelNames.has(type)) {
        // Prisma's default: a required relation restricts deletion, an optional one sets null.
        const onDelete = relation[3] ?? (modifier === '?' ? 'SetNull' : 'Restrict');
        relations.push({ spec, model: model.name, target: type, fields: relation[1] ?? '', references: relation[2] ?? '', onDelete });
      }
      if (modelNames.has(type) || modifier === '[]') continue; // a relation, not a column
      const column = /@map\("(\w+)"\)/.exec(attrs)?.[1] ?? field;
      columnOf.set(field, column);
      const pgType = columnType(type, attrs, enumNames);
      spec.columns.set(column, { type: pgType, nullable: modifier === '?', default: columnDefault(attrs, pgType, table, column) });
      if (/@id\b/.test(attrs)) spec.primaryKey = [column];
      if (/@unique\b/.test(attrs)) spec.indexes.push(`unique:${column}`);
    }
    const columns = (list: string) => list.split(',').map((f) => columnOf.get(f.trim()) ?? `?${f.trim()}`);
    for (const m of model.body.matchAll(/@@(id|unique|index)\(\[([^\]]*)\]/g)) {
      const cols = columns(m[2] ?? '');
      if (m[1] === 'id') spec.primaryKey = cols;
      else spec.indexes.push(`${m[1]}:${cols.join(',')}`);
    }
    spec.indexes.sort();
    tables.set(table, spec);
  }
  const actions: Record<string, string> = {
    Cascade: 'cascade',
    Restrict: 'restrict',
    SetNull: 'set null',
    NoAction: 'no action',
    SetDefault: 'set default',
  };
  for (const r of relations) {
    const own = (list: string, model: string) =>
      list
        .split(',')
        .map((f) => columnsOf.get(model)?.get(f.trim()) ?? `?${f.trim()}`)
        .join(',');
    r.spec.foreignKeys.push(
      `${own(r.fields, r.model)} -> ${tableOf.get(r.target)}(${own(r.references, r.target)}) on delete ${actions[r.onDelete] ?? r.onDelete}`,
    );
  }
  for (const spec of tables.values()) spec.foreignKeys.sort();
  return { tables, enums };
}

async function readDatabase(pool: pg.Pool): Promise<{ tables: Map<string, TableSpec>; enums: Map<string, string[]> }> {
  const tables = new Map<string, TableSpec>();
  const cols = await pool.query<{
    table_name: string;
    column_name: string;
    data_type: string;
    udt_name: string;
    is_nullable: string;
    column_default: string | null;
    type: string;
  }>(
    `SELECT c.table_name, c.column_name, c.data_type, c.udt_name, c.is_nullable, c.column_default,
            format_type(a.atttypid, a.atttypmod) AS type
       FROM information_schema.columns c
       JOIN pg_attribute a ON a.attrelid = format('public.%I', c.table_name)::regclass AND a.attname = c.column_name
      WHERE c.table_schema = 'public' AND c.table_name <> '_prisma_migrations'
      ORDER BY c.table_name, c.ordinal_position`,
  );
  for (const c of cols.rows) {
    const spec = tables.get(c.table_name) ?? { columns: new Map(), primaryKey: [], indexes: [], foreignKeys: [] };
    tables.set(c.table_name, spec);
    spec.columns.set(c.column_name, {
      type: c.data_type === 'USER-DEFINED' ? `enum ${c.udt_name}` : c.type,
      nullable: c.is_nullable === 'YES',
      default: c.column_default,
    });
  }
  // Partial indexes (WHERE ...) cannot be said in schema.prisma; they live in the migration SQL.
  const idx = await pool.query<{ table_name: string; primary: boolean; unique: boolean; columns: string[] }>(
    `SELECT t.relname AS table_name, i.indisprimary AS primary, i.indisunique AS unique,
            array(SELECT a.attname FROM unnest(i.indkey) WITH ORDINALITY k(attnum, n)
                    JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum ORDER BY k.n)::text[] AS columns
       FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid JOIN pg_namespace ns ON ns.oid = t.relnamespace
      WHERE ns.nspname = 'public' AND t.relname <> '_prisma_migrations' AND i.indpred IS NULL`,
  );
  for (const i of idx.rows) {
    const spec = tables.get(i.table_name);
    if (!spec) continue;
    if (i.primary) spec.primaryKey = i.columns;
    else spec.indexes.push(`${i.unique ? 'unique' : 'index'}:${i.columns.join(',')}`);
  }
  const fks = await pool.query<{ table_name: string; columns: string[]; target: string; target_columns: string[]; on_delete: string }>(
    `SELECT t.relname AS table_name, r.relname AS target,
            array(SELECT a.attname FROM unnest(c.conkey) WITH ORDINALITY k(attnum, n)
                    JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum ORDER BY k.n)::text[] AS columns,
            array(SELECT a.attname FROM unnest(c.confkey) WITH ORDINALITY k(attnum, n)
                    JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.attnum ORDER BY k.n)::text[] AS target_columns,
            CASE c.confdeltype WHEN 'c' THEN 'cascade' WHEN 'r' THEN 'restrict' WHEN 'n' THEN 'set null'
                               WHEN 'a' THEN 'no action' WHEN 'd' THEN 'set default' END AS on_delete
       FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid JOIN pg_class r ON r.oid = c.confrelid
       JOIN pg_namespace ns ON ns.oid = t.relnamespace
      WHERE c.contype = 'f' AND ns.nspname = 'public'`,
  );
  for (const f of fks.rows) {
    tables
      .get(f.table_name)
      ?.foreignKeys.push(`${f.columns.join(',')} -> ${f.target}(${f.target_columns.join(',')}) on delete ${f.on_delete}`);
  }
  for (const spec of tables.values()) {
    spec.indexes.sort();
    spec.foreignKeys.sort();
  }
  const enums = new Map<string, string[]>();
  const en = await pool.query<{ name: string; value: string }>(
    `SELECT t.typname AS name, e.enumlabel AS value FROM pg_enum e JOIN pg_type t ON t.oid = e.enumtypid ORDER BY t.typname, e.enumsortorder`,
  );
  for (const e of en.rows) enums.set(e.name, [...(enums.get(e.name) ?? []), e.value]);
  return { tables, enums };
}

const plain = (tables: Map<string, TableSpec>) =>
  Object.fromEntries(
    [...tables].sort(([a], [b]) => a.localeCompare(b)).map(([t, s]) => [t, { ...s, columns: Object.fromEntries(s.columns) }]),
  );

describe('database schema: prisma/schema.prisma and the migrations agree', function () {
  let db: TestDatabase;
  let pool: pg.Pool;
  const poolErrors: Error[] = [];

  beforeEach(async () => {
    db = await createTestDatabase();
    pool = new pg.Pool({ connectionString: db.url, max: 2 });
    poolErrors.length = 0;
    pool.on('error', (err) => poolErrors.push(err));
  });
  afterEach(async () => {
    await pool.end();
    // pool.end() resolves before the server has closed those sessions, so the forced DROP below can
    // still terminate one ("administrator command"): only errors from the test itself count.
    const duringTest = [...poolErrors];
    await db.drop();
    assert.deepEqual(duringTest, []);
  });

  it('a freshly migrated database has exactly the tables, columns, types, nullability, defaults, keys, indexes, foreign keys and enums of the schema', async () => {
    await migrate(pool, createLogger('silent'), MIGRATIONS_DIR);
    const expected = parseSchema(await readFile(SCHEMA_FILE, 'utf8'));
    const actual = await readDatabase(pool);
    assert.ok(expected.tables.size >= 10, 'the schema parser found the models');
    assert.deepEqual(plain(actual.tables), plain(expected.tables));
    assert.deepEqual(Object.fromEntries(actual.enums), Object.fromEntries(expected.enums));
  });

  it('every timestamp is timestamptz, and values written before the conversion keep their UTC instant', async () => {
    // Migrate up to (not including) the conversion, write a row the way Prisma wrote UTC wall time,
    // then apply the rest from a session in another time zone: the instant must not move.
    const names = (await readdir(MIGRATIONS_DIR, { withFileTypes: true }))
      .filter((d) => d.isDirectory())
      .map((d) => d.name)
      .sort();
    const conversion = names.findIndex((n) => n.endsWith('_timestamptz'));
    assert.ok(conversion > 0, 'the timestamptz migration exists');
    const before = await mkdtemp(path.join(os.tmpdir(), 'migrations-before-'));
    try {
      for (const n of names.slice(0, conversion)) await cp(path.join(MIGRATIONS_DIR, n), path.join(before, n), { recursive: true });
      await migrate(pool, createLogger('silent'), before);
    } finally {
      await rm(before, { recursive: true, force: true });
    }
    await pool.query(`INSERT INTO identity (id, created_at) VALUES ('00000000-0000-4000-8000-000000000001', '2026-03-01 12:34:56.789')`);
    await pool.query(`ALTER DATABASE ${db.name} SET timezone TO 'America/New_York'`);
    await pool.end();
    pool = new pg.Pool({ connectionString: db.url, max: 2 });
    pool.on('error', (err) => poolErrors.push(err));
    await migrate(pool, createLogger('silent'), MIGRATIONS_DIR);
    const stored = await pool.query<{ created_at: Date }>('SELECT created_at FROM identity');
    assert.equal(stored.rows[0]?.created_at.toISOString(), '2026-03-01T12:34:56.789Z');
    const naive = await pool.query<{ table_name: string; column_name: string }>(
      `SELECT table_name, column_name FROM information_schema.columns
        WHERE table_schema = 'public' AND data_type = 'timestamp without time zone'`,
    );
    assert.deepEqual(naive.rows, [], 'no timestamp column is left without a time zone');
  });
});
