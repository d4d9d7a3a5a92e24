import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';

import { simpleParser } from 'mailparser';
import type { ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import type { SMTPServerOptions } from 'smtp-server';

/** Where a planned failure answers: at RCPT TO (the envelope) or after DATA (the message). */
export type FailureStage = 'rcpt' | 'data';

export interface SmtpSink {
  port: number;
  /** `smtp://127.0.0.1:<port>`, for SMTP_URL. */
  url: string;
  /** Every accepted message, parsed, in the order it arrived. */
  messages: ParsedMail[];
  /** Every planned failure that was answered, in order. */
  rejections: Array<{ stage: FailureStage; code: number; to: string[] }>;
  /** Answers the next `count` messages (stage 'data') or recipients (stage 'rcpt') with `code`, then accepts again. */
  failNext(code: number, count?: number, stage?: FailureStage): void;
  /**
   * The message after the next `after` ones is read in full but not answered until `release()`;
   * `held` resolves once it waits. If the client goes away first (its process killed), the message
   * is discarded, as a server discards a transaction it never acknowledged.
   */
  holdNext(after?: number): { held: Promise<void>; release(): void };
  /** Stops listening (connections are refused: "SMTP is down") until `start`. */
  stop(): Promise<void>;
  /** Listens again on the same port. */
  start(): Promise<void>;
  close(): Promise<void>;
  /** Resolves once at least `n` messages have arrived; rejects after `timeoutMs`. */
  waitFor(n: number, timeoutMs?: number): Promise<ParsedMail[]>;
}

function rejection(code: number, text: string): Error & { responseCode: number } {
  return Object.assign(new Error(text), { responseCode: code });
}

/** A real SMTP server on 127.0.0.1 that keeps what it receives and fails on request. */
export async function startSmtpSink(): Promise<SmtpSink> {
  const messages: ParsedMail[] = [];
  const rejections: SmtpSink['rejections'] = [];
  const planned: Array<{ code: number; stage: FailureStage }> = [];
  const takePlanned = (stage: FailureStage) => (planned[0]?.stage === stage ? planned.shift() : undefined);
  const holds: Array<{ at: number; onHeld: () => void; released: Promise<void> }> = [];
  let received = 0;
  // a held message's session, to learn when its client is gone
  const closed = new Map<string, () => void>();
  const accept = (stream: NodeJS.ReadableStream, callback: (error?: Error | null) => void) =>
    // kept before the reply, so a sender that got its 250 finds the message here
    simpleParser(stream as never).then(
      (parsed) => {
        messages.push(parsed);
        callback();
      },
      (error: Error) => callback(rejection(451, `Unparseable: ${error.message}`)),
    );

  const options: SMTPServerOptions = {
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    closeTimeout: 500,
    onRcptTo(address, _session, callback) {
      const failure = takePlanned('rcpt');
      if (!failure) return callback();
      rejections.push({ stage: 'rcpt', code: failure.code, to: [address.address] });
      callback(rejection(failure.code, `Planned failure for ${address.address}`));
    },
    onData(stream, session, callback) {
      const failure = takePlanned('data');
      if (failure) {
        stream.on('end', () => {
          rejections.push({ stage: 'data', code: failure.code, to: session.envelope.rcptTo.map((r) => r.address) });
          callback(rejection(failure.code, 'Planned failure for this message'));
        });
        stream.resume();
        return;
      }
      const index = received++;
      const hold = holds.find((h) => h.at === index);
      if (hold) {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          const gone = new Promise<'gone'>((resolve) => closed.set(session.id, () => resolve('gone')));
          hold.onHeld();
          void Promise.race([hold.released, gone]).then((how) => {
            closed.delete(session.id);
            if (how === 'gone') return;
            void accept(Readable.from(Buffer.concat(chunks)), callback);
          });
        });
        return;
      }
      void accept(stream, callback);
    },
    onClose(session) {
      closed.get(session.id)?.();
    },
  };

  let server: SMTPServer | null = null;
  let port = 0;
  const listen = () =>
    new Promise<void>((resolve, reject) => {
      const s = new SMTPServer(options);
      s.on('error', () => undefined); // a client dropping mid-session is not the sink's failure
      s.server.once('error', reject);
      s.listen(port, '127.0.0.1', () => {
        port = (s.server.address() as AddressInfo).port;
        server = s;
        resolve();
      });
    });
  const shutdown = () =>
    new Promise<void>((resolve) => {
      const s = server;
      server = null;
      if (!s) return resolve();
      s.close(() => resolve());
    });

  await listen();
  return {
    port,
    url: `smtp://127.0.0.1:${port}`,
    messages,
    rejections,
    holdNext(after = 0) {
      let onHeld!: () => void;
      let release!: () => void;
      const held = new Promise<void>((resolve) => (onHeld = resolve));
      const released = new Promise<void>((resolve) => (release = resolve));
      holds.push({ at: received + after, onHeld, released });
      return { held, release };
    },
    failNext(code, count = 1, stage = 'data') {
      for (let i = 0; i < count; i++) planned.push({ code, stage });
    },
    stop: shutdown,
    async start() {
      if (!server) await listen();
    },
    close: shutdown,
    async waitFor(n, timeoutMs = 5_000) {
      const until = Date.now() + timeoutMs;
      while (messages.length < n) {
        if (Date.now() > until)
          throw new Error(`expected ${n} message(s) within ${timeoutMs} ms, got ${messages.length}`);
        await new Promise((r) => setTimeout(r, 20));
      }
      return messages;
    },
  };
}
