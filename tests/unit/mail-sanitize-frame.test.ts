import { parseDocument, DomUtils } from 'htmlparser2';
import { describe, expect, it } from 'vitest';
import { attachmentKind, readerFrameCsp, readerSrcdoc } from '../../renderer/src/views/courrier/reader-document.js';

describe('reading pane frame document', () => {
  it('has a CSP that allows only inline styles and data: images while remote content is blocked', () => {
    expect(readerFrameCsp(false)).toBe("default-src 'none'; img-src data:; style-src 'unsafe-inline'; font-src 'none'; form-action 'none'");
    expect(readerFrameCsp(true)).toBe(
      "default-src 'none'; img-src data: https: http:; style-src 'unsafe-inline'; font-src 'none'; form-action 'none'",
    );
  });

  it('puts the CSP meta first in <head>, before any message content', () => {
    const doc = parseDocument(readerSrcdoc('<p>Bonjour</p><meta http-equiv="Content-Security-Policy" content="default-src *">', false));
    const metas = DomUtils.getElementsByTagName('meta', doc.children);
    expect(metas[0].attribs['http-equiv']).toBe('Content-Security-Policy');
    expect(metas[0].attribs.content).toBe(readerFrameCsp(false));
    const head = DomUtils.getElementsByTagName('head', doc.children)[0];
    expect(DomUtils.getChildren(head)[0]).toBe(metas[0]);
    expect(DomUtils.getElementsByTagName('script', doc.children)).toHaveLength(0);
  });

  it('names the kind of an attachment from its type or extension', () => {
    expect(attachmentKind({ mimeType: 'application/pdf', filename: 'a.pdf' })).toBe('pdf');
    expect(attachmentKind({ mimeType: 'application/octet-stream', filename: 'compte rendu.ODT' })).toBe('document');
    expect(attachmentKind({ mimeType: 'application/vnd.oasis.opendocument.spreadsheet', filename: null })).toBe('spreadsheet');
    expect(attachmentKind({ mimeType: 'image/png', filename: 'logo.png' })).toBe('image');
    expect(attachmentKind({ mimeType: 'application/zip', filename: 'archive.zip' })).toBe('archive');
    expect(attachmentKind({ mimeType: 'application/x-unknown', filename: 'x.bin' })).toBe('other');
  });
});
