import type { AddressInfo } from 'node:net'
import { eq } from 'drizzle-orm'
import { SMTPServer } from 'smtp-server'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import * as Y from 'yjs'
import { createUser, findUserByEmail, type User } from '#db/queries/accounts.ts'
import { addMember, changeRole } from '#db/queries/groups.ts'
import { listEmails } from '#db/queries/notifications.ts'
import { emailOutbox, notifications } from '#db/schema/index.ts'
import { demoDocuments, demoGroups, demoPassword, seedDemo } from '#seeds/demo.ts'
import { documentFragmentName } from '#app/editor/yjs.ts'
import { mentionMarkdown } from '#app/markdown/mentions.ts'
import { Mailer } from '#server/notifications/mailer.ts'
import { startTestApp, type TestApp } from '#tests/support/app.ts'
import { anchorFor } from '#tests/support/annotations.ts'
import { FormClient } from '#tests/support/http-client.ts'

type Who = 'owner' | 'moderator' | 'reviewer' | 'reader'
const seminar = demoGroups.seminar.id
const documentId = demoDocuments[0].id
const quote = 'It is reported that in a large Siberian city every third resident was shot'

let app: TestApp
const users = {} as Record<Who | 'outsider', User>

beforeAll(async () => {
	app = await startTestApp({ placeAnchorsAfterMs: 20, notifications: { schedule: false } })
	await seedDemo(app.database.db)
	for (const role of ['owner', 'moderator', 'reviewer', 'reader'] as const) {
		users[role] = (await findUserByEmail(app.database.db, `${role}@scholion.test`))!
	}
	users.outsider = (await createUser(app.database.db, {
		email: 'outsider@example.org',
		name: 'Olga Outsider',
		passwordHash: users.reader.passwordHash,
		color: '#336699',
	}))!
})
afterAll(async () => {
	await app?.close()
})

async function anchorOn(text: string) {
	return app.server.collab.withDocument(documentId, (room) => {
		const copy = new Y.Doc()
		Y.applyUpdate(copy, Y.encodeStateAsUpdate(room.doc))
		copy.getXmlFragment(documentFragmentName)
		return anchorFor(copy, text)
	})
}

async function annotate(author: User, body: string, status: 'submitted' | 'draft' = 'submitted') {
	return app.server.annotations.create(author, documentId, { motivation: 'commenting', body, tags: [], status, anchor: await anchorOn(quote) })
}

const mention = (who: Who | 'outsider') => mentionMarkdown(users[who].id, users[who].name)

/** What each person's inbox now holds that mentions `text`, as "kind: summary". */
async function inboxes(text: string) {
	const out: Partial<Record<Who | 'outsider', string[]>> = {}
	for (const who of ['owner', 'moderator', 'reviewer', 'reader', 'outsider'] as const) {
		const items = (await app.server.notifications.inbox(users[who])).filter((i) => i.excerpt.includes(text))
		if (items.length > 0) out[who] = items.map((i) => `${i.kind}: ${i.summary}`).sort()
	}
	return out
}

async function emailsTo(who: Who, text: string) {
	return (await listEmails(app.database.db, { recipientId: users[who].id, limit: 200 })).filter((e) => e.text.includes(text))
}

