import { mailDocument } from '../mail/mail-document.js';

/** The HTML part of the mail that carries a re-issued digest link. */
export function digestLinkMailHtml(d: { name: string; period: string; link: string; until: string }): string {
  return mailDocument(
    <>
      <p>
        A new link to the digest <strong>{d.name}</strong> for {d.period}:
      </p>
      <p>
        <a href={d.link}>Open the digest</a>
      </p>
      <p>It opens the digest until {d.until}.</p>
    </>,
  );
}
