import type { Response } from 'express';
import type { ComponentChildren } from 'preact';

import { renderDocument } from './jsx.js';

/**
 * The page shell of every server-rendered page (the console, the tester's form, the follow-up question, the
 * digest link's refusals, the guess limit's 429): one head, one phone-first style sheet. Features import it
 * from here, so no feature imports another's pages for it.
 */

/** The one style sheet: phone first; the console widens to the screen (390 px to 1280 px and beyond). */
export const STYLE = `
*{box-sizing:border-box}
body{font:16px/1.45 system-ui,-apple-system,sans-serif;margin:0;padding:1rem;max-width:40rem;margin-inline:auto;
  color:#1b1b1b;background:#fff}
h1{font-size:1.35rem;margin:.2rem 0 1rem} h2{font-size:1.1rem;margin:1.5rem 0 .5rem}
a{color:#0b57d0} a:hover{text-decoration-thickness:2px}
:focus-visible{outline:3px solid #e37400;outline-offset:2px}
.task{background:#f3f6fa;border-radius:.5rem;padding:.75rem 1rem} .task p{margin:.3rem 0}
fieldset{border:0;padding:0;margin:0 0 1rem;min-width:0} legend,label.block{font-weight:600;display:block;margin-bottom:.3rem}
.choices{display:flex;flex-wrap:wrap;gap:.4rem}
.choices label{display:inline-flex;align-items:center;gap:.3rem;border:1px solid #b8c2cc;border-radius:.4rem;
  padding:.45rem .7rem;min-height:44px}
.choices label.none{border-style:dashed;color:#4a4f55}
input[type=text],input[type=email],input[type=search],input[type=number],input[type=date],input[type=datetime-local],
select,textarea{width:100%;font:inherit;padding:.55rem;border:1px solid #6b7785;border-radius:.4rem;min-height:44px;
  background:#fff;color:inherit}
textarea{min-height:6rem} .hint{color:#4a4f55;font-size:.9rem;margin:.2rem 0}
.error{color:#b00020;font-weight:600;margin:.25rem 0} .has-error input,.has-error textarea,.has-error select{
  border-color:#b00020}
button{font:inherit;font-weight:600;padding:.75rem 1.2rem;border-radius:.5rem;border:0;background:#0b57d0;color:#fff;
  min-height:48px;width:100%;cursor:pointer}
button.secondary{background:#5f6368} .ok{background:#e6f4ea;border-radius:.5rem;padding:.75rem 1rem}
.summary{background:#fdecea;border-radius:.5rem;padding:.5rem 1rem}
.evidence-list{padding-left:1.2rem} .evidence-list li{margin:.3rem 0;overflow-wrap:anywhere}
form.inline{display:inline} form.inline button{width:auto;min-height:44px;padding:.3rem .8rem}
input[type=file]{font:inherit;max-width:100%;min-height:44px}
body.console{max-width:none;padding:0}
.skip{position:absolute;left:-999px;top:0;background:#fff;padding:.5rem 1rem;z-index:2}
.skip:focus{left:.5rem}
.topbar{display:flex;flex-wrap:wrap;align-items:center;gap:.5rem 1rem;padding:.6rem 1rem;background:#0f2a4a;color:#fff}
.topbar a{color:#fff} .topbar .brand{font-weight:700;font-size:1.1rem;text-decoration:none;margin-right:auto}
.topbar form{margin:0} .topbar button,button.link{width:auto;min-height:44px;padding:.4rem .8rem;background:transparent;
  border:1px solid currentColor;color:inherit;font-weight:600}
.sections{background:#eef2f7;border-bottom:1px solid #d3dae3}
.sections ul{list-style:none;margin:0;padding:.25rem .5rem;display:flex;flex-wrap:wrap;gap:.25rem}
.sections a{display:inline-block;padding:.6rem .75rem;min-height:44px;border-radius:.4rem;color:#0f2a4a}
.sections a[aria-current=page]{background:#0f2a4a;color:#fff}
main{padding:1rem;max-width:80rem;margin-inline:auto}
.flash{background:#e6f4ea;border-left:4px solid #137333;padding:.75rem 1rem;border-radius:.25rem}
.cards{list-style:none;padding:0;display:grid;gap:1rem;grid-template-columns:repeat(auto-fill,minmax(15rem,1fr))}
.cards li{border:1px solid #c5ccd5;border-radius:.5rem;padding:1rem}
.cards h2{margin:0 0 .4rem} .cards p{margin:0;color:#4a4f55}
.table-wrap{overflow-x:auto} table{border-collapse:collapse;width:100%}
th,td{text-align:left;padding:.5rem;border-bottom:1px solid #d3dae3;vertical-align:top}
caption{text-align:left;font-weight:600;padding:.25rem 0}
.paging{display:flex;gap:1rem;align-items:center;flex-wrap:wrap;margin:.75rem 0}
.empty{border:1px dashed #8a96a3;border-radius:.5rem;padding:1rem;color:#3c4043}
.field{margin:0 0 1rem} .field label{font-weight:600;display:block;margin-bottom:.3rem}
.narrow{max-width:28rem}
.results-chart{width:100%;max-width:45rem;height:auto;display:block}
.metrics{display:grid;gap:0 2rem;grid-template-columns:repeat(auto-fill,minmax(20rem,1fr))}
.filters{display:grid;gap:0 1rem;grid-template-columns:repeat(auto-fill,minmax(12rem,1fr));align-items:end}
@media (min-width:48rem){button{width:auto}}
`;

/** A whole page: `wide` for the console's layout, else the narrow phone-first column of the link pages. */
export function Document(props: { title: string; wide?: boolean; children?: ComponentChildren }) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="robots" content="noindex" />
        <title>{`${props.title} · Groundtruth`}</title>
        <style dangerouslySetInnerHTML={{ __html: STYLE }} />
      </head>
      <body class={props.wide ? 'console' : undefined}>{props.children}</body>
    </html>
  );
}

/** A page around a body already rendered to HTML (the pages still built as strings: the tester's form). */
export function page(title: string, body: string): string {
  return renderDocument(
    <Document title={title}>
      <div dangerouslySetInnerHTML={{ __html: body }} />
    </Document>,
  );
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
  return renderDocument(
    <Document title={title}>
      <h1>{title}</h1>
      <p>{text}</p>
    </Document>,
  );
}
