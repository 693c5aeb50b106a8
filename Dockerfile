# syntax=docker/dockerfile:1
# Inbox Chat server image. Three stages: `build` has the dev dependencies and generates the
# Prisma client and the browser bundles; `deps` is the small production install; the final
# image holds only those two plus the sources the server runs (TypeScript, run by tsx).
# test/backend/deploy.test.ts runs the `deps` stage's RUN line, this CMD and this HEALTHCHECK
# outside Docker (no engine on CI), so keep them one line each.
ARG NODE_IMAGE=node:24-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
COPY scripts ./scripts
# --ignore-scripts: the build step below does generate + build once all sources are in.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY . .
RUN npm run generate && npm run build

FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
COPY scripts ./scripts
# --omit=optional too: npm keeps the Prisma CLI and TypeScript under --omit=dev alone, because
# they are optional peers of @prisma/client; it also leaves out the embedded PostgreSQL.
RUN npm run install:prod

FROM ${NODE_IMAGE}
ENV NODE_ENV=production HOST=0.0.0.0 PORT=3000 DATA_DIR=/data INBOUND_SMTP_PORT=2525
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY package.json tsconfig.json manifest.xml ./
COPY scripts ./scripts
COPY protocol ./protocol
COPY mail-client ./mail-client
COPY prisma ./prisma
COPY backend ./backend
COPY ui/src ./ui/src
COPY --from=build /app/backend/src/generated ./backend/src/generated
COPY --from=build /app/dist ./dist
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 3000 2525
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 CMD ["node", "-e", "fetch(`http://127.0.0.1:${process.env.PORT}/readyz`).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# node itself (not npm) is PID 1's child-free process, so SIGTERM reaches the server's graceful shutdown.
CMD ["node", "--import", "tsx", "backend/src/main.ts"]
