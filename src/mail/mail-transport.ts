import { mkdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';

import { Injectable, OnModuleDestroy } from '@nestjs/common';
import nodemailer from 'nodemailer';
import type { NodemailerError, SendMailOptions, Transporter } from 'nodemailer';

import { AppConfig } from '../config/app-config.js';
import type { OutboxMessage } from './outbox-message.entity.js';

/**
 * Hands one outbox message to the mail system: SMTP when `SMTP_URL` is set, otherwise an .eml file
 * under `<dataDir>/mail/` (development, demos). Resolves once the message is accepted, else throws
 * nodemailer's error (with `code`, `responseCode`, `permanent`) for the sender to judge.
 */
@Injectable()
export class MailTransport implements OnModuleDestroy {
  readonly kind: 'smtp' | 'file';
  private readonly transporter: Transporter;

  constructor(private readonly config: AppConfig) {
    const common = { disableFileAccess: true, disableUrlAccess: true };
    if (config.smtpUrl) {
      this.kind = 'smtp';
      // a fresh connection per message; timeouts well inside the sender's 2-minute lease
      this.transporter = nodemailer.createTransport({
        url: config.smtpUrl,
        pool: false,
        connectionTimeout: 10_000,
        greetingTimeout: 10_000,
        socketTimeout: 30_000,
        ...common,
      });
    } else {
      this.kind = 'file';
      this.transporter = nodemailer.createTransport({
        streamTransport: true,
        buffer: true,
        newline: 'windows',
        ...common,
      });
    }
  }

  /** Sends the message; returns the server's reply, or the path of the written file. */
  async send(message: OutboxMessage): Promise<string> {
    const info = await this.transporter.sendMail(this.compose(message));
    if (this.kind === 'file') return this.writeEml(message, info.message as Buffer);
    const rejected = (info.rejected ?? []) as unknown[];
    if (rejected.length > 0) {
      const error: NodemailerError = new Error(`Recipient rejected: ${info.response ?? ''}`);
      error.code = 'EENVELOPE';
      error.rejected = rejected.map(String);
      throw error;
    }
    return String(info.response ?? '');
  }

  private compose(message: OutboxMessage): SendMailOptions {
    return {
      from: this.config.mailFrom,
      to: message.recipient,
      subject: message.subject,
      text: message.textBody,
      ...(message.htmlBody !== null ? { html: message.htmlBody } : {}),
      messageId: message.messageId,
      date: message.createdAt,
      attachments: message.attachments.map((a) => ({
        filename: a.filename,
        contentType: a.contentType,
        content: Buffer.from(a.content, 'base64'),
        ...(a.cid ? { cid: a.cid } : {}),
      })),
    };
  }

  /** Same message, same file name: a resend after a crash overwrites rather than duplicates. */
  private async writeEml(message: OutboxMessage, raw: Buffer): Promise<string> {
    const file = emlPath(this.config.dataDir, message);
    await mkdir(path.dirname(file), { recursive: true });
    // written whole or not at all: a reader never sees half a message
    await writeFile(`${file}.tmp`, raw);
    await rename(`${file}.tmp`, file);
    return file;
  }

  onModuleDestroy(): void {
    this.transporter.close();
  }
}

/** Where the file outbox writes a message: `<dataDir>/mail/<created>-<message id>.eml`. */
export function emlPath(dataDir: string, message: Pick<OutboxMessage, 'messageId' | 'createdAt'>): string {
  const stamp = message.createdAt.toISOString().replace(/[:.]/g, '-');
  const id = message.messageId.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^_+|_+$/g, '');
  return path.join(path.resolve(dataDir, 'mail'), `${stamp}-${id}.eml`);
}
