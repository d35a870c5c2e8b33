import * as encoding from 'lib0/encoding'
import type { Browser, BrowserContext } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import * as Y from 'yjs'
import { documentPlainText } from '#app/editor/plain-text.ts'
import { documentFragmentName, documentFromUpdates } from '#app/editor/yjs.ts'
import { loadDocumentState } from '#db/queries/document-state.ts'
import { findUserByEmail } from '#db/queries/accounts.ts'
import { demoDocuments, demoGroups, demoPassword, seedDemo } from '#seeds/demo.ts'
import { messageAwareness } from '#server/collab/protocol.ts'
import { startTestApp, type TestApp } from '#tests/support/app.ts'
import { browserTestsUnavailable, collectPageErrors, launchChromium } from '#tests/support/browser.ts'
import { blockTexts, editorOf, eventually } from '#tests/support/editor-page.ts'
import { FormClient } from '#tests/support/http-client.ts'

const unavailable = browserTestsUnavailable()

if (unavailable && process.env.CI === 'true' && process.env.SCHOLION_E2E !== '0') {
	test('Chromium is installed for the browser tests', () => {
		throw new Error(`Browser tests cannot run under CI: ${unavailable}`)
	})
}

const documentId = demoDocuments[0].id
const documentPath = `/documents/${documentId}`

/** An awareness message (type 1) carrying the given states as raw JSON, for client ids nobody holds. */
function awarenessFrame(states: [clientId: number, json: string][], clock = 1): Buffer {
	const update = encoding.createEncoder()
	encoding.writeVarUint(update, states.length)
	for (const [clientId, json] of states) {
		encoding.writeVarUint(update, clientId)
		encoding.writeVarUint(update, clock)
		encoding.writeVarString(update, json)
	}
	const message = encoding.createEncoder()
	encoding.writeVarUint(message, messageAwareness)
	encoding.writeVarUint8Array(message, encoding.toUint8Array(update))
	return Buffer.from(encoding.toUint8Array(message))
}

