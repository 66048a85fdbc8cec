/**
 * Plain HTML pages for the browser endpoints (no scripts: the CSP forbids inline ones anyway).
 * They name the reason class and the request id, never the internal detail.
 */
import type { Response } from "express";

const escape = (s: string) => s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);

export function renderErrorPage(res: Response, status: number, message: string, reason: string, requestId: string): void {
  res.status(status).type("html").set("Cache-Control", "no-store").send(`<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Sign-in failed</title></head>
<body>
<main>
<h1>Sign-in failed</h1>
<p>${escape(message)}</p>
<p>Reason: <code>${escape(reason)}</code><br>Request id: <code>${escape(requestId)}</code></p>
<p><a href="/">Back to sign-in</a></p>
</main>
</body>
</html>
`);
}