describe('who is notified of what', () => {
	test('a shared annotation: the mentioned member and the group’s moderators; never the author, nor a non-member', async () => {
		const body = `Where is this from, ${mention('reader')}? Cc ${mention('outsider')} and ${mention('owner')} (me: ${mention('moderator')}).`
		await annotate(users.moderator, body)
		expect(await inboxes('Where is this from')).toEqual({
			owner: [
				'mention: Tomás Reyes mentioned you in an annotation on “Stalin, 1924 – 1953”',
				'submission: Tomás Reyes submitted an annotation for moderation on “Stalin, 1924 – 1953”',
			],
			reader: ['mention: Tomás Reyes mentioned you in an annotation on “Stalin, 1924 – 1953”'],
		})
	})

	test('a reader is never notified of a draft; the mention arrives when it is shared, once', async () => {
		const draft = await annotate(users.reviewer, `Private note for ${mention('reader')}: check the census.`, 'draft')
		expect(await inboxes('check the census')).toEqual({})
		await app.server.annotations.edit(users.reviewer, draft.id, { status: 'submitted' })
		const afterSharing = await inboxes('check the census')
		expect(afterSharing.reader).toEqual(['mention: Priya Raman mentioned you in an annotation on “Stalin, 1924 – 1953”'])
		expect(Object.keys(afterSharing).sort()).toEqual(['moderator', 'owner', 'reader'])

		// Withdrawn to a draft again, it leaves the inbox; resubmitted, the reader is not told twice.
		await app.server.annotations.edit(users.reviewer, draft.id, { status: 'draft' })
		expect((await inboxes('check the census')).reader).toBeUndefined()
		await app.server.annotations.edit(users.reviewer, draft.id, { status: 'submitted' })
		expect((await inboxes('check the census')).reader).toHaveLength(1)
	})

	test('a reply: the thread’s author hears of it; a reply to one’s own thread tells nobody (replies are not submissions to tell moderators of)', async () => {
		const root = await annotate(users.reviewer, 'Root for replies test.')
		await app.server.annotations.reply(users.owner, root.id, 'A reply from the owner about sources.')
		expect((await inboxes('A reply from the owner')).reviewer).toEqual(['reply: Irena Novak replied to your annotation on “Stalin, 1924 – 1953”'])
		await app.server.annotations.reply(users.reviewer, root.id, 'Self reply about sources.')
		// The owner wrote in the thread, so hears of it as a reply; the moderator, who did not, hears nothing.
		const self = await inboxes('Self reply about sources')
		expect(self).toEqual({ owner: ['reply: Priya Raman replied in a thread you took part in on “Stalin, 1924 – 1953”'] })
		// A reply that mentions the thread's author is one notification, the mention.
		await app.server.annotations.reply(users.moderator, root.id, `${mention('reviewer')}, see the appendix.`)
		expect((await inboxes('see the appendix')).reviewer).toEqual(['mention: Tomás Reyes mentioned you in a reply on “Stalin, 1924 – 1953”'])
	})

	test('moderation decisions reach the author: changes requested, rejected, published, retracted', async () => {
		const { publication } = app.server
		const a = await annotate(users.reviewer, 'Decision subject one.')
		await publication.decide(users.moderator, a.id, { verdict: 'request_changes', reason: 'Name the archive, please.' })
		const b = await annotate(users.reviewer, 'Decision subject two.')
		await publication.decide(users.owner, b.id, { verdict: 'reject', reason: 'A duplicate of another question.' })
		const c = await annotate(users.reviewer, 'Decision subject three.')
		await publication.decide(users.moderator, c.id, { verdict: 'approve', reason: 'Well put and sourced.' })
		await publication.retract(users.owner, c.id, 'Withdrawn at the author’s request.')
		const summaries = (await app.server.notifications.inbox(users.reviewer)).filter((i) => i.kind === 'decision').map((i) => i.summary)
		expect(summaries.slice(0, 4).reverse()).toEqual([
			'Tomás Reyes asked for changes to your annotation on “Stalin, 1924 – 1953”',
			'Irena Novak rejected your annotation on “Stalin, 1924 – 1953”',
			'Tomás Reyes approved your annotation: it is published on “Stalin, 1924 – 1953”',
			'Irena Novak retracted your published annotation on “Stalin, 1924 – 1953”',
		])
		// The moderators are not told of their own decisions.
		for (const who of ['owner', 'moderator'] as const) {
			expect((await app.server.notifications.inbox(users[who])).some((i) => i.kind === 'decision')).toBe(false)
		}
	})

	test('someone who left the group no longer sees its notifications', async () => {
		await annotate(users.owner, `Before leaving, ${mention('reader')}: the footnote.`)
		expect((await inboxes('Before leaving')).reader).toHaveLength(1)
		await changeRole(app.database.db, seminar, users.reader.id, null)
		expect((await inboxes('Before leaving')).reader).toBeUndefined()
		await annotate(users.owner, `After leaving, ${mention('reader')}: the second footnote.`)
		await addMember(app.database.db, seminar, users.reader.id, 'reader')
		expect((await inboxes('After leaving')).reader).toBeUndefined()
		expect((await inboxes('Before leaving')).reader).toHaveLength(1)
	})
})

