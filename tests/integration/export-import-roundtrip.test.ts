import { afterAll, beforeAll, expect, test } from 'vitest'
import * as Y from 'yjs'
import { findUserByEmail, type User } from '#db/queries/accounts.ts'
import { demoDocuments, seedDemo } from '#seeds/demo.ts'
import { startTestApp, type TestApp } from '#tests/support/app.ts'
import { anchorFor } from '#tests/support/annotations.ts'
import { buildExport } from '#server/exports/jobs.ts'
import { AnnotationImporter } from '#server/import-annotations/importer.ts'

/**
 * An export re-imported gives back the same annotations: the seminar's copy
 * of the text and the board's manuscript are the same text, so a W3C export
 * of one, imported onto the other, must place every annotation exactly, with
 * the same words, kind, body and tags (as drafts of the importer).
 */

let app: TestApp
let reviewer: User
const source = demoDocuments[0].id
const target = demoDocuments[2].id
const written = [
	{ quote: 'open debate in the Party ceased', body: 'Ceased, or *suppressed*?', motivation: 'questioning', tags: ['sources'] },
	{ quote: 'foreign travel were shut down', body: 'When?', motivation: 'commenting', tags: ['dates', 'travel'] },
	{ quote: 'every third resident was shot', body: 'Which archive?', motivation: 'assessing', tags: [] },
] as const

beforeAll(async () => {
	app = await startTestApp({ placeAnchorsAfterMs: 20 })
	await seedDemo(app.database.db)
	reviewer = (await findUserByEmail(app.database.db, 'reviewer@scholion.test'))!
	const ydoc = await app.server.collab.withDocument(source, (room) => {
		const copy = new Y.Doc()
		Y.applyUpdate(copy, Y.encodeStateAsUpdate(room.doc))
		return copy
	})
	for (const a of written) {
		await app.server.annotations.create(reviewer, source, { motivation: a.motivation, body: a.body, tags: [...a.tags], status: 'draft', anchor: anchorFor(ydoc, a.quote) })
	}
})
afterAll(async () => {
	await app?.close()
})

test('a W3C export imported onto the same text gives back the same annotations', async () => {
	const file = await buildExport(
		{ db: app.database.db, annotations: app.server.annotations, origin: app.url },
		reviewer,
		{ kind: 'document', id: source },
		'jsonld',
		{ id: `${app.url}/exports/roundtrip/download`, label: 'round trip' },
	)
	const started = await new AnnotationImporter(app.database.db, app.server.annotations).start(reviewer, target, { text: file, name: 'export.jsonld' })
	expect(started).toMatchObject({ ok: true })
	await AnnotationImporter.settle()
	const imported = await app.server.annotations.list(reviewer, target)
	const shape = (a: { anchor: { exact: string } | null; body: string; motivation: string; tags: string[]; status: string }) => ({
		quote: a.anchor?.exact,
		body: a.body,
		motivation: a.motivation,
		tags: [...a.tags].sort(),
		status: a.status,
	})
	const original = (await app.server.annotations.list(reviewer, source)).map(shape)
	expect(imported.map(shape).sort((a, b) => a.quote!.localeCompare(b.quote!))).toEqual(original.sort((a, b) => a.quote!.localeCompare(b.quote!)))
	expect(imported.every((a) => a.anchor?.status === 'exact')).toBe(true)
})
