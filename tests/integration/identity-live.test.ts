import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import WebSocket from 'ws'
import { WebsocketProvider } from 'y-websocket'
import * as Y from 'yjs'
import { addMember } from '#db/queries/groups.ts'
import { setIdentityMode } from '#db/queries/identity-mode.ts'
import { pseudonymNumbers } from '#db/queries/pseudonyms.ts'
import { demoGroups } from '#seeds/demo.ts'
import type { AnnotationView } from '#app/annotations/types.ts'
import { pseudonymLabel, type IdentityMode } from '#app/policy/identity.ts'
import { anchorFor } from '#tests/support/annotations.ts'
import {
	accountIdentity,
	blockTexts,
	boardDocumentId,
	demoEmails,
	eventually,
	logIn,
	startCollabApp,
	type CollabApp,
} from '#tests/support/collab-harness.ts'
import { signUp, type FormClient } from '#tests/support/http-client.ts'

/**
 * Reviewer identity on the live workspace, asserted on the bytes sent: every
 * HTTP response a reviewer gets (document page, annotations API, mention
 * autocomplete, members page, history) and every WebSocket frame (sync,
 * awareness, Scholion's messages), in each identity mode, against a
 * moderator's, who always sees who is who.
 */

const groupId = demoGroups.board.id
const documentId = boardDocumentId
const second = { email: 'second.reviewer@scholion.test', name: 'Wanda Zielinska' }

interface Person {
	id: string
	name: string
	email: string
}

let app: CollabApp
let priya: Person
let wanda: Person
let tomas: Person
let irena: Person
let jonas: Person
let asPriya: FormClient
let asWanda: FormClient
let asTomas: FormClient
let asIrena: FormClient
const opened: { provider: WebsocketProvider; doc: Y.Doc }[] = []

/** A stock y-websocket client that keeps every frame the server sent it, as bytes. */
function recordingClient(client: FormClient) {
	const frames: Buffer[] = []
	const headers = { Origin: app.origin, Cookie: client.cookieHeader }
	class Recording extends WebSocket {
		constructor(url: string | URL, protocols?: string | string[]) {
			super(url, protocols, { headers })
			this.on('message', (data: Buffer) => frames.push(Buffer.from(data)))
		}
	}
	const doc = new Y.Doc()
	const provider = new WebsocketProvider(`${app.url.replace(/^http/, 'ws')}/collab`, documentId, doc, {
		WebSocketPolyfill: Recording as never,
		params: { scholion: '1' },
		disableBc: true,
	})
	// Scholion's messages (100 saved, 101 access, 102 annotations) are recorded as frames; the stock handlers ignore them.
	for (const type of [100, 101, 102]) provider.messageHandlers[type] = () => {}
	provider.awareness.setLocalStateField('user', { name: 'whatever the page says', color: '#123456' })
	opened.push({ provider, doc })
	return {
		provider,
		doc,
		frames,
		/** Everyone else's presence names as this client sees them. */
		presenceNames(): string[] {
			return [...provider.awareness.getStates()]
				.filter(([clientId]) => clientId !== doc.clientID)
				.map(([, state]) => (state.user as { name?: string } | undefined)?.name ?? '')
		},
		bytes(): string {
			return Buffer.concat(frames).toString('latin1')
		},
		close() {
			provider.destroy()
			doc.destroy()
		},
	}
}

async function text(client: FormClient, path: string): Promise<string> {
	const response = await client.get(path)
	expect(response.status, path).toBe(200)
	return response.text()
}

async function command(client: FormClient, body: unknown): Promise<AnnotationView> {
	const response = await client.request(`/documents/${documentId}/annotations`, {
		method: 'POST',
		headers: { 'Content-Type': 'application/json', Origin: app.origin },
		body: JSON.stringify(body),
	})
	const json = (await response.json()) as { annotation?: AnnotationView; error?: string }
	expect(response.status, json.error).toBe(200)
	return json.annotation!
}

async function annotationsAs(client: FormClient): Promise<AnnotationView[]> {
	return ((await (await client.get(`/documents/${documentId}/annotations`)).json()) as { annotations: AnnotationView[] }).annotations
}

/** Whether any trace of `person` (name, address, account id) is in `bytes`. */
function traces(bytes: string, person: Person): string[] {
	// Frames are UTF-8: a name with accents is looked for as its UTF-8 bytes read as latin1.
	const forms = [person.name, Buffer.from(person.name, 'utf8').toString('latin1'), person.email, person.id]
	return forms.filter((form) => bytes.includes(form))
}

async function numberOf(person: Person): Promise<number> {
	return (await pseudonymNumbers(app.database.db, documentId, [person.id])).get(person.id)!
}