describe('preferences and email', () => {
	test('without SMTP_URL a mention’s email is written to the outbox, with a link to the thread', async () => {
		const a = await annotate(users.owner, `Outbox check for ${mention('reviewer')}.`)
		const [email] = await emailsTo('reviewer', 'Outbox check')
		expect(email).toMatchObject({ status: 'outbox', toAddress: 'reviewer@scholion.test', subject: 'Irena Novak mentioned you in an annotation on “Stalin, 1924 – 1953”' })
		expect(email!.text).toContain(`${app.url}/documents/${documentId}#annotation-${a.id}`)
		expect(email!.text).toContain(`${app.url}/settings/notifications`)
	})

	test('in-app off and email off: nothing; in-app off, email at once: an email but no inbox line', async () => {
		const { notifications: service } = app.server
		const defaults = await service.preferences(users.reader.id)
		await service.savePreferences(users.reader.id, { ...defaults, mention: { inApp: false, email: 'off' } })
		await annotate(users.owner, `Quiet one for ${mention('reader')}.`)
		expect((await inboxes('Quiet one')).reader).toBeUndefined()
		expect(await emailsTo('reader', 'Quiet one')).toHaveLength(0)

		await service.savePreferences(users.reader.id, { ...defaults, mention: { inApp: false, email: 'immediately' } })
		await annotate(users.owner, `Email only for ${mention('reader')}.`)
		expect((await inboxes('Email only')).reader).toBeUndefined()
		expect(await emailsTo('reader', 'Email only')).toHaveLength(1)
		await service.savePreferences(users.reader.id, defaults)
	})

	test('the settings page saves preferences from a plain form and refuses a bad value', async () => {
		const client = new FormClient(app.url)
		expect((await client.post('/login', { email: 'reader@scholion.test', password: demoPassword })).status).toBe(302)
		const page = await (await client.get('/settings/notifications')).text()
		expect(page).toContain('Mentions of you')
		const fields = { 'reply.email': 'off', 'mention.inApp': 'on', 'mention.email': 'daily', 'decision.inApp': 'on', 'decision.email': 'immediately', 'submission.email': 'off' }
		const saved = await client.post('/settings/notifications', fields)
		expect(saved.status).toBe(200)
		expect(await saved.text()).toContain('Preferences saved.')
		expect(await app.server.notifications.preferences(users.reader.id)).toMatchObject({
			reply: { inApp: false, email: 'off' },
			mention: { inApp: true, email: 'daily' },
		})
		const refused = await client.post('/settings/notifications', { ...fields, 'mention.email': 'hourly' })
		expect(refused.status).toBe(400)
		expect(await app.server.notifications.preferences(users.reader.id)).toMatchObject({ mention: { inApp: true, email: 'daily' } })
		await app.server.notifications.savePreferences(users.reader.id, {
			reply: { inApp: true, email: 'daily' },
			mention: { inApp: true, email: 'immediately' },
			decision: { inApp: true, email: 'immediately' },
			submission: { inApp: true, email: 'daily' },
		})
	})

	test('the daily digest sends one email of the day’s unread notifications, once', async () => {
		const { notifications: service } = app.server
		const root = await annotate(users.reviewer, 'Digest root.')
		await app.server.annotations.reply(users.owner, root.id, 'Digest reply one.')
		await app.server.annotations.reply(users.moderator, root.id, 'Digest reply two.')
		await app.server.annotations.reply(users.owner, root.id, 'Digest reply three.')
		// Replies go to the digest by default: nothing at once.
		expect(await emailsTo('reviewer', 'Digest reply')).toHaveLength(0)
		// Read ones stay out of it.
		const [third] = (await service.inbox(users.reviewer)).filter((i) => i.excerpt === 'Digest reply three.')
		await service.markRead(users.reviewer, [third!.id])

		const tomorrow = new Date(Date.now() + 60_000)
		expect(await service.digest.sendDigests(tomorrow)).toBeGreaterThanOrEqual(1)
		const digests = await emailsTo('reviewer', 'Digest reply')
		expect(digests).toHaveLength(1)
		expect(digests[0]!.subject).toMatch(/^Your Scholion digest: \d+ notifications$/)
		expect(digests[0]!.text).toContain('Digest reply one.')
		expect(digests[0]!.text).toContain('Digest reply two.')
		expect(digests[0]!.text).not.toContain('Digest reply three.')
		expect(await service.digest.sendDigests(tomorrow)).toBe(0)
	})

	test('the scheduler sends at the digest hour, once per day, by the clock it is given', async () => {
		const { notifications: service } = app.server
		const root = await annotate(users.reviewer, 'Scheduled root.')
		await app.server.annotations.reply(users.owner, root.id, 'Scheduled reply.')
		const hour = (new Date().getUTCHours() + 1) % 24
		const { DigestScheduler } = await import('#server/notifications/digest.ts')
		const scheduler = new DigestScheduler(app.database.db, service, hour, new Date())
		const next = new Date()
		next.setUTCHours(hour, 0, 30, 0)
		if (next.getTime() < Date.now()) next.setUTCDate(next.getUTCDate() + 1)
		expect(await scheduler.runDue(new Date(next.getTime() - 60_000 * 2))).toBe(0)
		expect(await emailsTo('reviewer', 'Scheduled reply')).toHaveLength(0)
		expect(await scheduler.runDue(next)).toBeGreaterThanOrEqual(1)
		expect(await emailsTo('reviewer', 'Scheduled reply')).toHaveLength(1)
		expect(await scheduler.runDue(new Date(next.getTime() + 60_000))).toBe(0)
	})

	test('a failing SMTP server: the email stays in the outbox with its error, is retried, then kept as failed', async () => {
		const mailer = new Mailer(app.database.db, { smtpUrl: 'smtp://127.0.0.1:9', retryDelaysMs: [60_000] })
		const row = await mailer.send({ recipientId: users.reader.id, to: 'reader@scholion.test', subject: 'Retry check', text: 'Retry body' })
		await mailer.deliverDue()
		const [first] = await app.database.db.select().from(emailOutbox).where(eq(emailOutbox.id, row.id))
		expect(first).toMatchObject({ status: 'pending', attempts: 1 })
		expect(first!.lastError).toMatch(/ECONNREFUSED|connect/i)
		expect(first!.nextAttemptAt.getTime()).toBeGreaterThan(Date.now() + 30_000)
		await mailer.deliverDue(new Date(Date.now() + 61_000))
		const [last] = await app.database.db.select().from(emailOutbox).where(eq(emailOutbox.id, row.id))
		expect(last).toMatchObject({ status: 'failed', attempts: 2 })
		await mailer.close()
	})
})

