import type { Response } from 'express';
import type { ComponentChildren, VNode } from 'preact';

import type { CurrentSession } from '../../auth/sessions/sessions.service.js';
import { renderDocument } from '../../common/jsx.js';
import { Document, sendPrivatePage } from '../../common/page-shell.js';
import { CsrfField, Flash } from './components.js';
import { sectionOf, sectionsFor } from './sections.js';

/**
 * Every signed-in console page: the product name, the person, sign-out, the sections their roles may use, and the
 * message a POST left (flash). Landmarks (header, nav, main) and a skip link for keyboard users.
 */
export function Layout(props: { session: CurrentSession; path: string; title: string; children?: ComponentChildren }) {
  const { session } = props;
  const current = sectionOf(props.path);
  return (
    <Document title={props.title} wide>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header class="topbar">
        <a class="brand" href="/">
          Groundtruth
        </a>
        <span>
          Signed in as <strong>{session.name}</strong>
        </span>
        <a href="/sessions">My sessions</a>
        <form method="post" action="/signout">
          <CsrfField token={session.csrfToken} />
          <button type="submit">Sign out</button>
        </form>
      </header>
      <nav class="sections" aria-label="Sections">
        <ul>
          {sectionsFor(session.actor.roles).map((s) => (
            <li key={s.href}>
              <a href={s.href} aria-current={current === s ? 'page' : undefined}>
                {s.label}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      <main id="main">
        <Flash text={session.flash} />
        <h1>{props.title}</h1>
        {props.children}
      </main>
    </Document>
  );
}

/** A page for someone not signed in (sign-in, its link, refusals): the narrow column, no nav. */
export function SignedOutLayout(props: { title: string; children?: ComponentChildren }) {
  return (
    <Document title={props.title}>
      <main id="main">
        <h1>{props.title}</h1>
        {props.children}
      </main>
    </Document>
  );
}

/** Sends a console page: rendered, never cached (it is one person's), never indexed. */
export function sendPage(res: Response, status: number, page: VNode): void {
  sendPrivatePage(res, status, renderDocument(page));
}
