# Roster, built from this repository. `npm ci` compiles TypeScript (postinstall); the image then
# drops dev dependencies.
FROM node:20-bookworm-slim
WORKDIR /app
COPY package.json package-lock.json ./
COPY tsconfig.json tsconfig.build.json ormconfig.ts ./
COPY src ./src
COPY entities ./entities
COPY scim ./scim
COPY sso ./sso
COPY public ./public
COPY bin ./bin
# The embedded database's template (a fresh data directory, made once here) keeps a first start
# on an empty DATA_DIR inside a 512 MB container.
RUN npm ci --no-audit --no-fund && node dist/src/db/make-pgdata-template.js && npm prune --omit=dev
ENV NODE_ENV=production PORT=3000 DATA_DIR=/data
VOLUME /data
EXPOSE 3000
USER node
CMD ["node", "dist/src/server.js"]