describe('with SMTP_URL', () => {
	let sink: SMTPServer
	let smtpApp: TestApp
	const received: { to: string[]; raw: string }[] = []

	beforeAll(async () => {
		sink = new SMTPServer({
			authOptional: true,
			disabledCommands: ['AUTH', 'STARTTLS'],
			logger: false,
			onData(stream, session, callback) {
				const chunks: Buffer[] = []
				stream.on('data', (c: Buffer) => chunks.push(c))
				stream.on('end', () => {
					received.push({ to: session.envelope.rcptTo.map((r) => r.address), raw: Buffer.concat(chunks).toString('utf8') })
					callback()
				})
			},
		})
		await new Promise<void>((resolve) => sink.listen(0, '127.0.0.1', () => resolve()))
		const port = (sink.server.address() as AddressInfo).port
		smtpApp = await startTestApp({ notifications: { schedule: false, mail: { smtpUrl: `smtp://127.0.0.1:${port}`, from: 'Scholion <mail@scholion.test>' } } })
		await seedDemo(smtpApp.database.db)
	})
	afterAll(async () => {
		await smtpApp?.close()
		await new Promise<void>((resolve) => sink?.close(() => resolve()))
	})

	test('a mention’s email lands in the SMTP server and is marked sent', async () => {
		const db = smtpApp.database.db
		const owner = (await findUserByEmail(db, 'owner@scholion.test'))!
		const reviewer = (await findUserByEmail(db, 'reviewer@scholion.test'))!
		const anchor = await smtpApp.server.collab.withDocument(documentId, (room) => {
			const copy = new Y.Doc()
			Y.applyUpdate(copy, Y.encodeStateAsUpdate(room.doc))
			copy.getXmlFragment(documentFragmentName)
			return anchorFor(copy, quote)
		})
		await smtpApp.server.annotations.create(owner, documentId, {
			motivation: 'questioning',
			body: `Over SMTP: ${mentionMarkdown(reviewer.id, reviewer.name)}, which archive?`,
			tags: [],
			status: 'submitted',
			anchor,
		})
		await expect.poll(() => received.length, { timeout: 10_000 }).toBeGreaterThan(0)
		const email = received.find((r) => r.to.includes('reviewer@scholion.test'))!
		expect(email.raw).toContain('From: Scholion <mail@scholion.test>')
		expect(email.raw).toMatch(/Subject: .*Irena Novak mentioned you/s)
		expect(email.raw).toContain('which archive?')
		await expect
			.poll(async () => (await listEmails(db, { recipientId: reviewer.id, limit: 5 })).map((e) => e.status), { timeout: 10_000 })
			.toEqual(['sent'])
	})
})

