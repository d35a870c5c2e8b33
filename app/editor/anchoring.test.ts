import { readFileSync } from 'node:fs'
import type { Node as ProseMirrorNode } from 'prosemirror-model'
import { EditorState, type Transaction } from 'prosemirror-state'
import { describe, expect, test } from 'vitest'
import { initProseMirrorDoc, updateYFragment } from 'y-prosemirror'
import * as Y from 'yjs'
import { importDocument } from '#server/import/index.ts'
import { AnchorContext, fuzzyThreshold, type Anchor, type Placement } from './anchoring.ts'
import { PlainTextIndex } from './plain-text.ts'
import { schema } from './schema.ts'
import { documentFragmentName, documentToYUpdate } from './yjs.ts'

// The document builder: doc(p('hi')).
type Content = ProseMirrorNode | string
const block =
	(type: string, attrs?: Record<string, unknown>) =>
	(...content: Content[]) =>
		schema.node(type, attrs, content.map((c) => (typeof c === 'string' ? schema.text(c) : c)))
const doc = block('doc')
const p = block('paragraph')
const h1 = block('heading', { level: 1 })
const blockquote = block('blockquote')
const ul = block('bullet_list')
const li = block('list_item')
const pre = block('code_block')
const br = () => schema.node('hard_break')
const hr = () => schema.node('horizontal_rule')

const importOrigin = { name: 'import' }
const remoteOrigin = { name: 'remote client' }

/**
 * One person's editor, as the browser runs it: every change is a ProseMirror
 * transaction that y-prosemirror's binding writes into the Y.Doc with
 * updateYFragment (so Enter, joins and pastes recreate Yjs items exactly as
 * they do in the browser, y-prosemirror#44), and remote changes or undo
 * re-read the document from Yjs.
 */
class Editor {
	readonly fragment: Y.XmlFragment
	/** The origin of this editor's own transactions (what its UndoManager tracks). */
	readonly origin: { name: string }
	doc!: ProseMirrorNode
	private meta!: ReturnType<typeof initProseMirrorDoc>['meta']

	constructor(
		readonly ydoc: Y.Doc,
		name = 'local editor',
	) {
		this.origin = { name }
		this.fragment = ydoc.getXmlFragment(documentFragmentName)
		this.reload()
	}

	/** Re-reads the document from Yjs, as the binding's observer does after a remote update or an undo. */
	reload() {
		const { doc, meta } = initProseMirrorDoc(this.fragment, schema)
		this.doc = doc
		this.meta = meta
	}

	apply(change: (tr: Transaction) => void) {
		const tr = EditorState.create({ doc: this.doc }).tr
		change(tr)
		this.doc = tr.doc
		this.ydoc.transact(() => updateYFragment(this.ydoc, this.fragment, this.doc, this.meta), this.origin)
	}

	context() {
		return new AnchorContext(this.ydoc, this.fragment, this.doc)
	}

	get text() {
		return new PlainTextIndex(this.doc).text
	}

	/** The ProseMirror range of the `nth` occurrence of `words` in the document as it is now. */
	find(words: string, nth = 0): { from: number; to: number } {
		const index = new PlainTextIndex(this.doc)
		let at = -1
		for (let i = 0; i <= nth; i++) {
			at = index.text.indexOf(words, at + 1)
			if (at < 0) throw new Error(`occurrence ${nth} of “${words}” is not in the document`)
		}
		return { from: index.positionOfOffset(at), to: index.positionOfOffset(at + words.length) }
	}

	/** Selects the `nth` occurrence of `words` and annotates it, as the browser does. */
	annotate(words: string, nth = 0): Anchor {
		const { from, to } = this.find(words, nth)
		const anchor = this.context().describe(from, to)
		expect(anchor.quote.exact).toBe(words)
		return anchor
	}

	/** Places the anchor as the server does; `highlighted` is the text the reader sees highlighted. */
	place(anchor: Anchor): Placement & { highlighted: string | null } {
		const context = this.context()
		const placement = context.place(anchor)
		if (placement.from === undefined || placement.to === undefined) return { ...placement, highlighted: null }
		const start = context.index.offsetOfPosition(placement.from)!
		const end = context.index.offsetOfPosition(placement.to)!
		return { ...placement, highlighted: context.index.text.slice(start, end) }
	}

	/** The start of the word before `pos` (in the same textblock). */
	wordBefore(pos: number): number {
		const $pos = this.doc.resolve(pos)
		const before = $pos.parent.textBetween(0, $pos.parentOffset)
		const word = /(\S+\s+)$/u.exec(before)
		if (!word) throw new Error(`no word before ${pos}`)
		return pos - word[1]!.length
	}

