/**
 * `npm run bench:editor`: does the live editor keep up with a long, heavily
 * annotated document? Builds a 30,000-word document with 2,000 annotations
 * (stored directly, anchored with the same AnchorContext the server uses),
 * opens it in Debian's Chromium as a reviewer, then measures
 *   - typing: from each keydown to the next frame after the editor's DOM changed, for 60 keys;
 *   - scrolling: frame-to-frame times while scrolling the whole document in 300 px steps;
 *   - long tasks (> 50 ms, PerformanceObserver) during each.
 * Prints a table and writes tests/bench/results/editor-latest.json. Figures, not assertions.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import * as Y from 'yjs'
import { AnchorContext } from '#app/editor/anchoring.ts'
import { documentFragmentName, documentToYUpdate, yDocToDocument } from '#app/editor/yjs.ts'
import { findUserByEmail } from '#db/queries/accounts.ts'
import { insertAnnotation } from '#db/queries/annotations.ts'
import { createDocument } from '#db/queries/documents.ts'
import { demoGroups, demoPassword, seedDemo } from '#seeds/demo.ts'
import { importDocument } from '#server/import/index.ts'
import { startTestApp } from '#tests/support/app.ts'
import { launchChromium } from '#tests/support/browser.ts'

const annotationCount = Number(process.argv[2] ?? 2000)
const root = path.resolve(import.meta.dirname, '../..')
const essay = readFileSync(path.join(root, 'seeds/documents/stalin-1924-1953.txt'), 'utf8')

const app = await startTestApp()
const browser = await launchChromium()
try {
	await seedDemo(app.database.db)
	const reviewer = await findUserByEmail(app.database.db, 'reviewer@scholion.test')
	if (!reviewer) throw new Error('no demo reviewer')

	// 26 copies of the essay, each under its own heading: about 30,000 words.
	const parts: string[] = []
	for (let i = 1; i <= 26; i++) parts.push(`Part ${i}\n\n${essay}`)
	const imported = importDocument({ bytes: new TextEncoder().encode(parts.join('\n\n')), format: 'txt' })
	if (!imported.ok) throw new Error(imported.error)
	const state = documentToYUpdate(imported.doc)
	const benchDocument = await createDocument(app.database.db, {
		groupId: demoGroups.seminar.id,
		title: 'Benchmark: 30,000 words',
		sourceFormat: 'txt',
		sourceName: null,
		wordCount: imported.wordCount,
		createdBy: reviewer.id,
		state,
	})
	const ydoc = new Y.Doc()
	Y.applyUpdate(ydoc, state)
	const context = new AnchorContext(ydoc, ydoc.getXmlFragment(documentFragmentName), yDocToDocument(ydoc))
	const words = [...context.index.text.matchAll(/\S+/g)].map((m) => ({ start: m.index, end: m.index + m[0].length }))
	let seed = 7
	const random = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648)
	const motivations = ['commenting', 'questioning', 'assessing', 'tagging', 'linking', 'highlighting', 'editing'] as const
	const started = performance.now()
	for (let i = 0; i < annotationCount; i++) {
		const first = Math.floor(random() * (words.length - 12))
		const last = first + Math.floor(random() * 8)
		const from = context.index.positionOfOffset(words[first]!.start)
		const to = context.index.positionOfOffset(words[last]!.end)
		const anchor = context.describe(from, to)
		await insertAnnotation(
			app.database.db,
			{
				documentId: benchDocument.id,
				groupId: demoGroups.seminar.id,
				creatorId: reviewer.id,
				motivation: motivations[i % motivations.length]!,
				body: `Benchmark note ${i}: which source?`,
				tags: i % 3 === 0 ? ['unsourced'] : [],
				status: 'submitted',
			},
			{
				documentId: benchDocument.id,
				startPosition: anchor.start,
				endPosition: anchor.end,
				exact: anchor.quote.exact,
				prefix: anchor.quote.prefix,
				suffix: anchor.quote.suffix,
				startOffset: anchor.position.start,
				endOffset: anchor.position.end,
			},
		)
	}
	const seeding = performance.now() - started

	const page = await (await browser.newContext({ baseURL: app.url, viewport: { width: 1280, height: 900 } })).newPage()
	await page.goto(`/login?redirectTo=/documents/${benchDocument.id}`)
	await page.getByLabel('Email').fill('reviewer@scholion.test')
	await page.getByLabel('Password').fill(demoPassword)
	const opened = performance.now()
	await page.getByRole('button', { name: 'Log in' }).click()
	await page.getByRole('textbox', { name: 'Document text' }).waitFor({ timeout: 60_000 })
	await page.waitForFunction((n) => document.querySelectorAll('.annotation-highlight').length >= n * 0.9, annotationCount, {
		timeout: 60_000,
	})
	const openMs = performance.now() - opened
	const highlights = await page.locator('.annotation-highlight').count()
	// tsx names inner functions with an __name helper that the page does not have.
	await page.evaluate('window.__name = (fn) => fn')

	await page.evaluate(() => {
		const w = window as unknown as { longTasks: number[] }
		w.longTasks = []
		new PerformanceObserver((list) => {
			for (const entry of list.getEntries()) w.longTasks.push(entry.duration)
		}).observe({ type: 'longtask', buffered: false })
	})
	const takeLongTasks = () =>
		page.evaluate(() => {
			const w = window as unknown as { longTasks: number[] }
			const tasks = w.longTasks
			w.longTasks = []
			return tasks
		})

	// Typing in the middle of the document, among the highlights.
	await page.evaluate(() => {
		const paragraphs = document.querySelectorAll('.ProseMirror p')
		const target = paragraphs[Math.floor(paragraphs.length / 2)]!
		target.scrollIntoView({ block: 'center' })
		const range = document.createRange()
		range.setStart(target.firstChild!, 5)
		range.collapse(true)
		;(document.querySelector('.ProseMirror') as HTMLElement).focus()
		window.getSelection()!.removeAllRanges()
		window.getSelection()!.addRange(range)
	})
	await page.waitForTimeout(300)
	await takeLongTasks()
	const typing: number[] = []
	for (const key of 'the quick brown fox jumps over the lazy dog and keeps on typing a!') {
		const latency = await page.evaluate(
			(k) =>
				new Promise<number>((resolve) => {
					const editor = document.querySelector('.ProseMirror')!
					const start = performance.now()
					const observer = new MutationObserver(() => {
						observer.disconnect()
						requestAnimationFrame(() => resolve(performance.now() - start))
					})
					observer.observe(editor, { childList: true, characterData: true, subtree: true })
					document.execCommand('insertText', false, k)
				}),
			key,
		)
		typing.push(latency)
	}
	const typingLongTasks = await takeLongTasks()

	const frames = await page.evaluate(
		() =>
			new Promise<number[]>((resolve) => {
				window.scrollTo(0, 0)
				const times: number[] = []
				let last = performance.now()
				const step = () => {
					const now = performance.now()
					times.push(now - last)
					last = now
					if (window.scrollY + window.innerHeight >= document.body.scrollHeight - 2) resolve(times)
					else {
						window.scrollBy(0, 300)
						requestAnimationFrame(step)
					}
				}
				requestAnimationFrame(step)
			}),
	)
	const scrollLongTasks = await takeLongTasks()

	const pct = (values: number[], p: number) => {
		const sorted = [...values].sort((a, b) => a - b)
		return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0
	}
	const round = (n: number) => Math.round(n * 10) / 10
	const results = {
		date: new Date().toISOString(),
		words: imported.wordCount,
		annotations: annotationCount,
		highlightsDrawn: highlights,
		seedingMs: round(seeding),
		openToAllHighlightsMs: round(openMs),
		typing: { keys: typing.length, p50Ms: round(pct(typing, 50)), p95Ms: round(pct(typing, 95)), maxMs: round(Math.max(...typing)), longTasks: typingLongTasks.length },
		scrolling: { frames: frames.length, p50Ms: round(pct(frames, 50)), p95Ms: round(pct(frames, 95)), maxMs: round(Math.max(...frames)), longTasks: scrollLongTasks.length },
	}
	console.log(`\nEditor with ${results.words.toLocaleString('en')} words and ${annotationCount} annotations (${highlights} highlights drawn)\n`)
	console.log('| measure | p50 ms | p95 ms | max ms | long tasks |\n|---|---:|---:|---:|---:|')
	console.log(`| keydown → next frame, ${results.typing.keys} keys | ${results.typing.p50Ms} | ${results.typing.p95Ms} | ${results.typing.maxMs} | ${results.typing.longTasks} |`)
	console.log(`| frame time while scrolling, ${results.scrolling.frames} frames | ${results.scrolling.p50Ms} | ${results.scrolling.p95Ms} | ${results.scrolling.maxMs} | ${results.scrolling.longTasks} |`)
	console.log(`\nOpening the page until the highlights were drawn: ${results.openToAllHighlightsMs} ms`)
	mkdirSync(path.join(root, 'tests/bench/results'), { recursive: true })
	writeFileSync(path.join(root, 'tests/bench/results/editor-latest.json'), JSON.stringify(results, null, '\t') + '\n')
} finally {
	await browser.close()
	await app.close()
}
