import type { Response } from 'express';
import { escapeHtml } from './html.js';

/**
 * The page shell of every server-rendered page (the tester's form, the follow-up question, the digest
 * link's refusals, the guess limit's 429): one head, one phone-first style sheet. Features import it from
 * here, so no feature imports another's pages for it.
 */

const e = escapeHtml;

export function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${e(title)} · Groundtruth</title>
<style>
  *{box-sizing:border-box}
  body{font:16px/1.45 system-ui,-apple-system,sans-serif;margin:0;padding:1rem;max-width:40rem;margin-inline:auto;
    color:#1b1b1b}
  h1{font-size:1.35rem;margin:.2rem 0 1rem} h2{font-size:1.1rem;margin:1.5rem 0 .5rem}
  .task{background:#f3f6fa;border-radius:.5rem;padding:.75rem 1rem} .task p{margin:.3rem 0}
  fieldset{border:0;padding:0;margin:0 0 1rem} legend,label.block{font-weight:600;display:block;margin-bottom:.3rem}
  .choices{display:flex;flex-wrap:wrap;gap:.4rem}
  .choices label{display:inline-flex;align-items:center;gap:.3rem;border:1px solid #b8c2cc;border-radius:.4rem;
    padding:.45rem .7rem;min-height:44px}
  input[type=text],input[type=number],input[type=date],input[type=datetime-local],textarea{width:100%;font:inherit;
    padding:.55rem;border:1px solid #8a96a3;border-radius:.4rem;min-height:44px}
  textarea{min-height:6rem} .hint{color:#555;font-size:.9rem;margin:.2rem 0}
  .error{color:#b00020;font-weight:600;margin:.25rem 0} .has-error input,.has-error textarea{border-color:#b00020}
  button{font:inherit;font-weight:600;padding:.75rem 1.2rem;border-radius:.5rem;border:0;background:#0b57d0;color:#fff;
    min-height:48px;width:100%}
  button.secondary{background:#5f6368} .ok{background:#e6f4ea;border-radius:.5rem;padding:.75rem 1rem}
  .summary{background:#fdecea;border-radius:.5rem;padding:.5rem 1rem}
</style>
</head>
<body>
${body}
</body>
</html>`;
}

/** A page of a secret link: never cached, never indexed. */
export function sendPrivatePage(res: Response, status: number, html: string): void {
  res
    .status(status)
    .setHeader('Cache-Control', 'no-store')
    .setHeader('X-Robots-Tag', 'noindex')
    .type('html')
    .send(html);
}

export function messagePage(title: string, text: string): string {
  return page(title, `<h1>${e(title)}</h1><p>${e(text)}</p>`);
}
