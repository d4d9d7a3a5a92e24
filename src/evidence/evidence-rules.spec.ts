import { acceptedType, EVIDENCE_LIMITS, isFieldError, keptFileName, roomFor } from './evidence-rules.js';

describe('acceptedType', () => {
  it('takes images, PDFs and audio by the type found in the bytes', () => {
    expect(acceptedType('image/jpeg')).toMatchObject({ kind: 'image', extension: 'jpg' });
    expect(acceptedType('application/pdf')).toMatchObject({ kind: 'pdf', extension: 'pdf' });
    expect(acceptedType('audio/x-m4a')).toMatchObject({ kind: 'audio', contentType: 'audio/mp4' });
  });

  it('refuses everything else with the field and rule named, and says what to do about HEIC', () => {
    for (const mime of [undefined, 'text/html', 'image/svg+xml', 'application/zip', 'video/mp4', 'image/heic']) {
      const refusal = acceptedType(mime);
      expect(isFieldError(refusal) && [refusal.field, refusal.rule]).toEqual(['file', 'fileType']);
    }
    const messageOf = (mime: string) => (acceptedType(mime) as { message: string }).message;
    expect(messageOf('image/heic')).toMatch(/JPEG/);
    expect(messageOf('video/mp4')).toMatch(/is a video/);
  });
});

describe('roomFor', () => {
  const { filesPerContact, contactBytes } = EVIDENCE_LIMITS;

  it('lets a file in up to the count and the total, and not one byte or one file past', () => {
    expect(roomFor({ files: filesPerContact - 1, bytes: 0 }, 1)).toBeNull();
    expect(roomFor({ files: 1, bytes: contactBytes - 10 }, 10)).toBeNull();
    expect(roomFor({ files: 1, bytes: contactBytes - 10 }, 11)).toMatchObject({ rule: 'contactBytes' });
    expect(roomFor({ files: filesPerContact, bytes: 0 }, 1)).toMatchObject({ rule: 'filesPerContact' });
  });
});

describe('keptFileName', () => {
  it("keeps the uploader's name without folders or markup, with the real type's extension", () => {
    expect(keptFileName('C:\\Users\\ann\\IMG_0042.HEIC', 'jpg')).toBe('IMG_0042.jpg');
    expect(keptFileName('../../etc/passwd', 'pdf')).toBe('passwd.pdf');
    expect(keptFileName('<img src=x onerror=alert(1)>.png', 'png')).toBe('img src_x onerror_alert(1).png');
    expect(keptFileName('"quoted"\r\nname.pdf', 'pdf')).toBe('quoted_name.pdf');
    expect(keptFileName('Zählerstand März.jpg', 'jpg')).toBe('Zählerstand März.jpg');
    expect(keptFileName('', 'wav')).toBe('evidence.wav');
    expect(keptFileName('...', 'wav')).toBe('evidence.wav');
    expect(keptFileName(`${'a'.repeat(300)}.pdf`, 'pdf')).toBe(`${'a'.repeat(100)}.pdf`);
  });
});
