import type { ComponentChildren } from 'preact';

import { renderDocument } from '../common/jsx.js';

/** Mail programs drop style sheets and classes unevenly: every mail's HTML part carries its style inline. */
const BODY_STYLE = 'font-family:system-ui,sans-serif;max-width:36em;margin:auto;line-height:1.5';

/** The HTML part of a business mail: one narrow column (it reads on a phone), with an optional heading. */
export function mailDocument(body: ComponentChildren, title?: string): string {
  return renderDocument(
    <html lang="en">
      <body style={BODY_STYLE}>
        {title === undefined ? null : <h1 style="font-size:1.3em">{title}</h1>}
        {body}
      </body>
    </html>,
  );
}