describe('over HTTP', () => {
	async function login(who: Who) {
		const client = new FormClient(app.url)
		expect((await client.post('/login', { email: `${who}@scholion.test`, password: demoPassword })).status).toBe(302)
		return client
	}

	test('the unread count streams over /inbox/events and changes when a mention arrives and when it is read', async () => {
		const client = await login('reviewer')
		const controller = new AbortController()
		const response = await fetch(`${app.url}/inbox/events`, { headers: { Cookie: client.cookieHeader }, signal: controller.signal })
		expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/)
		const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader()
		let buffer = ''
		async function nextCount(): Promise<number> {
			for (;;) {
				const match = /event: unread\ndata: (\{.*?\})\n\n/.exec(buffer)
				if (match) {
					buffer = buffer.slice(match.index + match[0].length)
					return (JSON.parse(match[1]!) as { unread: number }).unread
				}
				const { value, done } = await reader.read()
				if (done) throw new Error('stream ended')
				buffer += value
			}
		}
		const before = await nextCount()
		expect(before).toBe(await app.server.notifications.unreadCount(users.reviewer.id))
		await annotate(users.owner, `Live count for ${mention('reviewer')}.`)
		expect(await nextCount()).toBe(before + 1)
		expect((await client.post('/inbox', { intent: 'read-all' })).status).toBe(200)
		expect(await nextCount()).toBe(0)
		controller.abort()
		// Signed out, the stream says "no content" so EventSource stops asking.
		expect((await fetch(`${app.url}/inbox/events`)).status).toBe(204)
	})

	test('the inbox lists, marks one read and follows a notification to its thread; another person’s is a 404', async () => {
		const a = await annotate(users.owner, `Inbox page for ${mention('reviewer')}.`)
		const client = await login('reviewer')
		const page = await (await client.get('/inbox?show=unread')).text()
		expect(page).toContain('Irena Novak mentioned you in an annotation on “Stalin, 1924 – 1953”')
		const [item] = (await app.server.notifications.inbox(users.reviewer)).filter((i) => i.excerpt.startsWith('Inbox page'))
		const opened = await client.get(`/inbox/${item!.id}`)
		expect(opened.status).toBe(302)
		expect(opened.headers.get('location')).toBe(`/documents/${documentId}#annotation-${a.id}`)
		expect((await app.server.notifications.inbox(users.reviewer)).find((i) => i.id === item!.id)?.read).toBe(true)
		const other = await login('reader')
		expect((await other.get(`/inbox/${item!.id}`)).status).toBe(404)
		expect((await client.post('/inbox', { intent: 'read', id: 'not-an-id' })).status).toBe(400)
	})

	test('the members endpoint answers members only, with names and no addresses', async () => {
		const client = await login('reader')
		const response = await client.get(`/documents/${documentId}/members?q=pri`)
		expect(response.status).toBe(200)
		const { members } = (await response.json()) as { members: { id: string; name: string }[] }
		expect(members.map((m) => m.name)).toEqual(['Priya Raman'])
		expect(JSON.stringify(members)).not.toContain('@scholion.test')
		const all = (await (await client.get(`/documents/${documentId}/members`)).json()) as { members: { name: string }[] }
		expect(all.members.map((m) => m.name)).not.toContain('Jonas Berg')

		const outsider = new FormClient(app.url)
		expect((await outsider.post('/login', { email: 'outsider@example.org', password: demoPassword })).status).toBe(302)
		expect((await outsider.get(`/documents/${documentId}/members`)).status).toBe(404)
		expect((await client.get(`/documents/${documentId}/members?q=${'x'.repeat(101)}`)).status).toBe(400)
	})

	test('a mentioned non-member has no notification row at all', async () => {
		const rows = await app.database.db.select().from(notifications).where(eq(notifications.recipientId, users.outsider.id))
		expect(rows).toEqual([])
	})
})
