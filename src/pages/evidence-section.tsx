import { ACCEPTED_IN_WORDS, EVIDENCE_LIMITS } from '../evidence/evidence-rules.js';
import type { Evidence } from '../evidence/evidence.entity.js';

/** The evidence part of the tester's form: what is attached, a way to attach more, and what not to capture. */
export interface EvidenceSectionInfo {
  /** Where a file is posted (multipart, one part named `file`). */
  action: string;
  /** Where a file's removal is posted. */
  removeAction: (evidenceId: string) => string;
  items: Pick<Evidence, 'id' | 'fileName' | 'kind' | 'bytes' | 'metadataStripped'>[];
  /** Why the last file was refused, shown next to the field. */
  error?: string;
  /** In the console: the session's form token. */
  csrf?: string;
}

const MiB = 1024 * 1024;
/** The accept list only helps the phone's picker; the server reads the type from the content. */
const ACCEPT = 'image/jpeg,image/png,image/webp,application/pdf,audio/*';

const size = (bytes: number) =>
  bytes >= MiB ? `${(bytes / MiB).toFixed(1)} MB` : `${Math.max(1, Math.round(bytes / 1024))} kB`;

const Token = ({ csrf }: { csrf?: string }) => (csrf ? <input type="hidden" name="_csrf" value={csrf} /> : null);

/** Before the first save there is no contact to attach to yet. */
export function EvidenceLater() {
  return (
    <p class="hint">
      After you save, you can attach a screenshot, a photo of a ticket or letter, or a recording of your own side of the
      call.
    </p>
  );
}

export function EvidenceSection({ info }: { info: EvidenceSectionInfo }) {
  const full = info.items.length >= EVIDENCE_LIMITS.filesPerContact;
  return (
    <section id="evidence" aria-labelledby="evidence-heading">
      <h2 id="evidence-heading">Evidence (optional)</h2>
      <p>
        A screenshot, a photo of a ticket or letter, or a recording of <strong>your own side</strong> of a call, where
        recording it is lawful. <strong>Never photograph or record staff or other customers</strong>: the test judges
        the system, not a person.
      </p>
      <p class="hint">
        Only the quality team sees these files. Photos lose their location and camera details when attached; PDFs and
        recordings are kept exactly as they are, so check what they contain.
      </p>
      {info.items.length ? (
        <ul class="evidence-list">
          {info.items.map((e) => (
            <li key={e.id}>
              {e.fileName} ({e.kind}, {size(e.bytes)}){' '}
              <form method="post" action={info.removeAction(e.id)} class="inline">
                <Token csrf={info.csrf} />
                <button type="submit" class="secondary" aria-label={`Remove ${e.fileName}`}>
                  Remove
                </button>
              </form>
            </li>
          ))}
        </ul>
      ) : (
        <p>No files attached.</p>
      )}
      {full ? (
        <p class="hint">This contact has the most files it may carry ({EVIDENCE_LIMITS.filesPerContact}).</p>
      ) : (
        <form method="post" action={info.action} enctype="multipart/form-data" class={info.error ? 'has-error' : ''}>
          <Token csrf={info.csrf} />
          <label class="block" for="evidence-file">
            Attach a file
          </label>
          <p class="hint" id="evidence-file-hint">
            {ACCEPTED_IN_WORDS}; at most {EVIDENCE_LIMITS.fileBytes / MiB} MB a file and{' '}
            {EVIDENCE_LIMITS.filesPerContact} files.
          </p>
          <input
            type="file"
            id="evidence-file"
            name="file"
            accept={ACCEPT}
            required
            aria-describedby={info.error ? 'evidence-file-hint evidence-file-error' : 'evidence-file-hint'}
          />
          {info.error ? (
            <p class="error" id="evidence-file-error">
              {info.error}
            </p>
          ) : null}
          <p></p>
          <button type="submit" class="secondary">
            Attach
          </button>
        </form>
      )}
    </section>
  );
}
