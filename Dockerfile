# syntax=docker/dockerfile:1
# One image for the four apps and the migration; the command picks which one runs, e.g.
#   docker run hookledger node dist/apps/dispatcher/main.js
# (docker-compose.yml runs them all.)

FROM node:20-bookworm-slim AS build
WORKDIR /app
# package.json's "allowScripts" (which packages may run install scripts) is read by npm 11.
RUN npm install --global npm@11
COPY package.json package-lock.json ./
RUN npm ci
COPY . .
RUN npm run build && npm prune --omit=dev

FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production
# The apps' V8 heap limit, as npm start sets it (scripts/node-options.js).
ENV NODE_OPTIONS=--max-old-space-size=160
WORKDIR /app
# Owned by root and read-only for the app user: the running process cannot alter its own code.
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
USER node
EXPOSE 3000 3001 3002 3003
CMD ["node", "dist/apps/api-gateway/main.js"]
