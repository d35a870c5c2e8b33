import { describe, expect, test } from 'vitest'
import { AnnotationStore } from './client.ts'
import type { AnchorView, AnnotationView } from './types.ts'

function anchor(status: AnchorView['status'], exact: string): AnchorView {
	return { start: 'AA==', end: 'AA==', exact, prefix: '', suffix: '', startOffset: 0, endOffset: exact.length, status, confidence: 1, suggestion: null }
}

function annotation(id: string, a: AnchorView): AnnotationView {
	return {
		id,
		documentId: 'd',
		parentId: null,
		motivation: 'commenting',
		body: '',
		bodyHtml: '',
		tags: [],
		status: 'submitted',
		createdAt: '2026-01-01T00:00:00.000Z',
		modifiedAt: '2026-01-01T00:00:00.000Z',
		creator: null,
		mine: false,
		endorsementCount: 0,
		endorsedByMe: false,
		anchor: a,
	}
}

describe('AnnotationStore', () => {
	test('a live event that arrives while a reload is in flight is not undone by the (older) reload answer', async () => {
		let answer!: (response: Response) => void
		const fetcher = (() => new Promise<Response>((resolve) => (answer = resolve))) as typeof fetch
		const store = new AnnotationStore('d', fetcher)
		const loading = store.load()
		// The server orphans the annotation; the event reaches the socket before the reload's answer does.
		store.apply({ kind: 'anchors', anchors: [{ id: 'a', anchor: anchor('orphaned', 'the words') }] })
		answer(Response.json({ annotations: [annotation('a', anchor('exact', 'the words'))] }))
		await loading
		expect(store.snapshot.orphaned.map((t) => t.root.id)).toEqual(['a'])
		expect(store.snapshot.placed).toEqual([])
	})

	test('without events in between, the reload answer is taken as it is', async () => {
		const fetcher = (async () => Response.json({ annotations: [annotation('b', anchor('exact', 'x'))] })) as typeof fetch
		const store = new AnnotationStore('d', fetcher)
		store.apply({ kind: 'annotation', annotation: annotation('stale', anchor('exact', 'y')) })
		await store.load()
		expect([...store.snapshot.byId.keys()]).toEqual(['b'])
	})
})
