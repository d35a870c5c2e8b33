/**
 * `npm run bench:anchors`: how fast and how well annotations are anchored in
 * a long document after a burst of edits. Builds a 30,000-word document from
 * the two seed texts, annotates 10,000 random ranges of 1–12 words with
 * AnchorContext.describe, applies 200 random edits as ProseMirror
 * transactions written to Yjs by y-prosemirror's own updateYFragment (as the
 * browser binding does), then places every anchor again with one
 * AnchorContext, as the server's placeAnchors does. Everything random comes
 * from a fixed seed. Writes results/anchors-latest.json.
 *
 * Where each annotation's words really went is known from the edits' own
 * ProseMirror mapping, so the bench also counts placements that landed
 * somewhere else than the words (a wrong copy, or text that was deleted).
 */
import { execFileSync } from 'node:child_process'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import type { Node as ProseMirrorNode } from 'prosemirror-model'
import { EditorState, type Transaction } from 'prosemirror-state'
import { canJoin, Mapping } from 'prosemirror-transform'
import { initProseMirrorDoc, updateYFragment } from 'y-prosemirror'
import * as Y from 'yjs'
import { AnchorContext, type Anchor, type Placement } from '#app/editor/anchoring.ts'
import { PlainTextIndex, countWords } from '#app/editor/plain-text.ts'
import { schema } from '#app/editor/schema.ts'
import { documentFragmentName, documentToYUpdate, yDocToDocument } from '#app/editor/yjs.ts'
import { importDocument } from '#server/import/index.ts'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')
const resultsDir = path.join(root, 'tests/bench/results')
const seedFiles = ['seeds/documents/stalin-1924-1953.txt', 'seeds/documents/on-stalin-parisar-2007.txt']

const { values: flags } = parseArgs({
	options: {
		words: { type: 'string', default: '30000' },
		annotations: { type: 'string', default: '10000' },
		edits: { type: 'string', default: '200' },
		seed: { type: 'string', default: '1' },
	},
})
const settings = {
	words: Number(flags.words),
	annotations: Number(flags.annotations),
	edits: Number(flags.edits),
	seed: Number(flags.seed),
	maxWordsPerAnnotation: 12,
}

/** A small seeded PRNG (mulberry32): the same seed gives the same document, annotations and edits. */
function mulberry32(seed: number): () => number {
	let state = seed
	return () => {
		state = (state + 0x6d2b79f5) | 0
		let t = Math.imul(state ^ (state >>> 15), 1 | state)
		t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296
	}
}
const random = mulberry32(settings.seed)
const integer = (min: number, max: number) => min + Math.floor(random() * (max - min + 1))
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!

/**
 * Prose in the seeds' own words: a word-bigram chain over both texts, so
 * phrases recur as they do in real writing (short quotes have many copies,
 * long ones few) without whole paragraphs repeating.
 */
function buildDocument(): ProseMirrorNode {
	const words: string[] = []
	for (const file of seedFiles) {
		const result = importDocument({ bytes: readFileSync(path.join(root, file)), filename: path.basename(file) })
		if (!result.ok) throw new Error(result.error)
		words.push(...new PlainTextIndex(result.doc).text.split(/\s+/u).filter(Boolean))
	}
	const next = new Map<string, string[]>()
	for (let i = 0; i + 1 < words.length; i++) {
		const followers = next.get(words[i]!) ?? []
		followers.push(words[i + 1]!)
		next.set(words[i]!, followers)
	}
	const sentenceStarts = words.filter((word, i) => i > 0 && /[.!?]$/u.test(words[i - 1]!) && /^\p{Lu}/u.test(word))

	const blocks: ProseMirrorNode[] = []
	let total = 0
	while (total < settings.words) {
		if (blocks.length % 25 === 0) {
			const heading = Array.from({ length: integer(2, 6) }, () => pick(words)).join(' ')
			blocks.push(schema.node('heading', { level: 2 }, [schema.text(heading)]))
			total += countWords(heading)
		}
		const length = Math.min(integer(40, 160), settings.words - total)
		const paragraph: string[] = [pick(sentenceStarts)]
		while (paragraph.length < length) {
			const followers = next.get(paragraph[paragraph.length - 1]!)
			paragraph.push(followers ? pick(followers) : pick(sentenceStarts))
		}
		blocks.push(schema.node('paragraph', null, [schema.text(paragraph.join(' '))]))
		total += paragraph.length
	}
	return schema.node('doc', null, blocks)
}

