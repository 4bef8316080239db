# syntax=docker/dockerfile:1
# One image recipe for the demo services and the load generator, built from the workspace root:
#   docker build -f infra/compose/node-app.Dockerfile --build-arg APP=demo-gateway .
FROM node:20.19.1-alpine3.21 AS build
RUN npm install -g pnpm@12.4.2
WORKDIR /workspace
COPY . .
ARG APP
# The app, the workspace packages it depends on, and the root build tools (tsup, typescript).
RUN pnpm install --frozen-lockfile --filter "@ai-orchestrator/${APP}..." --filter ai-orchestrator-monitoring
RUN pnpm --filter "@ai-orchestrator/${APP}..." build
# A self-contained copy: the app's files and its production node_modules, workspace packages included.
RUN pnpm --filter "@ai-orchestrator/${APP}" --prod deploy --legacy /out && test -f /out/dist/index.js

FROM node:20.19.1-alpine3.21
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /out /app
USER node
ENTRYPOINT ["node", "dist/index.js"]