	/** The ProseMirror range of the whole textblock holding `pos`. */
	paragraphAround(pos: number): { from: number; to: number } {
		const $pos = this.doc.resolve(pos)
		return { from: $pos.before(), to: $pos.after() }
	}
}

function loadDocument(doc: ProseMirrorNode): Y.Doc {
	const ydoc = new Y.Doc()
	Y.applyUpdate(ydoc, documentToYUpdate(doc), importOrigin)
	return ydoc
}

/** Exchanges what each side lacks, as the sync protocol does. */
function sync(a: Y.Doc, b: Y.Doc) {
	const forB = Y.encodeStateAsUpdate(a, Y.encodeStateVector(b))
	const forA = Y.encodeStateAsUpdate(b, Y.encodeStateVector(a))
	Y.applyUpdate(b, forB, remoteOrigin)
	Y.applyUpdate(a, forA, remoteOrigin)
}

/** Whether the character a relative position was anchored to has been deleted (so the position no longer holds). */
function relativePositionBroken(ydoc: Y.Doc, encoded: Uint8Array): boolean {
	const id = Y.decodeRelativePosition(encoded).item
	return id !== null && Y.getItem(ydoc.store, id).deleted
}

function stalinEssay(): ProseMirrorNode {
	const result = importDocument({
		bytes: readFileSync(new URL('../../seeds/documents/stalin-1924-1953.txt', import.meta.url)),
		filename: 'stalin-1924-1953.txt',
	})
	if (!result.ok) throw new Error(result.error)
	return result.doc
}

interface Fixture {
	name: string
	document: () => ProseMirrorNode
	/** Words that occur once, in the middle of a paragraph, preceded by at least one word. */
	quote: string
	/** The quote with a small typo: [the word as written, the word mistyped]. */
	typo: [string, string]
	/** What an author rewrites the quote into: far more than a quarter of it changed. */
	rewrite: string
	/** A different claim in nearly the same words (a few letters changed). */
	lookalike: string
	/** Words that occur in several paragraphs; the tests annotate occurrence `sharedAt` (0-based), mid-paragraph. */
	shared: string
	sharedAt: number
}

const fixtures: Fixture[] = [
	{
		name: 'a small document',
		document: () =>
			doc(
				h1('Minutes'),
				p('The committee met on Monday and read the report aloud.'),
				p('It is reported that the minister signed the order without reading it, and the clerk filed it.'),
				p('Nobody asked questions. It is reported that the order was lost in the archive.'),
				p('The clerk resigned a week later.'),
			),
		quote: 'signed the order without reading it',
		typo: ['without', 'witout'],
		rewrite: 'put his name to a decree he had never seen',
		lookalike: 'signed the order without heeding it',
		shared: 'It is reported that',
		sharedAt: 1,
	},
	{
		name: 'the Stalin essay (seeds/documents/stalin-1924-1953.txt)',
		document: stalinEssay,
		quote: 'in a large Siberian city every third resident was shot',
		typo: ['resident', 'residant'],
		rewrite: 'across Siberia, witnesses say, many townspeople were arrested',
		lookalike: 'in a large Siberian city every tenth resident was shot',
		shared: 'It is reported that',
		sharedAt: 1,
	},
]

