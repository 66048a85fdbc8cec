// @swc/jest compiles TypeScript (legacy decorators + metadata, as TypeORM needs) and the
// ESM-only dependencies below to CommonJS; `tsc --noEmit` type-checks separately.
const swcTs = ["@swc/jest", { jsc: { parser: { syntax: "typescript", decorators: true },
  transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false },
  target: "es2022" }, module: { type: "commonjs" } }];
const swcJs = ["@swc/jest", { jsc: { parser: { syntax: "ecmascript" }, target: "es2022" }, module: { type: "commonjs" } }];
const esmOnly = ["openid-client", "oauth4webapi", "jose", "oidc-provider", "playwright-core"];
module.exports = {
  testEnvironment: "node",
  testMatch: ["<rootDir>/test/**/*.test.ts"],
  transform: { "^.+\\.tsx?$": swcTs, "^.+\\.m?js$": swcJs },
  transformIgnorePatterns: [`/node_modules/(?!(${esmOnly.join("|")})/)`],
  globalSetup: "<rootDir>/test/support/global-setup.ts",
  globalTeardown: "<rootDir>/test/support/global-teardown.ts",
  testTimeout: 30000,
  maxWorkers: 2,
};
