// Every instrumentation off: unit tests make their spans by hand and patch no module.
export const NO_INSTRUMENTATIONS = {
  http: false,
  express: false,
  fastify: false,
  koa: false,
  undici: false,
  ioredis: false,
} as const;
