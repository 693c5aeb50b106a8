import { defineConfig } from 'prisma/config';

// The datasource URL is only needed by Prisma's CLI on a machine with its schema engine
// (e.g. `prisma migrate status`). The app applies migrations with its own migrator.
export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  datasource: { url: process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres' },
});
