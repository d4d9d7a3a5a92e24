const HTML_ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
// XML's own five: &apos; rather than &#39; (older HTML readers know only the numeric one)
const XML_ENTITIES: Record<string, string> = { ...HTML_ENTITIES, "'": '&apos;' };

const escapeWith = (entities: Record<string, string>) => (text: string) => text.replace(/[&<>"']/g, (c) => entities[c]);

/** Text into HTML (element content or a quoted attribute). */
export const escapeHtml = escapeWith(HTML_ENTITIES);

/** Text into XML or SVG (element content or a quoted attribute). */
export const escapeXml = escapeWith(XML_ENTITIES);