beforeAll(async () => {
	app = await startCollabApp()
	asWanda = await signUp(app.url, second)
	const db = app.database.db
	const identity = async (email: string): Promise<Person> => ({ ...(await accountIdentity(db, email)), email })
	;[priya, wanda, tomas, irena, jonas] = await Promise.all([
		identity(demoEmails.reviewer),
		identity(second.email),
		identity(demoEmails.moderator),
		identity(demoEmails.owner),
		identity(demoEmails.reader),
	])
	await addMember(db, groupId, wanda.id, 'reviewer')
	;[asPriya, asTomas, asIrena] = await Promise.all([
		logIn(app.url, demoEmails.reviewer),
		logIn(app.url, demoEmails.moderator),
		logIn(app.url, demoEmails.owner),
	])
}, 60_000)

afterAll(async () => {
	for (const { provider, doc } of opened) {
		provider.destroy()
		doc.destroy()
	}
	await app?.close()
})

describe.each<IdentityMode>(['named', 'anonymous_public', 'anonymous'])('identity mode %s, on the bytes sent', (mode) => {
	test('a reviewer gets no trace of another person in anonymous mode; a moderator always sees names', async () => {
		await setIdentityMode(app.database.db, groupId, mode)
		const priyaLive = recordingClient(asPriya)
		const wandaLive = recordingClient(asWanda)
		const tomasLive = recordingClient(asTomas)
		const all = [priyaLive, wandaLive, tomasLive]
		await eventually(() => all.every((c) => c.provider.synced), 'sync')
		await eventually(() => all.every((c) => c.presenceNames().length >= 2), 'everyone present')

		// Wanda annotates and mentions Priya as the autocomplete offers her to Wanda.
		const offered = (await (await asWanda.get(`/documents/${documentId}/members?q=`)).json()) as {
			members: { id: string; name: string; pseudonym?: number }[]
		}
		let mention: string
		if (mode === 'anonymous') {
			expect(offered.members.every((m) => m.pseudonym !== undefined && m.name === pseudonymLabel(m.pseudonym))).toBe(true)
			const number = await numberOf(priya)
			expect(offered.members.map((m) => m.pseudonym)).toContain(number)
			mention = `@[${pseudonymLabel(number)}](pseudonym:${number})`
		} else {
			expect(offered.members.map((m) => m.name)).toContain(priya.name)
			mention = `@[${priya.name}](user:${priya.id})`
		}
		const anchor = anchorFor(wandaLive.doc, blockTexts(wandaLive.doc).find((t) => t.length > 40)!.slice(0, 30))
		const annotation = await command(asWanda, { intent: 'create', body: `Ask ${mention} about the source (${mode}).`, status: 'submitted', anchor })
		expect(annotation.mine).toBe(true)
		const reply = await command(asPriya, { intent: 'reply', parentId: annotation.id, body: `On it (${mode}).` })
		await command(asPriya, { intent: 'endorse', id: annotation.id, endorsed: true })
		await app.collab.annotationEventsDelivered(documentId)
		await eventually(() => priyaLive.bytes().includes(`On it (${mode}).`), 'the reply arrives live')

		const paths = [
			`/documents/${documentId}`,
			`/documents/${documentId}/annotations`,
			`/documents/${documentId}/members?q=`,
			`/groups/${groupId}/members`,
			`/groups/${groupId}`,
			`/annotations/${annotation.id}/history`,
		]
		const responses = await Promise.all(paths.map((path) => text(asPriya, path)))
		const priyaHttp = responses.join('\n')
		const others = [wanda, tomas, irena, jonas]
		if (mode === 'anonymous') {
			for (const person of others) {
				for (const [i, body] of responses.entries()) {
					expect(traces(body, person), `${paths[i]} to a reviewer names ${person.name}`).toEqual([])
				}
				expect(traces(priyaLive.bytes(), person), `frames to a reviewer name ${person.name}`).toEqual([])
			}
			// Her own annotation list knows what is hers without ids.
			const seen = (await annotationsAs(asPriya)).find((a) => a.id === annotation.id)!
			expect(seen.creator).toMatchObject({ id: null, pseudonymous: true })
			expect(seen.mine).toBe(false)
			expect(seen.endorsedByMe).toBe(true)
		} else {
			expect(traces(priyaHttp, wanda)).toContain(wanda.name)
		}
		// Nobody's address reaches a reviewer in any mode (the members page shows addresses to owners only).
		for (const person of others) expect(priyaHttp.includes(person.email) || priyaLive.bytes().includes(person.email)).toBe(false)

		// The moderator sees the names in the annotations API and on the page's who-is-who legend.
		const tomasView = (await annotationsAs(asTomas)).find((a) => a.id === annotation.id)!
		expect(tomasView.creator?.name).toBe(wanda.name)
		expect(tomasView.body).toContain(`@[${priya.name}](user:${priya.id})`)
		if (mode === 'anonymous') {
			expect(traces(await text(asTomas, `/documents/${documentId}`), wanda)).toContain(wanda.name)
			// Presence is the same bytes for everyone: pseudonyms for the moderator too.
			const awareness = Buffer.concat(tomasLive.frames.filter((f) => f[0] === 1)).toString('latin1')
			expect(traces(awareness, wanda)).toEqual([])
		}

		if (mode === 'anonymous') {
			// One pseudonym per person on the document: Priya's in Wanda's mention, as her reply's author and in presence.
			const label = pseudonymLabel(await numberOf(priya))
			const wandaSees = await annotationsAs(asWanda)
			expect(wandaSees.find((a) => a.id === annotation.id)!.body).toContain(`@[${label}](pseudonym:${await numberOf(priya)})`)
			expect(wandaSees.find((a) => a.id === reply.id)!.creator?.name).toBe(label)
			expect(wandaLive.presenceNames()).toContain(label)
			// And Wanda's pseudonym is the same for Priya in the annotation and the presence.
			const wandaLabel = pseudonymLabel(await numberOf(wanda))
			expect((await annotationsAs(asPriya)).find((a) => a.id === annotation.id)!.creator?.name).toBe(wandaLabel)
			expect(priyaLive.presenceNames()).toContain(wandaLabel)
		} else {
			expect(priyaLive.presenceNames()).toContain(wanda.name)
		}
		for (const c of all) c.close()
	}, 30_000)
})

