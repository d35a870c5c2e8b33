import nodemailer, { type Transporter } from 'nodemailer'
import type SMTPTransport from 'nodemailer/lib/smtp-transport'
import type { Database } from '#db/client.ts'
import {
	claimDueEmails,
	insertEmail,
	markEmailAttemptFailed,
	markEmailSent,
	type EmailRow,
} from '#db/queries/notifications.ts'

export interface MailerOptions {
	/** smtp:// or smtps:// URL (nodemailer's form). Unset: every email stays in the outbox for the developer. */
	smtpUrl?: string
	/** The From header. Default `Scholion <scholion@localhost>`. */
	from: string
	/** Wait before each retry of a failed send, in ms; after the last, the email is kept as failed with its error. */
	retryDelaysMs: readonly number[]
	/** How often due emails (retries) are looked for, in ms. Default 15 s. */
	pollMs: number
	/** How long a claimed email is left to its sender before another process may take it, in ms. Default 2 min. */
	leaseMs: number
}

export const defaultMailerOptions: MailerOptions = {
	from: 'Scholion <scholion@localhost>',
	retryDelaysMs: [60_000, 5 * 60_000, 30 * 60_000, 2 * 60 * 60_000],
	pollMs: 15_000,
	leaseMs: 2 * 60_000,
}

export interface OutgoingEmail {
	recipientId: string | null
	to: string
	subject: string
	text: string
}

/**
 * Every email is first a row in email_outbox, then (with SMTP) sent from
 * there: a crash, a refused connection or a missing SMTP_URL never loses
 * one. Without SMTP the rows stay with status `outbox` for the developer to
 * read (/dev/outbox). Failures are retried on `retryDelaysMs`; the error of
 * each attempt is kept on the row.
 */
export class Mailer {
	readonly options: MailerOptions
	private readonly transport: Transporter | null
	private timer: NodeJS.Timeout | null = null
	private delivering: Promise<unknown> | null = null
	private again = false

	constructor(
		private readonly db: Database,
		options: Partial<MailerOptions> = {},
	) {
		this.options = { ...defaultMailerOptions, ...options }
		this.transport = this.options.smtpUrl
			? nodemailer.createTransport({
					url: this.options.smtpUrl,
					// nodemailer's defaults wait minutes; a stuck server should cost one retry, not a lease.
					connectionTimeout: 10_000,
					greetingTimeout: 10_000,
					socketTimeout: 30_000,
				} as SMTPTransport.Options)
			: null
	}

	get smtp(): boolean {
		return this.transport !== null
	}

	/** Writes the email to the outbox and, with SMTP, starts sending it. */
	async send(email: OutgoingEmail): Promise<EmailRow> {
		const row = await insertEmail(this.db, {
			recipientId: email.recipientId,
			toAddress: email.to,
			subject: email.subject,
			text: email.text,
			status: this.transport ? 'pending' : 'outbox',
		})
		if (this.transport) void this.deliverDue()
		return row
	}

	/** Sends what is due now (new emails and retries); one run at a time per process. */
	deliverDue(now?: Date): Promise<unknown> {
		if (!this.transport) return Promise.resolve()
		if (this.delivering) {
			// A run asked for a given moment must look at that moment, not join one that looks at another.
			if (now) return this.delivering.then(() => this.deliverDue(now))
			this.again = true
			return this.delivering
		}
		this.delivering = this.run(now).finally(() => {
			this.delivering = null
			if (this.again) {
				this.again = false
				void this.deliverDue()
			}
		})
		return this.delivering
	}

	/** Starts looking for due retries every `pollMs` (unref'd: it never keeps the process alive). */
	start() {
		if (!this.transport || this.timer) return
		this.timer = setInterval(() => void this.deliverDue(), this.options.pollMs)
		this.timer.unref()
	}

	async close() {
		if (this.timer) clearInterval(this.timer)
		this.timer = null
		await this.delivering?.catch(() => {})
		this.transport?.close()
	}

	private async run(now = new Date()) {
		const transport = this.transport!
		for (;;) {
			const due = await claimDueEmails(this.db, now, this.options.leaseMs, 20)
			if (due.length === 0) return
			for (const email of due) {
				try {
					await transport.sendMail({ from: this.options.from, to: email.toAddress, subject: email.subject, text: email.text })
					await markEmailSent(this.db, email.id, new Date())
				} catch (error) {
					const message = error instanceof Error ? error.message : String(error)
					const delay = this.options.retryDelaysMs[email.attempts - 1]
					console.error(`[mail] sending "${email.subject}" to ${email.toAddress} failed (attempt ${email.attempts}${delay === undefined ? ', giving up' : ''}): ${message}`)
					await markEmailAttemptFailed(this.db, email.id, message, delay === undefined ? null : new Date(Date.now() + delay))
				}
			}
			if (due.length < 20) return
		}
	}
}
