import type { AddressInfo } from 'node:net';
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
      // kept before the reply, so a sender that got its 250 finds the message here
      simpleParser(stream).then(
        (parsed) => {
          messages.push(parsed);
          callback();
        },
        (error: Error) => callback(rejection(451, `Unparseable: ${error.message}`)),
      );
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
        if (Date.now() > until) throw new Error(`expected ${n} message(s) within ${timeoutMs} ms, got ${messages.length}`);
        await new Promise((r) => setTimeout(r, 20));
      }
      return messages;
    },
  };
}