describe('changing the mode while people have the document open', () => {
	test('the owner confirms the switch; names become pseudonyms in presence within a second, and the editors reload', async () => {
		await setIdentityMode(app.database.db, groupId, 'named')
		const priyaLive = recordingClient(asPriya)
		const wandaLive = recordingClient(asWanda)
		await eventually(() => priyaLive.provider.synced && wandaLive.provider.synced, 'sync')
		await eventually(() => priyaLive.presenceNames().includes(wanda.name), 'Wanda present by name')

		const preview = await asIrena.post(`/groups/${groupId}/settings/identity`, { intent: 'preview', mode: 'anonymous' })
		expect(preview.status).toBe(200)
		const confirmation = await preview.text()
		expect(confirmation).toMatch(/switching does not rewrite what was already published|Nothing of this group is published under a name now/)
		expect(confirmation).toContain('Change to “Anonymous (double-blind)”')
		// Nothing changed yet.
		await new Promise((resolve) => setTimeout(resolve, 200))
		expect(priyaLive.presenceNames()).toContain(wanda.name)

		const framesBefore = priyaLive.frames.length
		const started = Date.now()
		const confirmed = await asIrena.post(`/groups/${groupId}/settings/identity`, { intent: 'confirm', mode: 'anonymous' })
		expect(confirmed.status).toBe(302)
		const wandaLabel = pseudonymLabel(await numberOf(wanda))
		await eventually(() => priyaLive.presenceNames().includes(wandaLabel) && !priyaLive.presenceNames().includes(wanda.name), 'pseudonym in presence', 1000)
		expect(Date.now() - started).toBeLessThan(1000)
		await eventually(() => Buffer.concat(priyaLive.frames.slice(framesBefore)).toString().includes('"kind":"reload"'), 'reload told', 1000)
		// Every frame after the switch is free of Wanda's name and id.
		const after = Buffer.concat(priyaLive.frames.slice(framesBefore)).toString('latin1')
		expect(traces(after, wanda)).toEqual([])
		// Wanda's own page now shows her as the room does, so her editor publishes no name.
		expect(await text(asWanda, `/documents/${documentId}`)).toContain(wandaLabel)

		// And back: names return.
		await asIrena.post(`/groups/${groupId}/settings/identity`, { intent: 'confirm', mode: 'named' })
		await eventually(() => priyaLive.presenceNames().includes(wanda.name), 'name back in presence', 1000)
		priyaLive.close()
		wandaLive.close()
	}, 30_000)

	test('only owners reach the setting; a refused mode is answered next to the field', async () => {
		expect((await asTomas.get(`/groups/${groupId}/settings/identity`)).status).toBe(403)
		const refused = await asIrena.post(`/groups/${groupId}/settings/identity`, { intent: 'preview', mode: 'secret' })
		expect(refused.status).toBe(400)
		expect(await refused.text()).toContain('Choose how reviewers are named.')
	})
})
