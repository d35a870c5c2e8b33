import * as Y from 'yjs'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { findUserByEmail, type User } from '#db/queries/accounts.ts'
import { demoDocuments, seedDemo } from '#seeds/demo.ts'
import { anchorFor } from '#tests/support/annotations.ts'
import { openToThePublic } from '#tests/support/publication-fixtures.ts'
import { startTestApp, type TestApp } from '#tests/support/app.ts'
import { checkPublicSurfaces, demoBoardTargets, type SurfaceResult } from '../../scripts/check-public-surfaces.ts'

/**
 * `npm run check:public-surfaces` against the demo as it ships (audience
 * `none` on the board) after the board has reviewed its manuscript: a
 * review approved by its quorum, one waiting, one a draft. Whatever the
 * workflow records, nothing of it reaches an anonymous visitor.
 */

let app: TestApp
let results: SurfaceResult[]
let annotationCount = 0

beforeAll(async () => {
	app = await startTestApp()
	await seedDemo(app.database.db, { published: true })
	const db = app.database.db
	const as = async (role: string) => (await findUserByEmail(db, `${role}@scholion.test`)) as User
	const [owner, moderator, reviewer] = [await as('owner'), await as('moderator'), await as('reviewer')]
	const manuscript = demoDocuments.find((d) => d.group === 'board')!.id
	const anchor = (quote: string) =>
		app.server.collab.withDocument(manuscript, (room) => {
			const copy = new Y.Doc()
			Y.applyUpdate(copy, Y.encodeStateAsUpdate(room.doc))
			return anchorFor(copy, quote)
		})
	const { annotations, publication } = app.server
	const reviewed = await annotations.create(reviewer, manuscript, {
		motivation: 'questioning',
		body: 'Which source gives the percentage of victims in Georgia?',
		tags: [],
		status: 'submitted',
		anchor: await anchor('Comissar of Nationalities'),
	})
	await publication.decide(moderator, reviewed.id, { verdict: 'approve', reason: 'A fair question for the author.' })
	await publication.decide(owner, reviewed.id, { verdict: 'approve', reason: 'Agreed.' })
	await annotations.create(reviewer, manuscript, {
		motivation: 'commenting',
		body: 'Waiting for the board.',
		tags: [],
		status: 'submitted',
		anchor: await anchor('Ordjonikidze'),
	})
	await annotations.create(reviewer, manuscript, { motivation: 'commenting', body: 'My draft.', tags: [], status: 'draft', anchor: await anchor('Georgia') })

	const targets = await demoBoardTargets(db)
	annotationCount = targets.annotationIds.length
	results = await checkPublicSurfaces(app.url, targets)
}, 120_000)
afterAll(() => app?.close())

describe('the demo board, as an anonymous visitor', () => {
	test('checks every annotation the board has, whatever its status', () => {
		expect(annotationCount).toBe(3)
		expect(results.length).toBeGreaterThan(60)
	})

	test('every public surface answers 404 and none contains the manuscript, its title or a reviewer’s name', () => {
		expect(results.filter((r) => r.problem)).toEqual([])
	})
})

describe('the check itself', () => {
	test('fails once the board’s published layer is opened to the public', async () => {
		const targets = await demoBoardTargets(app.database.db)
		await openToThePublic(app.database.db, targets.groupId)
		// Under `none` the approved review was only accepted: opened, it is published on purpose by a steward.
		const moderator = (await findUserByEmail(app.database.db, 'moderator@scholion.test')) as User
		const manuscript = demoDocuments.find((d) => d.group === 'board')!.id
		expect((await app.server.publication.publishAccepted(moderator, manuscript)).published).toBe(1)
		const opened = await checkPublicSurfaces(app.url, targets)
		expect(opened.filter((r) => r.problem).length).toBeGreaterThan(0)
	})
})