/** An editor as the browser runs it: ProseMirror transactions written to Yjs by y-prosemirror's updateYFragment. */
class SimulatedEditor {
	readonly fragment: Y.XmlFragment
	readonly origin = { name: 'bench editor' }
	doc: ProseMirrorNode
	/** Everything the edits did to positions, for knowing where each annotation's words went. */
	readonly mapping = new Mapping()
	private readonly meta: ReturnType<typeof initProseMirrorDoc>['meta']

	constructor(readonly ydoc: Y.Doc) {
		this.fragment = ydoc.getXmlFragment(documentFragmentName)
		const { doc, meta } = initProseMirrorDoc(this.fragment, schema)
		this.doc = doc
		this.meta = meta
	}

	apply(change: (tr: Transaction) => boolean): boolean {
		const tr = EditorState.create({ doc: this.doc }).tr
		if (!change(tr) || !tr.docChanged) return false
		this.doc = tr.doc
		this.mapping.appendMapping(tr.mapping)
		this.ydoc.transact(() => updateYFragment(this.ydoc, this.fragment, this.doc, this.meta), this.origin)
		return true
	}
}

interface WordSpan {
	start: number
	end: number
}

function wordSpans(text: string): WordSpan[] {
	return Array.from(text.matchAll(/\S+/gu), (m) => ({ start: m.index, end: m.index + m[0].length }))
}

/** Random ranges of 1–12 whole words, each inside one block: what readers select. */
function randomRanges(index: PlainTextIndex, count: number): { from: number; to: number }[] {
	const spans = wordSpans(index.text)
	const ranges: { from: number; to: number }[] = []
	while (ranges.length < count) {
		const first = integer(0, spans.length - 1)
		let last = Math.min(spans.length - 1, first + integer(1, settings.maxWordsPerAnnotation) - 1)
		while (last > first && index.text.slice(spans[first]!.start, spans[last]!.end).includes('\n\n')) last--
		ranges.push({ from: index.positionOfOffset(spans[first]!.start), to: index.positionOfOffset(spans[last]!.end) })
	}
	return ranges
}

type EditKind = 'type words' | 'delete words' | 'typo' | 'Enter' | 'join paragraphs' | 'delete paragraph'
const editKinds: [EditKind, number][] = [
	['type words', 30],
	['delete words', 25],
	['typo', 10],
	['Enter', 20],
	['join paragraphs', 10],
	['delete paragraph', 5],
]

/** One random edit, as a person would make it at a word boundary of the document. */
function randomEdit(editor: SimulatedEditor, vocabulary: readonly string[]): EditKind | null {
	let roll = random() * editKinds.reduce((sum, [, weight]) => sum + weight, 0)
	const kind = editKinds.find(([, weight]) => (roll -= weight) < 0)![0]
	const index = new PlainTextIndex(editor.doc)
	const spans = wordSpans(index.text)
	const word = integer(0, spans.length - 1)
	const at = index.positionOfOffset(spans[word]!.start)
	const applied = editor.apply((tr) => {
		switch (kind) {
			case 'type words':
				tr.insertText(Array.from({ length: integer(1, 5) }, () => pick(vocabulary)).join(' ') + ' ', at)
				return true
			case 'delete words': {
				const last = Math.min(spans.length - 1, word + integer(0, 19))
				const end = index.positionOfOffset(spans[last]!.end)
				if (tr.doc.resolve(end).parent !== tr.doc.resolve(at).parent) return false
				tr.delete(at, end)
				return true
			}
			case 'typo': {
				const span = spans[word]!
				const letter = at + integer(0, span.end - span.start - 1)
				tr.insertText(pick(['e', 'a', 'o', 't']), letter, letter + 1)
				return true
			}
			case 'Enter':
				tr.split(at)
				return true
			case 'join paragraphs': {
				const before = tr.doc.resolve(at).before()
				if (!canJoin(tr.doc, before)) return false
				tr.join(before)
				return true
			}
			case 'delete paragraph': {
				const $at = tr.doc.resolve(at)
				if (tr.doc.childCount < 2) return false
				tr.delete($at.before(), $at.after())
				return true
			}
		}
	})
	return applied ? kind : null
}

