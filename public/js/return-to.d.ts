// Types for the unit test (test/unit/return-to.test.ts); the browser loads return-to.js as is.
export function safeReturnTo(value: string | null | undefined, origin: string, fallback?: string): string;