describe.each(fixtures)('anchoring in $name', (fixture) => {
	const setup = () => {
		const editor = new Editor(loadDocument(fixture.document()))
		return { editor, anchor: editor.annotate(fixture.quote) }
	}

	test('Enter typed before the range: exact, on the same words', () => {
		const { editor, anchor } = setup()
		editor.apply((tr) => tr.split(editor.wordBefore(editor.find(fixture.quote).from)))

		const placed = editor.place(anchor)
		expect(placed.status).toBe('exact')
		expect(placed.highlighted).toBe(fixture.quote)
		expect(placed.from).toBe(editor.find(fixture.quote).from)
	})

	test('Enter typed inside the range: still on the same words, now across the paragraph break', () => {
		const { editor, anchor } = setup()
		const middle = fixture.quote.indexOf(' ', fixture.quote.length / 2) + 1
		editor.apply((tr) => tr.split(editor.find(fixture.quote).from + middle))
		const [before, after] = [fixture.quote.slice(0, middle), fixture.quote.slice(middle)]

		const placed = editor.place(anchor)
		expect(placed.status).not.toBe('orphaned')
		expect(placed.confidence).toBeGreaterThanOrEqual(fuzzyThreshold)
		expect(placed.highlighted).toBe(`${before}\n\n${after}`)
		expect(placed.from).toBe(editor.find(before).from)
		expect(placed.to).toBe(editor.find(after).to)
	})

	test('typing at the start edge: the typed words stay outside the range', () => {
		const { editor, anchor } = setup()
		editor.apply((tr) => tr.insertText('reportedly ', editor.find(fixture.quote).from))

		const placed = editor.place(anchor)
		expect(placed.status).toBe('exact')
		expect(placed.highlighted).toBe(fixture.quote)
		expect(placed.from).toBe(editor.find(`reportedly ${fixture.quote}`).from + 'reportedly '.length)
	})

	test('typing at the end edge: the typed words stay outside the range', () => {
		const { editor, anchor } = setup()
		editor.apply((tr) => tr.insertText(' (no source given)', editor.find(fixture.quote).to))

		const placed = editor.place(anchor)
		expect(placed.status).toBe('exact')
		expect(placed.highlighted).toBe(fixture.quote)
		expect(placed.to).toBe(editor.find(`${fixture.quote} (no source given)`).from + fixture.quote.length)
	})

	test('the annotated paragraph deleted: orphaned; the deletion undone: exact on the same words again', () => {
		const { editor, anchor } = setup()
		const undo = new Y.UndoManager(editor.fragment, { trackedOrigins: new Set([editor.origin]) })
		const paragraph = editor.paragraphAround(editor.find(fixture.quote).from)
		editor.apply((tr) => tr.delete(paragraph.from, paragraph.to))

		const deleted = editor.place(anchor)
		expect(deleted.status).toBe('orphaned')
		expect(deleted.from).toBeUndefined()

		undo.undo()
		editor.reload()
		const restored = editor.place(anchor)
		expect(restored.status).toBe('exact')
		expect(restored.highlighted).toBe(fixture.quote)
		expect(restored.from).toBe(editor.find(fixture.quote).from)
	})

	test('the annotated paragraph deleted while the same words remain in another paragraph: orphaned, not moved there', () => {
		const editor = new Editor(loadDocument(fixture.document()))
		const anchor = editor.annotate(fixture.shared, fixture.sharedAt)
		const paragraph = editor.paragraphAround(editor.find(fixture.shared, fixture.sharedAt).from)
		editor.apply((tr) => tr.delete(paragraph.from, paragraph.to))
		expect(editor.text).toContain(fixture.shared)

		const placed = editor.place(anchor)
		expect(placed).toMatchObject({ status: 'orphaned', highlighted: null })
	})

	test('the annotated paragraph deleted, a different claim in similar words written next to it: orphaned, not attached to that claim', () => {
		const { editor, anchor } = setup()
		const paragraph = editor.paragraphAround(editor.find(fixture.quote).from)
		editor.apply((tr) => tr.insert(paragraph.to, p(`A later note: ${fixture.lookalike}, according to one witness.`)))
		editor.apply((tr) => tr.delete(paragraph.from, paragraph.to))

		const placed = editor.place(anchor)
		expect(placed).toMatchObject({ status: 'orphaned', highlighted: null })
	})

	test('the paragraph cut and pasted elsewhere: found at its new place, exact', () => {
		const { editor, anchor } = setup()
		const paragraph = editor.paragraphAround(editor.find(fixture.quote).from)
		editor.apply((tr) => {
			const slice = tr.doc.slice(paragraph.from, paragraph.to)
			tr.delete(paragraph.from, paragraph.to)
			tr.replace(tr.doc.content.size, tr.doc.content.size, slice)
		})
		expect(editor.doc.lastChild!.textContent).toContain(fixture.quote)

		const placed = editor.place(anchor)
		expect(placed.status).toBe('exact')
		expect(placed.highlighted).toBe(fixture.quote)
		expect(placed.from).toBe(editor.find(fixture.quote).from)
	})

	test('the annotated text deleted while another client types inside it: orphaned, or only on that client’s words', () => {
		const deleter = new Editor(loadDocument(fixture.document()), 'deleting client')
		const typist = new Editor(new Y.Doc(), 'typing client')
		Y.applyUpdate(typist.ydoc, Y.encodeStateAsUpdate(deleter.ydoc), remoteOrigin)
		typist.reload()
		const anchor = deleter.annotate(fixture.quote)

		const typed = 'so the rumour goes '
		const middle = fixture.quote.indexOf(' ', fixture.quote.length / 2) + 1
		typist.apply((tr) => tr.insertText(typed, typist.find(fixture.quote).from + middle))
		deleter.apply((tr) => tr.delete(deleter.find(fixture.quote).from, deleter.find(fixture.quote).to))
		sync(deleter.ydoc, typist.ydoc)
		deleter.reload()
		typist.reload()
		expect(typist.text).toBe(deleter.text)
		expect(deleter.text).toContain(typed)
		expect(deleter.text).not.toContain(fixture.quote)

		for (const editor of [deleter, typist]) {
			const placed = editor.place(anchor)
			if (placed.status !== 'orphaned') {
				const words = editor.find(typed)
				expect(placed.from).toBeGreaterThanOrEqual(words.from)
				expect(placed.to).toBeLessThanOrEqual(words.to)
			}
		}
	})

	test('the annotated paragraph joined to the one before it: still exact on the same words', () => {
		const { editor, anchor } = setup()
		const blocks = editor.doc.childCount
		editor.apply((tr) => tr.join(editor.paragraphAround(editor.find(fixture.quote).from).from))
		expect(editor.doc.childCount).toBe(blocks - 1)

		const placed = editor.place(anchor)
		expect(placed.status).toBe('exact')
		expect(placed.highlighted).toBe(fixture.quote)
		expect(placed.from).toBe(editor.find(fixture.quote).from)
	})

	test('the same words elsewhere: the relative positions keep the annotation on its own copy', () => {
		const editor = new Editor(loadDocument(fixture.document()))
		const anchor = editor.annotate(fixture.shared, fixture.sharedAt)
		// New words before it, in its own paragraph: its context and offset change, its Yjs items do not.
		editor.apply((tr) => tr.insertText('A rumour. ', editor.wordBefore(editor.find(fixture.shared, fixture.sharedAt).from)))
		editor.apply((tr) => tr.insertText('Draft. ', 1))
		expect(relativePositionBroken(editor.ydoc, anchor.start)).toBe(false)

		const placed = editor.place(anchor)
		expect(placed.status).toBe('exact')
		expect(placed.highlighted).toBe(fixture.shared)
		expect(placed.from).toBe(editor.find(fixture.shared, fixture.sharedAt).from)
	})

	test('the same words elsewhere: when Enter breaks the relative positions, the context picks the right copy', () => {
		const editor = new Editor(loadDocument(fixture.document()))
		const anchor = editor.annotate(fixture.shared, fixture.sharedAt)
		editor.apply((tr) => tr.split(editor.wordBefore(editor.find(fixture.shared, fixture.sharedAt).from)))
		expect(relativePositionBroken(editor.ydoc, anchor.start)).toBe(true)

		const placed = editor.place(anchor)
		expect(placed.status).toBe('exact')
		expect(placed.highlighted).toBe(fixture.shared)
		expect(placed.from).toBe(editor.find(fixture.shared, fixture.sharedAt).from)
	})

	test('a small typo inside the quote: fuzzy, confidence at least 0.75, on the same words', () => {
		const { editor, anchor } = setup()
		const [word, typo] = fixture.typo
		const quote = editor.find(fixture.quote)
		const at = quote.from + fixture.quote.indexOf(word)
		editor.apply((tr) => tr.insertText(typo, at, at + word.length))
		const mistyped = fixture.quote.replace(word, typo)

		const placed = editor.place(anchor)
		expect(placed.status).toBe('fuzzy')
		expect(placed.confidence).toBeGreaterThanOrEqual(fuzzyThreshold)
		expect(placed.highlighted).toBe(mistyped)
		expect(placed.from).toBe(editor.find(mistyped).from)
	})

	test('a heavily rewritten quote: orphaned, never attached', () => {
		const { editor, anchor } = setup()
		const quote = editor.find(fixture.quote)
		editor.apply((tr) => tr.insertText(fixture.rewrite, quote.from, quote.to))

		const placed = editor.place(anchor)
		expect(placed.status).toBe('orphaned')
		expect(placed.from).toBeUndefined()
		expect(placed.anchor).toBeNull()
	})

	test('Devanagari and emoji typed before the quote: the position selector counts code points', () => {
		const { editor } = setup()
		editor.apply((tr) => tr.insertText('परिसर 😀 ', editor.paragraphAround(editor.find(fixture.quote).from).from + 1))
		const anchor = editor.annotate(fixture.quote)
		const utf16Start = editor.text.indexOf(fixture.quote)

		// "परिसर" is five code points in five UTF-16 units; "😀" one code point in two.
		expect(anchor.position.start).toBe(utf16Start - 1)
		expect(anchor.position.start).toBe([...editor.text.slice(0, utf16Start)].length)
		expect(anchor.position.end - anchor.position.start).toBe([...fixture.quote].length)
		expect([...editor.text].slice(anchor.position.start, anchor.position.end).join('')).toBe(fixture.quote)

		editor.apply((tr) => tr.split(editor.wordBefore(editor.find(fixture.quote).from)))
		const placed = editor.place(anchor)
		expect(placed.status).toBe('exact')
		expect(placed.highlighted).toBe(fixture.quote)
		expect(placed.anchor?.position.start).toBe([...editor.text.slice(0, editor.text.indexOf(fixture.quote))].length)
	})

	test('a quote ending in an emoji: its position selector reads back as the quote', () => {
		const { editor } = setup()
		editor.apply((tr) => tr.insertText(' 😀', editor.find(fixture.quote).to))
		const quote = `${fixture.quote} 😀`
		const anchor = editor.annotate(quote)
		const index = editor.context().index

		expect(index.text.slice(index.utf16Offset(anchor.position.start), index.utf16Offset(anchor.position.end))).toBe(quote)
	})
})