type Truth = 'words intact' | 'words changed' | 'words deleted'
interface Outcome {
	annotations: number
	exactInPlace: number
	fuzzyInPlace: number
	orphaned: number
	attachedElsewhere: number
}

function time<T>(run: () => T): [T, number] {
	const start = performance.now()
	const result = run()
	return [result, performance.now() - start]
}

function git(args: string[]): string {
	try {
		return execFileSync('git', args, { cwd: root, encoding: 'utf8' }).trim()
	} catch {
		return 'unknown'
	}
}

const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits
const percent = (part: number, whole: number) => `${round((100 * part) / whole)} %`

function main() {
	const startedAt = new Date()
	const loadBefore = os.loadavg()

	const document = buildDocument()
	const ydoc = new Y.Doc()
	Y.applyUpdate(ydoc, documentToYUpdate(document), { name: 'import' })
	const editor = new SimulatedEditor(ydoc)
	const before = new AnchorContext(ydoc, editor.fragment, editor.doc)
	const wordCount = countWords(before.index.text)

	const ranges = randomRanges(before.index, settings.annotations)
	const [anchors, describeMs] = time(() => ranges.map(({ from, to }) => before.describe(from, to)))
	const [unedited, placeUneditedMs] = time(() => anchors.map((anchor) => before.place(anchor)))
	const uneditedExact = unedited.filter((p, i) => p.status === 'exact' && p.from === ranges[i]!.from && p.to === ranges[i]!.to).length

	const vocabulary = wordSpans(before.index.text).slice(0, 5000).map((s) => before.index.text.slice(s.start, s.end))
	const edits = new Map<EditKind, number>()
	const [, editMs] = time(() => {
		for (let made = 0; made < settings.edits; ) {
			const kind = randomEdit(editor, vocabulary)
			if (!kind) continue
			edits.set(kind, (edits.get(kind) ?? 0) + 1)
			made++
		}
	})

	// The server's view: the document read back from Yjs, one context for every anchor.
	const [after, contextMs] = time(() => new AnchorContext(ydoc, editor.fragment, yDocToDocument(ydoc)))
	if (!after.doc.eq(editor.doc)) throw new Error('the Yjs document differs from the editor’s: the simulated binding is broken')
	const [placements, placeMs] = time(() => anchors.map((anchor) => after.place(anchor)))

	const counts = { exact: 0, fuzzy: 0, orphaned: 0 }
	let exactOnOtherText = 0
	const truths = new Map<Truth, Outcome>()
	placements.forEach((placement: Placement, i) => {
		const anchor: Anchor = anchors[i]!
		counts[placement.status]++
		const highlighted =
			placement.from === undefined
				? null
				: after.index.text.slice(after.index.offsetOfPosition(placement.from)!, after.index.offsetOfPosition(placement.to!)!)
		if (placement.status === 'exact' && highlighted !== anchor.quote.exact) exactOnOtherText++

		// Where the words went, by the edits' own mapping.
		const from = editor.mapping.map(ranges[i]!.from, 1)
		const to = editor.mapping.map(ranges[i]!.to, -1)
		const start = after.index.offsetOfPosition(from)
		const end = after.index.offsetOfPosition(to)
		const truth: Truth =
			from >= to ? 'words deleted' : start !== null && end !== null && after.index.text.slice(start, end) === anchor.quote.exact ? 'words intact' : 'words changed'
		const outcome = truths.get(truth) ?? { annotations: 0, exactInPlace: 0, fuzzyInPlace: 0, orphaned: 0, attachedElsewhere: 0 }
		outcome.annotations++
		if (placement.status === 'orphaned') outcome.orphaned++
		else if (truth !== 'words deleted' && placement.from! < to && placement.to! > from) {
			if (placement.status === 'exact') outcome.exactInPlace++
			else outcome.fuzzyInPlace++
		} else outcome.attachedElsewhere++
		truths.set(truth, outcome)
	})

	const n = settings.annotations
	const report = {
		startedAt: startedAt.toISOString(),
		commit: git(['rev-parse', 'HEAD']),
		uncommittedChanges: git(['status', '--porcelain']) !== '',
		machine: {
			cpus: os.cpus().length,
			cpuModel: os.cpus()[0]?.model ?? 'unknown',
			memoryGiB: Math.round(os.totalmem() / 2 ** 30),
			loadAverageBefore: loadBefore.map((l) => round(l, 2)),
			loadAverageAfter: os.loadavg().map((l) => round(l, 2)),
		},
		node: process.version,
		settings,
		document: {
			words: wordCount,
			blocks: before.doc.childCount,
			characters: before.index.text.length,
			blocksAfterEdits: after.doc.childCount,
		},
		timings: {
			describeMs: round(describeMs),
			describeMicrosecondsPerAnnotation: round((describeMs * 1000) / n),
			placeUneditedMs: round(placeUneditedMs),
			placeUneditedMicrosecondsPerAnnotation: round((placeUneditedMs * 1000) / n),
			editsMs: round(editMs),
			editMillisecondsPerEdit: round(editMs / settings.edits, 2),
			contextAfterEditsMs: round(contextMs),
			placeMs: round(placeMs),
			placeMicrosecondsPerAnnotation: round((placeMs * 1000) / n),
		},
		edits: Object.fromEntries(edits),
		uneditedPlacedExactlyWhereDescribed: uneditedExact,
		afterEdits: {
			...counts,
			exactShare: round(counts.exact / n, 4),
			fuzzyShare: round(counts.fuzzy / n, 4),
			orphanedShare: round(counts.orphaned / n, 4),
			exactOnTextOtherThanQuote: exactOnOtherText,
		},
		byWhereTheWordsWent: Object.fromEntries(truths),
	}

	mkdirSync(resultsDir, { recursive: true })
	writeFileSync(path.join(resultsDir, 'anchors-latest.json'), JSON.stringify(report, null, '\t') + '\n')

	const t = report.timings
	const lines = [
		`Anchor benchmark, ${startedAt.toISOString()}: ${wordCount.toLocaleString('en')} words in ${report.document.blocks} blocks, ` +
			`${n.toLocaleString('en')} annotations of 1–${settings.maxWordsPerAnnotation} words, ${settings.edits} edits, seed ${settings.seed}; ` +
			`${report.machine.cpus} CPUs, load average ${report.machine.loadAverageBefore.join(' ')}.`,
		'',
		'| step | total ms | per item |',
		'|---|---:|---:|',
		`| describe ${n} annotations | ${t.describeMs} | ${t.describeMicrosecondsPerAnnotation} µs |`,
		`| place ${n}, document unedited | ${t.placeUneditedMs} | ${t.placeUneditedMicrosecondsPerAnnotation} µs |`,
		`| ${settings.edits} edits through y-prosemirror (${[...edits].map(([kind, count]) => `${count} ${kind}`).join(', ')}) | ${t.editsMs} | ${t.editMillisecondsPerEdit} ms |`,
		`| AnchorContext for the edited document | ${t.contextAfterEditsMs} | |`,
		`| **place ${n} after the edits** | **${t.placeMs}** | **${t.placeMicrosecondsPerAnnotation} µs** |`,
		'',
		'| after the edits | annotations | share |',
		'|---|---:|---:|',
		`| exact | ${counts.exact} | ${percent(counts.exact, n)} |`,
		`| fuzzy | ${counts.fuzzy} | ${percent(counts.fuzzy, n)} |`,
		`| orphaned | ${counts.orphaned} | ${percent(counts.orphaned, n)} |`,
		`| exact but on text other than the quote (must be 0) | ${exactOnOtherText} | |`,
		'',
		'| where the words went (edits’ own mapping) | annotations | exact in place | fuzzy in place | orphaned | attached elsewhere |',
		'|---|---:|---:|---:|---:|---:|',
		...(['words intact', 'words changed', 'words deleted'] as const).map((truth) => {
			const o = truths.get(truth) ?? { annotations: 0, exactInPlace: 0, fuzzyInPlace: 0, orphaned: 0, attachedElsewhere: 0 }
			return `| ${truth} | ${o.annotations} | ${o.exactInPlace} | ${o.fuzzyInPlace} | ${o.orphaned} | ${o.attachedElsewhere} |`
		}),
		'',
		`Before the edits ${uneditedExact} of ${n} were placed exactly where they were described. ` +
			'“Attached elsewhere” is a placement that does not overlap where the words went: a wrong copy, or, when the words were deleted, other text.',
		`Results: ${path.relative(root, path.join(resultsDir, 'anchors-latest.json'))}`,
	]
	console.log(lines.join('\n'))
	if (exactOnOtherText > 0) {
		console.error(`${exactOnOtherText} annotations were placed “exact” on text that is not their quote.`)
		process.exitCode = 1
	}
}

main()
