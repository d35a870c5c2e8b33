import type { EditionView, PublicationUrls, PublishedVersionView } from '#app/publication/types.ts'
import type { Database } from '#db/client.ts'
import { setGroupAudience } from '#db/queries/audience.ts'

/**
 * Published versions and editions for the serializer tests, built in memory
 * (no database): a small factory with readable defaults and overrides.
 */

export const testOrigin = 'https://scholion.test'

/** The published layer's URLs as server/publication/urls.ts shapes them, on a fixed origin. */
export const testUrls: PublicationUrls = {
	annotation: (annotationId) => `${testOrigin}/a/${annotationId}`,
	version: (annotationId, number) => `${testOrigin}/a/${annotationId}/v/${number}`,
	edition: (documentId, editionNumber) => `${testOrigin}/read/${documentId}/e/${editionNumber}`,
	container: (documentId, editionNumber) => `${testOrigin}/read/${documentId}/e/${editionNumber}/annotations/`,
}

export const documentId = '5b0c6f3e-6f3a-4c39-9a8e-1d2f3a4b5c6d'

export function edition(overrides: Partial<EditionView> = {}): EditionView {
	return {
		id: '0e9d8c7b-6a5f-4e3d-8c2b-1a0f9e8d7c6b',
		documentId,
		documentTitle: 'Sketch of the Analytical Engine',
		groupId: '7f6e5d4c-3b2a-4190-8f7e-6d5c4b3a2f10',
		groupName: 'Sources seminar',
		number: 2,
		createdAt: '2026-03-01T09:30:00.000Z',
		contentHash: 'sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08',
		wordCount: 8214,
		...overrides,
	}
}

let sequence = 0

/** A stable, distinct uuid-shaped id for the n-th annotation of a test. */
export function annotationId(n: number): string {
	return `a0000000-0000-4000-8000-${String(n).padStart(12, '0')}`
}

/** A published root annotation (version 1, commenting) unless overridden. */
export function publishedVersion(overrides: Partial<PublishedVersionView> = {}): PublishedVersionView {
	sequence += 1
	return {
		annotationId: annotationId(sequence),
		number: 1,
		parentId: null,
		edition: edition(),
		motivation: 'commenting',
		body: 'Menabrea reads *the engine* as a calculator; Lovelace insists it manipulates symbols.',
		bodyHtml: '<p>Menabrea reads <em>the engine</em> as a calculator; Lovelace insists it manipulates symbols.</p>',
		tags: [],
		author: { id: 'c1d2e3f4-0000-4000-8000-00000000a11c', name: 'Ada Byron' },
		createdAt: '2026-03-10T14:05:00.000Z',
		publishedAt: '2026-03-14T08:00:00.000Z',
		standing: 'published',
		retraction: null,
		supersededBy: null,
		selector: {
			exact: 'weaves algebraical patterns',
			prefix: 'the Analytical Engine ',
			suffix: ' just as the Jacquard-loom',
			start: 1204,
			end: 1231,
		},
		...overrides,
	}
}

/** A reply to `parent`: no selector of its own, in the parent's edition. */
export function publishedReply(parent: PublishedVersionView, overrides: Partial<PublishedVersionView> = {}): PublishedVersionView {
	return publishedVersion({
		parentId: parent.annotationId,
		edition: parent.edition,
		motivation: 'commenting',
		body: 'Agreed, though the *Notes* are careful to say it originates nothing.',
		bodyHtml: '<p>Agreed, though the <em>Notes</em> are careful to say it originates nothing.</p>',
		author: { id: 'c1d2e3f4-0000-4000-8000-0000000b0b0b', name: 'Charles Babbage' },
		createdAt: '2026-03-11T10:00:00.000Z',
		publishedAt: '2026-03-15T10:00:00.000Z',
		selector: null,
		...overrides,
	})
}

/** `count` published root versions, one per annotation, published a minute apart. */
export function publishedVersions(count: number): PublishedVersionView[] {
	return Array.from({ length: count }, (_, i) =>
		publishedVersion({ publishedAt: new Date(Date.UTC(2026, 2, 14, 8, i)).toISOString() }),
	)
}

/**
 * Opens a group's published layer to the public, for tests of the public
 * surfaces that use a group whose kind keeps it private by default (a board's
 * is `none`, a seminar's `members`): the audience rule itself is tested in
 * tests/integration/published-audience.test.ts.
 */
export async function openToThePublic(db: Database, groupId: string): Promise<void> {
	await setGroupAudience(db, groupId, 'public')
}