describe('a selection that begins at a line break', () => {
	test('in a refrain repeated word for word, it is placed exactly where it was made', () => {
		const stanza = () => p('We shall overcome, we shall overcome,', br(), 'we shall overcome some day.')
		const editor = new Editor(loadDocument(doc(stanza(), stanza(), stanza(), stanza(), stanza())))
		// Dragging from the end of the first line selects the line break too.
		const anchor = editor.annotate('\nwe shall overcome', 2)

		const placed = editor.place(anchor)
		expect(placed.status).toBe('exact')
		expect(placed.from).toBe(editor.find('\nwe shall overcome', 2).from)
	})
})

describe('PlainTextIndex', () => {
	const sample = () =>
		doc(
			h1('Title'),
			p('परिसर 😀 first', br(), 'line two 👍🏽'),
			blockquote(p('quoted'), p()),
			ul(li(p('item one')), li(p('item two'), p('more'))),
			hr(),
			pre('code\n  block'),
			p('𝒳 last'),
		)

	test('the text reads as it looks: blocks joined by a blank line, a hard break as a newline', () => {
		expect(new PlainTextIndex(sample()).text).toBe(
			'Title\n\nपरिसर 😀 first\nline two 👍🏽\n\nquoted\n\n\n\nitem one\n\nitem two\n\nmore\n\ncode\n  block\n\n𝒳 last',
		)
	})

	test('every position inside a textblock maps to an offset and back; positions between blocks have none', () => {
		const document = sample()
		const index = new PlainTextIndex(document)
		let inside = 0
		for (let pos = 0; pos <= document.content.size; pos++) {
			const offset = index.offsetOfPosition(pos)
			if (document.resolve(pos).parent.isTextblock) {
				inside++
				expect(offset, `position ${pos}`).not.toBeNull()
				expect(index.positionOfOffset(offset!), `position ${pos}`).toBe(pos)
			} else {
				expect(offset, `position ${pos}`).toBeNull()
			}
		}
		expect(inside).toBeGreaterThan(80)
	})

	test('every offset in a block maps to a position and back; an offset inside a separator maps to the next block', () => {
		const document = sample()
		const index = new PlainTextIndex(document)
		const separators: number[] = []
		for (let offset = 0; offset <= index.text.length; offset++) {
			const pos = index.positionOfOffset(offset)
			const back = index.offsetOfPosition(pos)
			if (back === offset) continue
			// Only the second and later characters of a "\n\n" between blocks have no position of their own.
			separators.push(offset)
			expect(index.text.slice(offset - 1, offset + 1), `offset ${offset}`).toMatch(/^\n/)
			expect(document.resolve(pos).parentOffset, `offset ${offset}`).toBe(0)
			expect(back, `offset ${offset}`).toBeGreaterThan(offset)
		}
		expect(separators.length).toBeGreaterThan(0)
	})

	test('code point offsets count code points and map back to the same UTF-16 offset', () => {
		const index = new PlainTextIndex(sample())
		const text = index.text
		for (let offset = 0; offset <= text.length; offset++) {
			const code = text.charCodeAt(offset)
			const splitsAPair = code >= 0xdc00 && code <= 0xdfff
			if (splitsAPair) continue
			const codePoints = [...text.slice(0, offset)].length
			expect(index.codePointOffset(offset), `UTF-16 offset ${offset}`).toBe(codePoints)
			expect(index.utf16Offset(codePoints), `code point offset ${codePoints}`).toBe(offset)
		}
		expect(index.codePointOffset(text.length)).toBe([...text].length)
	})
})