describe.skipIf(unavailable)('hostile collaboration input reaching the browser', () => {
	let app: TestApp
	let browser: Browser
	const contexts: BrowserContext[] = []

	beforeAll(async () => {
		app = await startTestApp()
		await seedDemo(app.database.db)
		browser = await launchChromium()
	})
	afterAll(async () => {
		for (const context of contexts) await context.close()
		await browser?.close()
		await app?.close()
	})

	test('malformed cursors in the awareness the page receives: the editor still opens, draws the good caret and edits', async () => {
		// The server no longer forwards such states (server/collab/awareness-check.ts); they are put
		// into the socket between server and page here, as a server of an older version, or another
		// process through Redis, could deliver them.
		const first = await app.server.collab.withDocument(documentId, (room) => {
			const block = room.doc.getXmlFragment(documentFragmentName).get(0) as Y.XmlElement
			return Y.createRelativePositionFromTypeIndex(block.get(0) as Y.XmlText, 5)
		})
		const malformed: [number, string][] = [
			[9001, JSON.stringify({ user: { name: 'Numbers', color: '#ff0000' }, cursor: { anchor: 12, head: 17 } })],
			[9002, JSON.stringify({ user: { name: 'String', color: '#ff0000' }, cursor: 'here' })],
			[9003, JSON.stringify({ user: 'Mallory', cursor: { anchor: first, head: first } })],
			[9004, JSON.stringify({ cursor: { anchor: { item: { client: 'a', clock: 'b' } }, head: { item: { client: 'a', clock: 'b' } } } })],
			[9005, JSON.stringify({ cursor: { anchor: { tname: 'evil' }, head: { tname: 'evil' } } })],
			[9006, JSON.stringify({ cursor: { anchor: null, head: { type: { client: 1, clock: 0 } } } })],
		]
		const good: [number, string] = [9100, JSON.stringify({ user: { name: 'Good Peer', color: '#00aa00' }, cursor: { anchor: first, head: first } })]
		const context = await browser.newContext({ baseURL: app.url, viewport: { width: 1280, height: 900 } })
		contexts.push(context)
		let toPage: ((frame: Buffer) => void) | null = null
		await context.routeWebSocket(/\/collab\//, (ws) => {
			const server = ws.connectToServer()
			let first = true
			server.onMessage((message) => {
				ws.send(message)
				// Right after the server's first message: the states are there before the document
				// arrives, so the editor is created with them.
				if (first) ws.send(awarenessFrame([...malformed, good]))
				first = false
			})
			toPage = (frame) => ws.send(frame)
		})
		const page = await context.newPage()
		const errors = collectPageErrors(page)
		await page.goto(`/login?${new URLSearchParams({ redirectTo: documentPath })}`)
		await page.getByLabel('Email').fill('owner@scholion.test')
		await page.getByLabel('Password').fill(demoPassword)
		await page.getByRole('button', { name: 'Log in' }).click()
		await editorOf(page).waitFor()
		await page.getByText('Connected', { exact: true }).waitFor()
		// The good peer's caret is drawn (so the states did reach the editor), no other.
		await page.locator('.ProseMirror-yjs-cursor', { hasText: 'Good Peer' }).waitFor()
		expect(await page.locator('.ProseMirror-yjs-cursor').count()).toBe(1)
		expect((await blockTexts(page)).length).toBeGreaterThan(10)
		// Malformed states arriving while the editor is open (new clocks, so they replace the good one) change nothing either.
		toPage!(awarenessFrame(malformed, 2))
		toPage!(awarenessFrame([[good[0], JSON.stringify({ user: 'Mallory', cursor: { anchor: 1, head: 2 } })]], 2))
		await eventually(() => page.locator('.ProseMirror-yjs-cursor').count()).toBe(0)
		// And the editor edits: typing reaches the server.
		await editorOf(page).click()
		await page.keyboard.press('Control+End')
		await page.keyboard.type(' Typed past bad cursors.')
		await eventually(async () =>
			documentPlainText(documentFromUpdates((await loadDocumentState(app.database.db, documentId)).updates)).includes('Typed past bad cursors.'),
		).toBe(true)
		expect(await editorOf(page).getAttribute('contenteditable')).toBe('true')
		expect(errors).toEqual([])
	})

	test('keystrokes refused while read-only are discarded when the reader is promoted: the page shows the server’s text and edits again', async () => {
		const owner = new FormClient(app.url)
		expect((await owner.post('/login', { email: 'owner@scholion.test', password: demoPassword })).status).toBe(302)
		const readerId = (await findUserByEmail(app.database.db, 'reader@scholion.test'))!.id
		const setRole = async (role: 'reader' | 'reviewer') => {
			const response = await owner.post(`/groups/${demoGroups.seminar.id}/members`, { intent: 'role', userId: readerId, role })
			expect(response.status).toBe(200)
		}
		const storedText = async () => documentPlainText(documentFromUpdates((await loadDocumentState(app.database.db, documentId)).updates))
		await setRole('reviewer')
		try {
			// The page's frames to the server can be held back, as a slow network would: keystrokes typed
			// just before the person is made a reader then arrive after it, and are refused.
			const context = await browser.newContext({ baseURL: app.url, viewport: { width: 1280, height: 900 } })
			contexts.push(context)
			let hold = false
			const held: (() => void)[] = []
			await context.routeWebSocket(/\/collab\//, (ws) => {
				const server = ws.connectToServer()
				ws.onMessage((message) => {
					if (hold) held.push(() => server.send(message))
					else server.send(message)
				})
			})
			const page = await context.newPage()
			const errors = collectPageErrors(page)
			await page.goto(`/login?${new URLSearchParams({ redirectTo: documentPath })}`)
			await page.getByLabel('Email').fill('reader@scholion.test')
			await page.getByLabel('Password').fill(demoPassword)
			await page.getByRole('button', { name: 'Log in' }).click()
			await page.getByText('Connected', { exact: true }).waitFor()
			await eventually(() => editorOf(page).getAttribute('contenteditable')).toBe('true')

			hold = true
			await editorOf(page).click()
			await page.keyboard.press('Control+End')
			await page.keyboard.type(' REFUSED KEYSTROKES')
			await setRole('reader')
			await eventually(() => editorOf(page).getAttribute('contenteditable')).toBe('false')
			hold = false
			for (const send of held.splice(0)) send()
			const room = app.server.collab.rooms.get(documentId)!
			await eventually(() => [...room.connections].some((connection) => connection.hasRefusedEdits)).toBe(true)
			expect((await blockTexts(page)).join('\n')).toContain('REFUSED KEYSTROKES')

			await setRole('reviewer')
			// A new session from the server's state: the refused keystrokes are gone from the page, and it edits.
			await eventually(async () => (await blockTexts(page)).join('\n').includes('REFUSED KEYSTROKES')).toBe(false)
			await page.getByText('Connected', { exact: true }).waitFor()
			await eventually(() => editorOf(page).getAttribute('contenteditable')).toBe('true')
			await editorOf(page).click()
			await page.keyboard.press('Control+End')
			await page.keyboard.type(' Typed after starting over.')
			await eventually(async () => (await storedText()).includes('Typed after starting over.')).toBe(true)
			expect(await storedText()).not.toContain('REFUSED KEYSTROKES')
			expect(errors).toEqual([])
		} finally {
			await setRole('reader')
		}
	})
})
