/**
 * The URL of this module, from which the package resolves what sits beside it (Fastify's own
 * find-my-way). The CommonJS build, which cannot contain `import.meta`, compiles own-url.cjs.ts in its
 * place (tsconfig.cjs.json `moduleSuffixes`; scripts/build-cjs.ts renames the output).
 */
export const ownUrl: string = import.meta.url
