import { renderDocument, renderFragment } from './jsx.js';

describe('server-side JSX', () => {
  it('escapes text and attribute values, so a name can never become markup', () => {
    const name = '<script>alert("x")</script> & co';
    const html = renderFragment(
      <p title={`"${name}"`} data-name={name}>
        {name}
      </p>,
    );
    expect(html).not.toContain('<script>');
    expect(html).toContain('>&lt;script>alert(&quot;x&quot;)&lt;/script> &amp; co</p>');
    expect(html).toContain('title="&quot;&lt;script>alert(&quot;x&quot;)&lt;/script> &amp; co&quot;"');
  });

  it('renders a whole document with its doctype', () => {
    expect(
      renderDocument(
        <html lang="en">
          <body>
            <h1>Groundtruth</h1>
          </body>
        </html>,
      ),
    ).toBe('<!doctype html><html lang="en"><body><h1>Groundtruth</h1></body></html>');
  });
});
