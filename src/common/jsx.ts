import type { VNode } from 'preact';
import { renderToString } from 'preact-render-to-string';

/**
 * Server-side JSX (preact, `jsxImportSource` in tsconfig.json): templates are type-checked, and every text child and
 * attribute value is escaped when rendered, so a name or a note can never become markup. Raw HTML goes in only
 * through `dangerouslySetInnerHTML`, which a reviewer can find by name.
 */
export function renderDocument(root: VNode): string {
  return `<!doctype html>${renderToString(root)}`;
}

/** A fragment (an email part, a table), rendered and escaped the same way. */
export function renderFragment(node: VNode): string {
  return renderToString(node);
}
