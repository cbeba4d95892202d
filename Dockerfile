# syntax=docker/dockerfile:1

# --- build: compile TypeScript with the dev toolchain, then drop dev dependencies ---
FROM node:24-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# npm ci's preinstall runs the Node version check.
COPY scripts/require-node.cjs ./scripts/
RUN npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY src ./src
RUN npm run build && npm prune --omit=dev

# --- runtime: production dependencies and compiled code only, as a non-root user ---
FROM node:24-slim
ENV NODE_ENV=production \
    PORT=3000 \
    HOST=0.0.0.0 \
    DATA_DIR=/data
WORKDIR /app
COPY --from=build --chown=root:root /app/node_modules ./node_modules
COPY --from=build --chown=root:root /app/dist ./dist
COPY --chown=root:root package.json ./
# dist/main.js runs the Node version check before it loads anything else.
COPY --chown=root:root scripts/require-node.cjs ./scripts/
# The app writes only to DATA_DIR; everything else can be a read-only root filesystem.
RUN mkdir -p /data && chown node:node /data
# Numeric (the image's node user): Kubernetes' runAsNonRoot can only verify a numeric user.
USER 1000:1000
VOLUME ["/data"]
EXPOSE 3000
HEALTHCHECK --interval=15s --timeout=3s --start-period=10s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# The commit the image is built from, for `/plan status` (the image has no .git); last, so a
# new commit rebuilds no other layer:
# docker build --build-arg PLANBOT_COMMIT="$(git rev-parse --short HEAD)" .
ARG PLANBOT_COMMIT=""
ENV PLANBOT_COMMIT=${PLANBOT_COMMIT}
# node directly (not npm start) so SIGTERM reaches planbot and it stops cleanly; the V8 flags are
# the start script's (docs/operations.md says what each is for).
CMD ["node", "--max-semi-space-size=2", "--heap-growing-percent=30", "--max-opt=2", "--v8-pool-size=1", "dist/main.js"]
